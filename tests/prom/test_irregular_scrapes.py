"""Irregular scrape times and error series that do not exist yet, counted exactly.

A counter scraped every 15 s with ±3 s of jitter, with stretches of irregular intervals
(1 s … 2 min), samples exactly on bin edges (minute, hour and day boundaries) and restarts in
each tier of the grid (1-minute, hourly, daily bins): every bin's and every window's good/total
must equal, on Prometheus and on VictoriaMetrics, the truth computed from the stored samples
(tests/datagen.Series.count: a sample's increase belongs to the bin (lo, hi] holding its
timestamp; a series' first sample is not counted, prometheus.md "A brand-new series' first
value is not counted").

The error series appears only three hours before the end (its first sample holds 4, which is
not an event: nothing before it), and a second service never had an error series at all: the
bad (or good) part counts 0 events while the total has data — never "no data".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_specs import load_text
from tests.datagen import DAY, END, Dataset, Series, add_counter, rates, scrape_times
from tests.prom.conftest import make_source
from tests.promserver import prometheus_or_skip, server_or_skip, start_victoriametrics

pytestmark = pytest.mark.prometheus

START = END - 5 * DAY
AT = END - 137.0
GRID_END = np.floor(AT / 60) * 60
WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 7 * DAY, 30 * DAY]
#: the error series' first sample (minute N of the last three hours)
ERRORS_FROM = GRID_END - 3 * 3600 + 23 * 60 + 11.5


def _times(rng: np.random.Generator) -> np.ndarray:
    t = scrape_times(START, END, 15.0, offset=4.0, jitter=3.0, rng=rng)
    # irregular stretches: one in the 1-minute tier, one in the hourly tier
    for a, b in ((GRID_END - 4 * 3600, GRID_END - 3.5 * 3600), (END - 2 * DAY, END - 1.9 * DAY)):
        steps = rng.uniform(1.0, 120.0, size=400)
        odd = np.round(a + np.cumsum(steps), 3)
        t = np.concatenate([t[(t < a) | (t >= b)], odd[odd < b]])
    # samples exactly on bin edges: minutes, hours, days
    on_edges = [GRID_END - k * 60 for k in range(1, 400, 7)]
    on_edges += [GRID_END - k * 3600 for k in range(1, 72, 5)]
    on_edges += [np.floor(GRID_END / DAY) * DAY - k * DAY for k in range(0, 4)]
    return np.unique(np.concatenate([t, on_edges]))


def dataset() -> tuple[Dataset, dict[str, list[Series]]]:
    rng = np.random.default_rng(20261202)
    ds = Dataset()
    t = _times(rng)
    # restarts: in the 1-minute tier (at a sample on a minute edge), the hourly and the daily tier
    resets = [GRID_END - 50 * 60, GRID_END - 30 * 3600 + 17.0, END - 4 * DAY + 3 * 3600]
    ok = add_counter(ds, "irr_requests", {"code": "200"}, t, rates(t, 3.0, rng=rng), resets)
    e = t[t >= ERRORS_FROM]
    inc = rates(e, 0.4, rng=rng)
    inc[0] = 4.0  # created on its first errors: the first sample is not an event
    err = add_counter(ds, "irr_requests", {"code": "500"}, e, inc, start_value=0.0)
    q = scrape_times(START, END, 15.0, offset=9.0, jitter=3.0, rng=rng)
    quiet = add_counter(ds, "quiet_requests", {"code": "200"}, q, rates(q, 2.0, rng=rng))
    return ds, {"irr": [ok, err], "quiet": [quiet]}


@pytest.fixture(scope="module")
def data() -> tuple[Dataset, dict[str, list[Series]]]:
    return dataset()


@pytest.fixture(scope="module", params=("prometheus", "victoriametrics"))
def source(
    request: pytest.FixtureRequest,
    data: tuple[Dataset, dict[str, list[Series]]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PrometheusSource]:
    root = Path(tmp_path_factory.mktemp("irr"))
    if request.param == "prometheus":
        server = prometheus_or_skip(data[0].openmetrics(), root)
    else:
        text = data[0].prometheus_text()
        server = server_or_skip(lambda: start_victoriametrics(text, root), "VictoriaMetrics")
    src = make_source(server)
    try:
        yield src
    finally:
        src.close()
        server.stop()


def spec(ratio: dict[str, str]) -> object:
    doc = {
        "version": "slo/v1",
        "service": "irr",
        "slos": [{"name": "s", "objective": 99.0, "window": "30d", "sli": {"ratio": ratio}}],
    }
    return load_text(json.dumps(doc))[0].slos[0]


def grid() -> np.ndarray:
    return plan_grid(AT, 30 * DAY, must_edges=[GRID_END - w for w in WINDOWS])


def count(series: list[Series], lo: float, hi: float, errors: bool | None = None) -> float:
    pick = [s for s in series if errors is None or s.labels["code"].startswith("5") == errors]
    return sum(s.count(lo, hi) for s in pick)


CASES = {
    "irr bad/total": ("irr", {"bad": 'irr_requests_total{code=~"5.."}'}, "bad"),
    "irr good/total": ("irr", {"good": 'irr_requests_total{code!~"5.."}'}, "good"),
    # the good part is the error series: absent until ERRORS_FROM, so 0 good before it
    "irr good absent early": ("irr", {"good": 'irr_requests_total{code=~"5.."}'}, "errors"),
    "quiet bad/total": ("quiet", {"bad": 'quiet_requests_total{code=~"5.."}'}, "bad"),
    "quiet good absent": ("quiet", {"good": 'quiet_requests_total{code=~"5.."}'}, "errors"),
}


def expected_good(series: list[Series], lo: float, hi: float, form: str) -> float:
    if form == "errors":
        return count(series, lo, hi, errors=True)
    return count(series, lo, hi, errors=False)


@pytest.mark.parametrize("case", list(CASES))
def test_every_bin_and_window_equals_the_stored_samples(
    source: PrometheusSource, data: tuple[Dataset, dict[str, list[Series]]], case: str
) -> None:
    name, ratio, form = CASES[case]
    total_sel = f"{name}_requests_total"
    edges = grid()
    (got,) = source.fetch([FetchRequest(case, spec({**ratio, "total": total_sel}), edges)])
    assert isinstance(got, SeriesCounts) and got.exact
    series = data[1][name]
    lo, hi = edges[:-1], edges[1:]
    # every bin from the second hour of data on has data: an absent bad/good part is 0, not NaN
    live = lo >= START + 3600
    assert not np.isnan(got.total[live]).any() and not np.isnan(got.good[live]).any()
    for i in np.flatnonzero(~np.isnan(got.total)).tolist():
        want = (expected_good(series, lo[i], hi[i], form), count(series, lo[i], hi[i]))
        assert (got.good[i], got.total[i]) == want, (case, lo[i], hi[i])
    for w in WINDOWS:
        sel = lo >= GRID_END - w
        want = (
            expected_good(series, GRID_END - w, GRID_END, form),
            count(series, GRID_END - w, GRID_END),
        )
        assert (float(np.nansum(got.good[sel])), float(np.nansum(got.total[sel]))) == want, w


def test_the_data_is_what_the_tests_claim(data: tuple[Dataset, dict[str, list[Series]]]) -> None:
    ok, err = data[1]["irr"]
    edges = set(grid().tolist())
    assert sum(t in edges for t in ok.times.tolist()) > 30  # samples exactly on bin edges
    assert err.times[0] == pytest.approx(ERRORS_FROM, abs=20.0) and err.values[0] == 4.0
    assert count([err], GRID_END - 3 * 3600, GRID_END) > 0
    drops = np.flatnonzero(np.diff(ok.values) < 0)
    assert drops.size == 3  # the three restarts
    gaps = np.diff(ok.times)
    assert gaps.min() < 2.0 and gaps.max() > 60.0  # irregular intervals
