"""SLOs over the same SLI share their answers within a run (slo_cli.sources.share).

On a real Prometheus (and VictoriaMetrics, where only repeated calls are shared) with the
shared dataset: several SLOs of one SLI with different windows and objectives get the counts
the generator's samples give (independent arithmetic: tests/datagen.Series.count), the same
counts as a run that shares nothing (a recording run), through fewer requests; a range query
answered from a longer one equals the server's own answer for that start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from slo_cli import plan as P
from slo_cli.cli.connection import system_clock
from slo_cli.sources.http import Recorder
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_cli.sources.share import SharedAnswers
from slo_specs import load_text
from tests.countproxy import counting_proxy
from tests.datagen import END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

DAY = 86400.0
#: one SLI, five SLOs: (name, objective, window)
VARIANTS = (
    ("a30", 99.9, "30d"),
    ("b30", 99.0, "30d"),
    ("c28", 99.5, "28d"),
    ("d7", 99.9, "7d"),
    ("e1", 99.9, "1d"),
)
TOTAL = 'http_requests_total{service="checkout"}'
GOOD = 'http_requests_total{service="checkout",code!~"5.."}'
LENGTH = {"30d": 30 * DAY, "28d": 28 * DAY, "7d": 7 * DAY, "1d": DAY}
#: an instant inside the incident, not on a whole hour
AT = END - 2 * 3600 + 17 * 60


def _specs() -> list:
    slos = [
        {
            "name": name,
            "objective": obj,
            "window": win,
            "sli": {"ratio": {"good": GOOD, "total": TOTAL}},
        }
        for name, obj, win in VARIANTS
    ]
    doc = {"version": "slo/v1", "service": "checkout", "slos": slos}
    return load_text(json.dumps(doc))


def _fetch(url: str, engine: str, *, record: bool) -> tuple[list, int, list[str]]:
    """Counts of every variant at AT, the requests that reached the server, and the SLOs
    whose counts were counted (not copied from another SLO's)."""
    planned = P.plan(_specs(), P.check_needs(AT))
    counted: list[str] = []
    with counting_proxy(url) as proxy:
        settings = ConnectionSettings.from_sources({"url": proxy.url, "engine": engine}, {})
        src = PrometheusSource(
            settings, clock=system_clock(), workers=2, recorder=Recorder() if record else None
        )
        one = src._one

        def counting(req: Any) -> Any:
            counted.append(req.key)
            return one(req)

        src._one = counting  # type: ignore[method-assign]
        try:
            got = src.fetch(P.requests(planned))
        finally:
            src.close()
    return list(zip(planned, got, strict=True)), proxy.requests, sorted(counted)


def test_slos_of_one_sli_share_answers_and_keep_exact_counts(
    engine_server: Server, shared_data: SharedData
) -> None:
    server, engine = engine_server, engine_server.engine
    shared, sent, counted = _fetch(server.url, engine, record=False)
    alone, sent_alone, counted_alone = _fetch(server.url, engine, record=True)
    # a30 and b30 are one SLI over one grid: counted once (a recording counts each)
    assert counted == ["checkout/a30", "checkout/c28", "checkout/d7", "checkout/e1"]
    assert counted_alone == sorted(f"checkout/{name}" for name, _, _ in VARIANTS)
    ds = shared_data.dataset
    end = P.evaluation_end(AT)
    for (p, counts), (_, ref) in zip(shared, alone, strict=True):
        start = end - LENGTH[p.slo.window.label]
        inside = (counts.edges[:-1] >= start - 1e-6) & (counts.edges[1:] <= end + 1e-6)
        total = ds.count("http_requests_total", start, end, _checkout)
        good = ds.count("http_requests_total", start, end, _checkout_good)
        assert np.nansum(counts.total[inside]) == total, p.slo.name
        assert np.nansum(counts.good[inside]) == good, p.slo.name
        np.testing.assert_array_equal(counts.total, ref.total)
        np.testing.assert_array_equal(counts.good, ref.good)
        assert counts.notes == ref.notes and counts.refined == ref.refined
        assert counts.key == ref.key == p.slo.key
    # the 30-day SLOs send the same calls; the shorter ones' wide stretches lie inside them
    assert sent < sent_alone, (sent, sent_alone)
    if engine == "prometheus":
        assert sent * 2 <= sent_alone, (sent, sent_alone)


def _checkout(lab: dict[str, str]) -> bool:
    return lab.get("service") == "checkout"


def _checkout_good(lab: dict[str, str]) -> bool:
    return _checkout(lab) and not lab.get("code", "").startswith("5")


def _range(url: str, query: str, start: float, end: float, step: float) -> dict:
    params = {"query": query, "start": f"{start:.0f}", "end": f"{end:.0f}", "step": f"{step:.0f}"}
    r = requests.post(url + "/api/v1/query_range", data=params, timeout=60)
    r.raise_for_status()
    return params, r.json()["data"]


def _rows(series: dict[str, object]) -> list[tuple[float, float]]:
    """A checked matrix series' samples as (time, value) pairs."""
    from slo_cli.sources.shapes import arrays

    t, v = arrays(series)  # type: ignore[arg-type]
    return list(zip(t.tolist(), v.tolist(), strict=True))


@pytest.mark.parametrize(
    "query",
    [
        f"last_over_time({TOTAL}[5m])",
        f"resets({TOTAL}[1d5m])",
        'http_requests_total{service="checkout",instance="b"}',  # a reset inside the range
    ],
)
def test_a_range_answered_from_a_longer_one_is_the_servers_own(
    prometheus: Server, query: str
) -> None:
    from slo_cli.sources.http import Envelope
    from slo_cli.sources.shapes import check_data

    step, end = 3600.0, END - 7200.0
    params, longer = _range(prometheus.url, query, end - 20 * DAY, end, step)
    check_data(longer, query, prometheus.url)
    share = SharedAnswers(ranges=True)
    share.put("/api/v1/query_range", params, Envelope(longer))
    for back in (19 * DAY, 3 * DAY + 5 * step, 2 * step, 0.0):
        p, own = _range(prometheus.url, query, end - back, end, step)
        got = share.get("/api/v1/query_range", p)
        assert got is not None
        check_data(own, query, prometheus.url)
        mine = {json.dumps(s["metric"], sort_keys=True): _rows(s) for s in got.data["result"]}
        theirs = {json.dumps(s["metric"], sort_keys=True): _rows(s) for s in own["result"]}
        assert mine == theirs, back
    # off the step grid, another step or another end: never shared
    others = ((end - DAY - 60, step, end), (end - DAY, 60.0, end), (end - DAY, step, end - step))
    for start, stp, stop in others:
        p = {"query": query, "start": f"{start:.0f}", "end": f"{stop:.0f}", "step": f"{stp:.0f}"}
        assert share.get("/api/v1/query_range", p) is None
    assert SharedAnswers(ranges=False).get("/api/v1/query_range", params) is None
    # `@ start()` evaluates at the range's own start: never answered from a longer range
    anchored = (
        f"{query} @ start()" if "[" not in query else f"last_over_time({TOTAL}[5m] @ start())"
    )
    p, longer = _range(prometheus.url, anchored, end - 20 * DAY, end, step)
    share.put("/api/v1/query_range", p, Envelope(longer))
    assert share.get("/api/v1/query_range", {**p, "start": f"{end - DAY:.0f}"}) is None


def test_a_replay_shares_answers_as_the_live_run_does(prometheus: Server, tmp_path: Path) -> None:
    from slo_cli.sources.recorded import RecordedSource, write_snapshot

    planned = P.plan(_specs(), P.check_needs(AT))
    recorder = Recorder()
    settings = ConnectionSettings.from_sources({"url": prometheus.url}, {})
    src = PrometheusSource(settings, clock=system_clock(), workers=2, recorder=recorder)
    try:
        live = src.fetch(P.requests(planned))
    finally:
        src.close()
    path = tmp_path / "snap.json"
    write_snapshot(
        path, recorder, at=AT, recorded_at=AT, engine="prometheus", max_points=settings.max_points
    )
    replay = RecordedSource(path)
    counted: list[str] = []
    count = replay.fetcher.counts

    def counting(req: Any) -> Any:
        counted.append(req.key)
        return count(req)

    replay.fetcher.counts = counting  # type: ignore[method-assign]
    got = replay.fetch(P.requests(planned))
    for p, a, b in zip(planned, live, got, strict=True):
        assert b.key == a.key == p.slo.key
        np.testing.assert_array_equal(a.total, b.total)
        np.testing.assert_array_equal(a.good, b.good)
        assert a.notes == b.notes and a.refined == b.refined
    # every call was recorded (no sharing while recording); the replay read fewer of them
    assert 0 < replay.transport.requests_sent < len(recorder.answers)
    # a30 and b30 (one SLI, one window, other objectives) are counted once, each with its own
    # arrays; the other windows have grids of their own
    assert sorted(counted) == ["checkout/a30", "checkout/c28", "checkout/d7", "checkout/e1"]
    assert got[1].total is not got[0].total and got[1].good is not got[0].good
