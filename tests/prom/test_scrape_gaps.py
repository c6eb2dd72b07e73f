"""Scrape gaps of any length are bridged exactly, on Prometheus and on VictoriaMetrics.

`ledger` instance a is not scraped for 10 minutes, for 2.5 hours during an incident and for
3 days holding a restart (tests/datagen.add_gap_stories); it keeps counting, so the first sample
after each gap holds the gap's events. Every window 5m … 30d must equal the truth computed from
the stored samples (tests/datagen.Series.count: each sample's increase from the sample before
it, however old) — windows that start inside a gap included —, the bins inside a gap must stay
unobserved (coverage shows the gap), and the result's notes must name each bridged gap.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_specs import load_text
from tests.datagen import DAY, END, LEDGER_GAPS, Series, SharedData

pytestmark = pytest.mark.prometheus

WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 7 * DAY, 28 * DAY, 30 * DAY]
#: (instant, gaps whose end lies in its 30-day grid). At the first, the 30m window starts in
#: the 10-minute gap and the 28d/30d windows in the 3-day one (daily bins), the 2.5-hour gap is
#: in the hourly bins; at the second, the 1h and 2h windows start in the 2.5-hour gap (1-minute
#: bins); at the third, the 3d window starts in the 3-day gap (hourly bins).
ATS = {
    "end": (END - 137.0, ("3d", "2h30m", "10m")),
    "after-incident-gap": (END - 15 * 3600 - 50 * 60 + 7.0, ("3d", "2h30m")),
    "after-3d-gap": (END - 26.5 * DAY + 7.0, ("3d",)),
}
BOTH = {"bad": 'ledger_requests_total{service="ledger",code=~"5.."}'}
BOTH_TOTAL = 'ledger_requests_total{service="ledger"}'
A_GOOD = {"good": 'ledger_requests_total{service="ledger",instance="a",code!~"5.."}'}
A_TOTAL = 'ledger_requests_total{service="ledger",instance="a"}'


def spec(ratio: dict) -> object:
    doc = {
        "version": "slo/v1",
        "service": "ledger",
        "slos": [{"name": "s", "objective": 99.0, "window": "30d", "sli": {"ratio": ratio}}],
    }
    return load_text(json.dumps(doc))[0].slos[0]


def grid(at: float) -> np.ndarray:
    end = np.floor(at / 60) * 60
    return plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS])


def window_sum(c: SeriesCounts, w: float) -> tuple[float, float]:
    end = c.edges[-1]
    assert end - w in set(c.edges.tolist()), "every window start must be an edge"
    sel = c.edges[:-1] >= end - w
    return float(np.nansum(c.good[sel])), float(np.nansum(c.total[sel]))


def truth(series: list[Series], start: float, end: float) -> tuple[float, float]:
    good = sum(s.count(start, end) for s in series if not s.labels["code"].startswith("5"))
    return good, sum(s.count(start, end) for s in series)


def around(s: Series, gap: tuple[float, float]) -> tuple[float, float, float]:
    """(last sample before the gap, first after it, the increase stored at the latter)."""
    i = int(np.searchsorted(s.times, END + gap[1]))
    before, after = s.values[i - 1], s.values[i]
    return s.times[i - 1], s.times[i], after - before if after >= before else after


def expected_note(series: list[Series], name: str) -> str:
    a = [s for s in series if s.labels["instance"] == "a"]
    rows = [around(s, LEDGER_GAPS[name]) for s in a]
    assert len({r[:2] for r in rows}) == 1  # both codes of instance a share their scrapes
    first, last = (dt.datetime.fromtimestamp(t, dt.timezone.utc) for t in rows[0][:2])
    fmt = "%H:%M" if first.date() == last.date() else "%Y-%m-%d %H:%M"
    events = int(sum(r[2] for r in rows))
    return (
        f"scrape gap {first:%Y-%m-%d %H:%M}–{last.strftime(fmt)} UTC bridged: "
        f"{events:,} events attributed to {last.strftime(fmt)}"
    )


@pytest.mark.parametrize("case", list(ATS))
def test_gaps_are_bridged_exactly_in_every_window(
    source: PrometheusSource, shared_data: SharedData, case: str
) -> None:
    at, gaps = ATS[case]
    edges = grid(at)
    both, a_only = source.fetch(
        [
            FetchRequest("both", spec({**BOTH, "total": BOTH_TOTAL}), edges),
            FetchRequest("a", spec({**A_GOOD, "total": A_TOTAL}), edges),
        ]
    )
    series = shared_data.dataset.select("ledger_requests_total")
    end = edges[-1]
    for w in WINDOWS:
        start = end - w
        assert window_sum(both, w) == truth(series, start, end), w
        a = [s for s in series if s.labels["instance"] == "a"]
        assert window_sum(a_only, w) == truth(a, start, end), w
    notes = tuple(expected_note(series, g) for g in gaps)
    assert both.notes == notes and a_only.notes == notes


def test_the_incident_gap_holds_the_incident(shared_data: SharedData) -> None:
    # the data is what the test claims: the 2.5-hour gap hides a real share of the 1-day
    # window's errors (a tool that drops the jump says far less than the truth)
    series = shared_data.dataset.select("ledger_requests_total")
    end = np.floor(ATS["after-incident-gap"][0] / 60) * 60
    good, total = truth(series, end - DAY, end)
    a = [s for s in series if s.labels["instance"] == "a"]
    jump_bad = sum(around(s, LEDGER_GAPS["2h30m"])[2] for s in a if s.labels["code"] == "500")
    assert (total - good) > 0 and jump_bad / (total - good) > 0.25
    # and one jump is a restart: the post-gap value is below the pre-gap one
    s500 = next(s for s in a if s.labels["code"] == "500")
    i = int(np.searchsorted(s500.times, END + LEDGER_GAPS["3d"][1]))
    assert s500.values[i] < s500.values[i - 1]


def test_bins_inside_a_gap_stay_unobserved(source: PrometheusSource) -> None:
    at, _ = ATS["end"]
    edges = grid(at)
    [c] = source.fetch([FetchRequest("a", spec({**A_GOOD, "total": A_TOTAL}), edges)])
    lo, hi = END + LEDGER_GAPS["10m"][0], END + LEDGER_GAPS["10m"][1]
    # 1-minute bins whose last value (looked back 5 minutes) falls into the gap
    inside = (edges[:-1] >= lo + 300 + 60) & (edges[1:] <= hi)
    assert inside.sum() >= 3 and np.isnan(c.total[inside]).all()
    # and the hour before it is observed in every bin
    assert not np.isnan(c.total[(edges[1:] <= lo) & (edges[:-1] >= lo - 3600)]).any()
