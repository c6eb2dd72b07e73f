"""The bin cache at the source (slo_cli.sources.bincache) on Prometheus and VictoriaMetrics: a
warm source gives exactly the counts, notes, refined bins and unmatched selectors of a source
without a cache — over counter resets, a series that starts late, histograms with odd `le`
spellings and scrape gaps of 10 minutes to 3 days (tests/datagen.shared_dataset) — with fewer
answers; and every window equals the generator's truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources.bincache import BinCache, identity_of, open_cache
from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.countproxy import Counts, counting_proxy
from tests.datagen import DAY, END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 7 * DAY, 28 * DAY, 30 * DAY]
#: now-ish; inside the incident just after a reset; just after the 2.5-hour ledger gap
ATS = [END - 137.0, END - 2 * 3600 + 301.0, END - 15 * 3600 - 50 * 60 + 7.0]
SLIS = {
    "checkout": {
        "ratio": {
            "good": 'http_requests_total{service="checkout",code!~"5.."}',
            "total": 'http_requests_total{service="checkout"}',
        }
    },
    "ledger": {
        "ratio": {
            "bad": 'ledger_requests_total{service="ledger",code=~"5.."}',
            "total": 'ledger_requests_total{service="ledger"}',
        }
    },
    "search": {
        "latency": {
            "histogram": "http_request_duration_seconds",
            "selector": '{service="search"}',
            "threshold": "1s",
        }
    },
    "inventory": {
        "ratio": {
            "bad": 'inventory_requests_total{service="inventory",code=~"5.."}',
            "total": 'inventory_requests_total{service="inventory"}',
        }
    },
}


def _request(name: str, at: float) -> FetchRequest:
    doc = {
        "version": "slo/v1",
        "service": "svc",
        "slos": [{"name": name, "objective": 99.0, "window": "30d", "sli": SLIS[name]}],
    }
    end = np.floor(at / 60) * 60
    edges = plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS])
    return FetchRequest(name, load_text(json.dumps(doc))[0].slos[0], edges)


def _fetch(
    proxy: Counts, engine: str, at: float, cache: Path | None
) -> tuple[list[SeriesCounts], int]:
    """The counts of every SLI at `at`, and what the server read for them (Prometheus: its
    samples; VictoriaMetrics, which does not say: the bytes of its answers)."""
    proxy.reset()
    settings = ConnectionSettings.from_sources({"url": proxy.url, "engine": engine}, {})
    bins: BinCache | None = None
    if cache is not None:
        bins = open_cache(cache, identity_of(settings, 3600.0), pytest.fail)
    src = PrometheusSource(settings, clock=system_clock(), workers=2, cache=bins)
    try:
        got = src.fetch([_request(name, at) for name in SLIS])
    finally:
        src.close()
    return got, proxy.samples if engine == "prometheus" else proxy.answered


def _same(a: SeriesCounts, b: SeriesCounts) -> None:
    assert np.array_equal(a.good, b.good, equal_nan=True), a.key
    assert np.array_equal(a.total, b.total, equal_nan=True), a.key
    assert a.notes == b.notes, a.key
    assert sorted(a.refined) == sorted(b.refined), a.key
    assert a.unmatched == b.unmatched and a.error is None and b.error is None, a.key


@pytest.mark.parametrize("at", ATS, ids=["end", "incident", "after-gap"])
def test_a_warm_source_counts_exactly_what_an_uncached_one_counts(
    engine_server: Server, shared_data: SharedData, at: float, tmp_path: Path
) -> None:
    prom = engine_server.engine == "prometheus"
    with counting_proxy(engine_server.url, samples=prom) as proxy:
        plain, plain_n = _fetch(proxy, engine_server.engine, at, None)
        cold, cold_n = _fetch(proxy, engine_server.engine, at, tmp_path)
        warm, warm_n = _fetch(proxy, engine_server.engine, at, tmp_path)
    # (VictoriaMetrics' answers to one query may differ in their bytes from run to run)
    assert cold_n == plain_n or not prom, (plain_n, cold_n)
    # what a warm run still reads: the unsettled and self-checked newest minutes and every cut
    # bin's pieces (window starts: 6h, 1d, 3d, 7d, 28d, 30d); on VictoriaMetrics, measured in
    # answer bytes, that is 70–78 % of a cold run's few bins (2–3 h of raw minutes, 2026-12-07)
    assert warm_n < plain_n * (0.3 if prom else 0.85), (plain_n, warm_n)
    for p, c, w in zip(plain, cold, warm, strict=True):
        _same(p, c)
        _same(p, w)
    assert any(c.refined for c in warm) and any(c.notes for c in warm)  # the data has both
    ds = shared_data.dataset
    checkout = warm[0]

    def ours(labels: dict[str, str]) -> bool:
        return labels["service"] == "checkout"

    end = checkout.edges[-1]
    for w in WINDOWS:  # the truth, from the generator's samples
        sel = checkout.edges[:-1] >= end - w
        total = ds.count("http_requests_total", end - w, end, ours)
        assert float(np.nansum(checkout.total[sel])) == total, w
