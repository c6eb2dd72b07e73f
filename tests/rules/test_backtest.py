"""`slo backtest` on the backfilled server's history: alert counts, durations, burn events and
detection delays equal those computed here from the generator's samples (true per-minute
counts; windows of whole minutes; the SRE Workbook rules scaled to the 7-day window:
page 2 % in 1 h / 5 % in 6 h, ticket 10 % in 1 d and in 3 d; burn events: runs of hourly bins,
counted back from the end, whose burn rate is at least 1)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.backtest.helpers import runs as _runs
from tests.rules import data as D
from tests.rules.conftest import Backfilled
from tests.rules.helpers import run_slo

pytestmark = pytest.mark.prometheus
DAYS = 3
WEEK = 7 * 86400.0
ALLOWED = 1 - 0.99
RULES = [  # label, severity, long, short, budget share
    ("page 1h/5m", "page", 3600, 300, 0.02),
    ("page 6h/30m", "page", 21600, 1800, 0.05),
    ("ticket 1d/2h", "ticket", 86400, 7200, 0.10),
    ("ticket 3d/6h", "ticket", 259200, 21600, 0.10),
]


def expected(
    bad: np.ndarray, total: np.ndarray, edges: np.ndarray, start: float, window: float = WEEK
) -> dict:
    cb = np.concatenate([[0.0], np.cumsum(bad)])
    ct = np.concatenate([[0.0], np.cumsum(total)])
    first = int(np.searchsorted(edges, start))
    idx = np.arange(first, edges.size)

    def burn(w: float, floor: int = 0) -> np.ndarray:
        lo = np.maximum(idx - int(w // 60), floor)
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((cb[idx] - cb[lo]) / (ct[idx] - ct[lo])) / ALLOWED

    sev = {"page": np.zeros(idx.size, bool), "ticket": np.zeros(idx.size, bool)}
    for _, severity, long_s, short_s, share in RULES:
        factor = share * window / long_s
        with np.errstate(invalid="ignore"):
            sev[severity] |= (burn(long_s) >= factor) & (burn(short_s) >= factor)
    times = edges[idx]
    alerts = {
        s: [(times[a], (times[b] if b < idx.size else times[-1]) - times[a]) for a, b in _runs(f)]
        for s, f in sev.items()
    }
    # burn events: runs of hourly bins counted back from the end, each burning at >= 1
    hours = edges[-1] - 3600.0 * np.arange(int((edges[-1] - start) // 3600) + 1)[::-1]
    hi = np.searchsorted(edges, hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        hot = (np.diff(cb[hi]) / np.diff(ct[hi])) / ALLOWED >= 1.0
    any_alert = sev["page"] | sev["ticket"]
    events = []
    for a, b in _runs(hot):
        lo, end = hours[a], hours[b]
        hit = np.flatnonzero(any_alert & (times >= lo) & (times <= end))
        events.append((lo, end, None if hit.size == 0 else times[hit[0]] - lo))
    return {"alerts": alerts, "events": events}


def _backtest(bf: Backfilled, capsys: pytest.CaptureFixture[str], fmt: str) -> str:
    args = ["--days", str(DAYS), "--at", f"{D.END:.0f}", "--format", fmt]
    code, out, err = run_slo(
        capsys, "backtest", str(bf.spec), *args, "--prometheus-url", bf.server.url
    )
    assert code == 0, err
    return out


def test_backtest_alerts_and_delays_equal_the_generators(
    backfilled: Backfilled, capsys: pytest.CaptureFixture[str]
) -> None:
    bf = backfilled
    doc = json.loads(_backtest(bf, capsys, "json"))
    assert doc["schema"] == "slo/backtest/v1"
    start = D.END - DAYS * 86400.0
    edges = np.arange(start - 3 * 86400.0, D.END + 1, 60.0)
    truth = D.truth(bf.data, edges)
    from slo_cli.render.common import iso

    seen = {"page": 0, "ticket": 0, "missed": 0}
    for slo in doc["slos"]:
        bad, total = truth[slo["key"]]
        # the calendar SLO: December and January in Berlin are both 31 days of 24 h
        window = 31 * 86400.0 if slo["key"] == "shop/availability-month" else WEEK
        want = expected(bad, total, edges, start, window)
        for severity in ("page", "ticket"):
            got = [
                (a["start"], a["duration_seconds"])
                for a in slo["alerts"]
                if a["severity"] == severity
            ]
            assert got == [(iso(t), d) for t, d in want["alerts"][severity]], (slo["key"], severity)
            seen[severity] += len(got)
        assert slo["pages"] == len(want["alerts"]["page"])
        assert slo["tickets"] == len(want["alerts"]["ticket"])
        got_events = [(e["start"], e["end"], e["detection_delay_seconds"]) for e in slo["events"]]
        assert got_events == [(iso(a), iso(b), d) for a, b, d in want["events"]], slo["key"]
        assert slo["burn_events_never_alerted"] == sum(d is None for *_, d in want["events"])
        seen["missed"] += slo["burn_events_never_alerted"]
    # a grouped SLO is replayed per group (each against its instance's truth)
    keys = [slo["key"] for slo in doc["slos"]]
    assert [k for k in keys if "{" in k] == [
        f'shop/availability-by-instance{{instance="{i}"}}' for i in D.INSTANCES
    ]
    # the incident pages every SLO; the slow burn tickets availability
    assert seen["page"] >= 5 and seen["ticket"] >= 1
    for fmt in ("table", "markdown"):
        assert "shop/availability" in _backtest(bf, capsys, fmt)
