"""Rule kept (issue 16, gate honesty): a gate never passes when any window an alert rule reads
lacks data. The status is NO_DATA then — or CRITICAL when a rule fires anyway — and the gate's
verdict is unknown (exit 4), never a pass.

Closed-form data: three days of 1-minute bins, 1,000 events each, all good, at 99 % over a
rolling 3 days (budget 43,200 events; page thresholds 0.02 × 72 = 1.44 over 1h/5m and
0.05 × 12 = 0.6 over 6h/30m); then 100 % errors, then every series vanishes (NaN) before the
instant.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from slo_cli.engine import Status, evaluate
from slo_cli.gate import exit_code, judge
from slo_cli.results import Evaluation, Gate, NoData
from tests.check.factory import result

M = 60.0
END = 3 * 86400.0
EDGES = np.arange(0.0, END + 1, M)
N = EDGES.size - 1


def outage(errors_min: int, vanished_min: int) -> tuple[np.ndarray, np.ndarray]:
    """All good, then `errors_min` minutes of 100 % errors, then no data for the last
    `vanished_min` minutes."""
    total = np.full((1, N), 1000.0)
    good = total.copy()
    last = N - vanished_min
    good[0, last - errors_min : last] = 0.0
    good[0, last:] = total[0, last:] = np.nan
    return good, total


def run(good: np.ndarray, total: np.ndarray):  # type: ignore[no-untyped-def]
    return evaluate(EDGES, good, total, end=END, objective=0.99, window_start=0.0, window_s=END)


def test_errors_then_every_series_vanishes_31_minutes_before_is_no_data_not_ok() -> None:
    # The case: 14 minutes of errors, then nothing for 31 minutes. The 5m and 30m
    # windows (the short windows of both page rules) hold no bin with data, so neither page rule
    # can fire; the 1h window still has 29 minutes of data (14 of them errors).
    r = run(*outage(14, 31))
    assert r.coverage["5m"][0] == 0.0 and r.coverage["30m"][0] == 0.0
    assert r.coverage["1h"][0] == pytest.approx(29 / 60, rel=1e-12)
    # 1h burn: 14,000 bad of 29,000 ÷ 0.01 = 48.27…, far above 1.44 — but 5m has no data
    assert r.burn_rates["1h"][0] == pytest.approx(14 / 29 / 0.01, rel=1e-12)
    assert r.remaining[0] == pytest.approx(1 - 14_000 / 42_890, rel=1e-12)  # 4,289 min of data
    assert np.isnan(r.burn_rates["5m"][0]) and not r.page[0]
    assert r.alerts_blind == [("page 1h/5m", "page 6h/30m")]
    assert r.status[0] == Status.NO_DATA
    # the SLO window is almost complete: 31 missing minutes of 4,320
    assert r.coverage["window"][0] == pytest.approx(1 - 31 / 4320, rel=1e-12)


def test_without_the_blackout_the_same_errors_page() -> None:
    r = run(*outage(14, 0))  # the errors are the last 14 minutes: burn 1,000 over 5m
    assert r.page[0] and r.status[0] == Status.CRITICAL and r.alerts_blind == [()]


def test_a_rule_that_fires_anyway_makes_it_critical() -> None:
    # 40 minutes of errors, data gone for the last 20: 30m holds 10 minutes of errors (burn
    # 100 ≥ 0.6), 6h holds 40 of 340 minutes bad (burn 11.8 ≥ 0.6): page 6h/30m fires although
    # page 1h/5m cannot be evaluated.
    r = run(*outage(40, 20))
    assert "page 6h/30m" in r.alerts_firing[0] and r.alerts_blind == [("page 1h/5m",)]
    assert r.remaining[0] > 0  # critical for the page, not for an exhausted budget
    assert r.status[0] == Status.CRITICAL


def test_a_healthy_service_whose_data_stops_is_no_data_too() -> None:
    # No errors at all, data gone for the last 10 minutes: 5m is blind, page 1h/5m unevaluated.
    r = run(*outage(0, 10))
    assert r.alerts_blind == [("page 1h/5m",)] and r.status[0] == Status.NO_DATA
    # one missing minute less than the 5m window: every window has data, OK
    assert run(*outage(0, 4)).status[0] == Status.OK


@pytest.mark.parametrize("fail_on", ["page", "ticket", "exhausted"])
def test_the_gate_never_passes_on_the_blind_case(fail_on: str) -> None:
    r = run(*outage(14, 31))
    res = replace(
        result(),
        status="NO_DATA",
        total=float(r.total[0]),
        remaining=float(r.remaining[0]),
        ticket=bool(r.ticket[0]),
        page=bool(r.page[0]),
        alerts_blind=r.alerts_blind[0],
        # what slo_cli.nodata says of it (tested on a real server in tests/check)
        no_data=(NoData("blind", "blind: page 1h/5m, page 6h/30m cannot be evaluated"),),
    )
    verdict = judge(res, Gate(fail_on=fail_on))  # type: ignore[arg-type]
    if fail_on == "ticket":  # ticket 1d/2h fires (burns 0.99 and 15.7 ≥ 0.3): a breach
        assert r.ticket[0] and verdict.breached, verdict
        code = 1
    else:
        assert verdict.unknown and not verdict.breached, verdict
        assert verdict.reasons == ("blind: page 1h/5m, page 6h/30m cannot be evaluated",)
        code = 4
    evaluation = Evaluation(at=END, slos=(replace(res, verdict=verdict),))
    assert exit_code(evaluation) == code
