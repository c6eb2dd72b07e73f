"""The SRE Workbook's numbers (ch. 5 "Alerting on SLOs"), for a 99.9 % SLO over 30 days.

Table 5-4: a burn rate b spends the whole budget in 30 d ÷ b (1 -> 30 d, 2 -> 15 d, 10 -> 3 d,
1000 -> 43.2 min), at an error rate of b × 0.1 %. Table 5-8: page at 14.4× over 1 h (2 % of the
budget), 6× over 6 h (5 %); ticket at 3× over 1 d (10 %), 1× over 3 d (10 %). Every expected
value below is worked out by hand in the comments, never taken from the engine's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from slo_cli.engine import DEFAULT_ALERT_RULES, Status, alert_budget, evaluate, time_to_exhaustion

DAY = 86400.0
WINDOW = 30 * DAY  # 720 h
OBJ = 0.999


@pytest.mark.parametrize(
    ("burn", "error_rate", "hours"),
    [(1.0, 0.001, 720.0), (2.0, 0.002, 360.0), (10.0, 0.01, 72.0), (1000.0, 1.0, 0.72)],
)
def test_table_5_4_time_to_exhaustion(burn: float, error_rate: float, hours: float) -> None:
    # a full budget (remaining 1) lasts 720 h ÷ burn; 1000× is 0.72 h = 43.2 minutes
    got = time_to_exhaustion(np.array([1.0]), np.array([WINDOW]), np.array([burn]))
    assert got[0] / 3600 == pytest.approx(hours, rel=1e-12)
    assert burn * (1 - OBJ) == pytest.approx(error_rate, rel=1e-9)


@pytest.mark.parametrize(
    ("rule", "burn", "consumed", "tte_h"),
    [
        # 0.02 × 720 h ÷ 1 h = 14.4; an hour of it spends 14.4 ÷ 720 = 2 %; full budget: 50 h
        (0, 14.4, 0.02, 50.0),
        # 0.05 × 720 ÷ 6 = 6; 6 h × 6 ÷ 720 = 5 %; 720 ÷ 6 = 120 h
        (1, 6.0, 0.05, 120.0),
        # 0.10 × 720 ÷ 24 = 3; 24 × 3 ÷ 720 = 10 %; 240 h
        (2, 3.0, 0.10, 240.0),
        # 0.10 × 720 ÷ 72 = 1; 72 ÷ 720 = 10 %; 720 h
        (3, 1.0, 0.10, 720.0),
    ],
)
def test_table_5_8_thresholds(rule: int, burn: float, consumed: float, tte_h: float) -> None:
    a = alert_budget(OBJ, WINDOW, DEFAULT_ALERT_RULES[rule])
    assert a.burn_rate == pytest.approx(burn, rel=1e-12)
    assert a.budget_consumed == pytest.approx(consumed, rel=1e-12)
    assert a.time_to_exhaustion_s / 3600 == pytest.approx(tte_h, rel=1e-12)


def _burning(bad_per_bin: float, hours: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """30 days of 5-minute bins, 1000 events each; the last `hours` have `bad_per_bin` bad."""
    edges = np.arange(0.0, WINDOW + 1, 300.0)
    total = np.full((1, edges.size - 1), 1000.0)
    good = total.copy()
    good[0, -int(hours * 12) :] -= bad_per_bin
    return edges, good, total


def _run(edges: np.ndarray, good: np.ndarray, total: np.ndarray):  # type: ignore[no-untyped-def]
    return evaluate(
        edges, good, total, end=WINDOW, objective=OBJ, window_start=0.0, window_s=WINDOW
    )


# Budget: 0.001 × 8,640 bins × 1,000 events = 8,640 bad events. A burn b over a bin of 1,000
# events means b bad events in it (b × 0.1 % of 1,000).


def test_fast_burn_pages_after_an_hour_at_2_percent() -> None:
    # 14.4× for an hour, a hair above the threshold: 14.4 × 1.001 bad per bin, 12 bins
    b = 14.4 * 1.001
    r = _run(*_burning(b, 1))
    assert r.alerts_firing == [("page 1h/5m",)]
    assert r.burn_rates["1h"][0] == pytest.approx(b, rel=1e-9)
    # spent 12 × b ÷ 8,640 = 2 % × 1.001
    assert r.consumed[0] == pytest.approx(0.02 * 1.001, rel=1e-9)
    # remaining × 720 h ÷ b
    assert r.time_to_exhaustion_s[0] / 3600 == pytest.approx((1 - 0.02002) * 720 / b, rel=1e-9)
    assert r.status[0] == Status.CRITICAL
    # just below: no page (the 6 h rule needs 6× over 6 h: here 6 h burn is 14.4 × 0.999 ÷ 6)
    below = _run(*_burning(14.4 * 0.999, 1))
    assert not below.page[0]


def test_slow_page_6x_over_6h_spends_5_percent() -> None:
    b = 6 * 1.001  # 72 bins × b ÷ 8,640 = 5 % × 1.001; 1 h burn = b < 14.4: only the 6 h page
    r = _run(*_burning(b, 6))
    assert r.alerts_firing == [("page 6h/30m",)]
    assert r.consumed[0] == pytest.approx(0.05 * 1.001, rel=1e-9)
    assert r.time_to_exhaustion_s[0] / 3600 == pytest.approx((1 - 0.05005) * 720 / b, rel=1e-9)


def test_ticket_3x_over_a_day_spends_10_percent() -> None:
    b = 3 * 1.001  # 288 bins × b ÷ 8,640 = 10 % × 1.001; the 3 d burn is b ÷ 3 = 1.001 ≥ 1
    r = _run(*_burning(b, 24))
    assert r.alerts_firing == [("ticket 1d/2h", "ticket 3d/6h")]
    assert r.consumed[0] == pytest.approx(0.10 * 1.001, rel=1e-9)
    assert r.status[0] == Status.WARNING


def test_ticket_1x_over_3_days() -> None:
    b = 1.2  # 864 bins × 1.2 ÷ 8,640 = 12 %; 1 d burn 1.2 < 3: only the 3 d ticket
    r = _run(*_burning(b, 72))
    assert r.alerts_firing == [("ticket 3d/6h",)]
    assert r.consumed[0] == pytest.approx(0.12, rel=1e-9)
    # 0.88 × 720 h ÷ 1.2 = 528 h
    assert r.time_to_exhaustion_s[0] / 3600 == pytest.approx(528.0, rel=1e-9)


def test_factors_scale_with_the_window() -> None:
    # a 7-day SLO pages at 2 % of its own budget in an hour: 0.02 × 168 ÷ 1 = 3.36×
    a = alert_budget(OBJ, 7 * DAY, DEFAULT_ALERT_RULES[0])
    assert a.burn_rate == pytest.approx(3.36, rel=1e-12)
    assert math.isclose(a.budget_consumed, 0.02, rel_tol=1e-12)
