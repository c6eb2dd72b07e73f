"""One query for many SLOs that differ only in one label's value (slo_cli.sources.batch), on
Prometheus and VictoriaMetrics.

Eight services share `batch_requests_total{service, code}`; one SLO per service. A run with
batching must give every SLO exactly the counts of a run that sends each SLO's own queries
(array for array, NaN for NaN), equal to the generator's truth, with far fewer requests. The
data has what makes answers differ per service: a counter reset in one service (its follow-up
queries are its own), a service whose error series starts late, one whose name has a dot (a
regular expression's wildcard unless escaped) next to one the dot would match, and a service
of another metric that is not a member of the family.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources.batch import Member, _split_in, batchable, families
from slo_cli.sources.grid import plan_grid
from slo_cli.sources.http import QueryLog
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.datagen import DAY, END, Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip, server_or_skip, start_victoriametrics

pytestmark = pytest.mark.prometheus

START = END - 3 * DAY
AT = END - 137.0
GRID_END = float(np.floor(AT / 60) * 60)
WINDOWS = [3600.0, 6 * 3600.0, DAY, 2 * DAY]
SERVICES = ["alpha", "beta", "gamma", "delta", "eps.1", "epsX1", "zeta", "eta"]
#: the reset in beta's total (its follow-ups are beta's own), gamma's errors start late
RESET_AT = GRID_END - 30 * 3600 + 17.0
LATE = GRID_END - 5 * 3600 + 11.0


def dataset() -> Dataset:
    rng = np.random.default_rng(20261203)
    ds = Dataset()
    for i, svc in enumerate(SERVICES):
        t = scrape_times(START, END, 60.0, offset=3.0 + i, jitter=2.0, rng=rng)
        resets = [RESET_AT] if svc == "beta" else []
        labels = {"service": svc, "job": "api"}
        add_counter(
            ds, "batch_requests", {**labels, "code": "200"}, t, rates(t, 5.0, rng=rng), resets
        )
        e = t[t >= LATE] if svc == "gamma" else t
        inc = rates(e, 0.2 + 0.1 * i, rng=rng)
        add_counter(ds, "batch_requests", {**labels, "code": "500"}, e, inc, start_value=0.0)
    t = scrape_times(START, END, 60.0, offset=9.0, jitter=2.0, rng=rng)
    add_counter(
        ds, "other_requests", {"service": "theta", "code": "200"}, t, rates(t, 2.0, rng=rng)
    )
    return ds


@pytest.fixture(scope="module")
def data() -> Dataset:
    return dataset()


@pytest.fixture(scope="module", params=("prometheus", "victoriametrics"))
def server(
    request: pytest.FixtureRequest, data: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = Path(tmp_path_factory.mktemp("batch"))
    if request.param == "prometheus":
        srv = prometheus_or_skip(data.openmetrics(), root)
    else:
        text = data.prometheus_text()
        srv = server_or_skip(lambda: start_victoriametrics(text, root), "VictoriaMetrics")
    try:
        yield srv
    finally:
        srv.stop()


def slos() -> list[Any]:
    items = [
        {
            "name": svc,
            "objective": 99.0,
            "window": "2d",
            "sli": {
                "ratio": {
                    "bad": f'batch_requests_total{{service="{svc}",code=~"5.."}}',
                    "total": f'batch_requests_total{{service="{svc}"}}',
                }
            },
        }
        for svc in SERVICES
    ]
    items.append(
        {
            "name": "theta",
            "objective": 99.0,
            "window": "2d",
            "sli": {"ratio": {"good": 'other_requests_total{service="theta"}',
                              "total": 'other_requests_total{service="theta"}'}},
        }
    )  # fmt: skip
    doc = {"version": "slo/v1", "service": "shop", "slos": items}
    return list(load_text(json.dumps(doc))[0].slos)


def fetch(
    server: Server, *, batched: bool, workers: int = 3
) -> tuple[list[SeriesCounts], int, int]:
    """Every SLO's counts, the requests sent and the batched queries among them."""
    edges = plan_grid(AT, 2 * DAY, must_edges=[GRID_END - w for w in WINDOWS])
    settings = ConnectionSettings.from_sources({"url": server.url, "engine": server.engine}, {})
    # a query log turns sharing and batching off: every SLO sends its own queries
    log = None if batched else QueryLog()
    src = PrometheusSource(settings, clock=system_clock(), workers=workers, query_log=log)
    try:
        got = src.fetch([FetchRequest(s.name, s, edges) for s in slos()])
        batcher = src._batcher
        return got, src.requests_sent, 0 if batcher is None else batcher.sent
    finally:
        src.close()


def truth(ds: Dataset, svc: str, lo: float, hi: float, errors: bool) -> float:
    metric = "other_requests_total" if svc == "theta" else "batch_requests_total"
    return ds.count(
        metric,
        lo,
        hi,
        lambda labels: labels["service"] == svc and (not errors or labels["code"] == "500"),
    )


@pytest.mark.parametrize("workers", [1, 3])
def test_batched_counts_are_each_slos_own_and_exact(
    server: Server, data: Dataset, workers: int
) -> None:
    batched, sent, batches = fetch(server, batched=True, workers=workers)
    own, alone, none = fetch(server, batched=False, workers=workers)
    assert batches > 0 and none == 0
    if workers == 1:  # each query: the first service alone, the other seven in one batch
        assert sent * 2 < alone, (sent, alone)
    else:  # the batch in parts of two or three, one per worker
        assert sent < alone, (sent, alone)
    _same_counts(batched, own)
    _exact(batched, data)


def _exact(got: list[SeriesCounts], data: Dataset) -> None:
    """Every SLO's total and bad events over each window equal the generator's truth."""
    for b in got:
        for w in WINDOWS:
            sel = b.edges[:-1] >= GRID_END - w
            lo = GRID_END - w
            total = truth(data, b.key, lo, GRID_END, errors=False)
            assert float(np.nansum(b.total[sel])) == total, (b.key, w)
            if b.key != "theta":
                bad = truth(data, b.key, lo, GRID_END, errors=True)
                assert total - float(np.nansum(b.good[sel])) == bad, (b.key, w)


def _same_counts(batched: list[SeriesCounts], own: list[SeriesCounts]) -> None:
    for b, o in zip(batched, own, strict=True):
        assert b.error is None and o.error is None, (b.key, b.error, o.error)
        assert b.key == o.key
        np.testing.assert_array_equal(b.edges, o.edges)
        np.testing.assert_array_equal(b.good, o.good)
        np.testing.assert_array_equal(b.total, o.total)
        assert b.exact == o.exact


@pytest.mark.parametrize("workers", [1, 3])
def test_batches_fetched_ahead_give_each_slos_own_counts_within_the_workers_bound(
    server: Server, data: Dataset, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With chunks of 2 services and the next chunk fetched ahead once 2 SLOs took answers
    from a batch, the eight services' queries go out in batches fetched ahead of the workers,
    on the prefetch threads, yet never more than --workers at once (a proxy holding each
    request counts them), and every SLO gets exactly the counts of its own queries, equal to
    the generator's truth. (Chunks
    of 2: with 3 workers taking SLOs in a racing order, a chunk of 3 could leave fewer than
    2 values for the next chunk of every query, and nothing would be fetched ahead.)"""
    from slo_cli.sources import batch
    from tests.countproxy import counting_proxy

    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(batch, "AHEAD_AFTER", 2)
    with counting_proxy(server.url, delay_s=0.02) as proxy:
        edges = plan_grid(AT, 2 * DAY, must_edges=[GRID_END - w for w in WINDOWS])
        where = {"url": proxy.url, "engine": server.engine}
        settings = ConnectionSettings.from_sources(where, {})
        src = PrometheusSource(settings, clock=system_clock(), workers=workers)
        try:
            got = src.fetch([FetchRequest(s.name, s, edges) for s in slos()])
            assert src._batcher is not None
            ahead = src._batcher.ahead
        finally:
            src.close()
    assert ahead > 0
    assert 1 <= proxy.max_in_flight <= workers
    own, _, _ = fetch(server, batched=False, workers=workers)
    _same_counts(got, own)
    _exact(got, data)


def test_families_group_slos_by_the_one_label_they_differ_in() -> None:
    requests = [FetchRequest(s.name, s, np.array([0.0, 60.0])) for s in slos()]
    got = families(requests)
    assert set(got) == set(SERVICES)  # theta's metric is another: no family of its own
    assert {m.label for m in got.values()} == {"service"}
    assert got["beta"].values == tuple(SERVICES)


@pytest.mark.parametrize(
    ("query", "ok"),
    [
        ('batch_requests_total{service="beta"}[25200s]', True),
        (
            'label_replace(last_over_time(m{service="beta"}[300s] offset 600s), "__slo_part", '
            '"t0", "", "") or label_replace(resets(m{service="beta",code=~"5.."}[3900s]), '
            '"__slo_part", "r", "", "")',
            True,
        ),
        ('sum(rate(m{service="beta"}[5m]))', False),  # an aggregation mixes the services
        ('m{service="beta"} or up{}', False),  # a selector of every service
        ('label_replace(m{service="beta"}, "service", "x", "", "")', False),  # rewrites it
        ('m{myservice="beta"}[5m]', False),  # another label ending in the name
        ('m{service="beta"} @ 100', False),
        ('m{service!="beta"}[5m]', False),
    ],
)
def test_only_series_by_series_queries_of_the_slos_own_series_are_batched(
    query: str, ok: bool
) -> None:
    assert batchable(query, Member("service", "beta", ("alpha", "beta"))) is ok


@pytest.mark.parametrize(("n", "parts"), [(2, 4), (3, 4), (7, 3), (8, 4), (49, 4), (50, 1)])
def test_a_batch_is_sent_in_parts_of_two_or_more(n: int, parts: int) -> None:
    values = [f"v{i}" for i in range(n)]
    got = _split_in(values, parts)
    assert [v for part in got for v in part] == values  # every value once, in order
    assert len(got) == min(parts, n // 2) and min(len(p) for p in got) >= 2
    assert max(len(p) for p in got) - min(len(p) for p in got) <= 1
