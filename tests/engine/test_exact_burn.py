"""A window exactly as bad as the objective allows burns exactly 1×, and so reaches a threshold
of 1: ``1 − objective`` is taken exact to the objective's decimal (0.01 at 99 %), where float
subtraction (0.010000000000000009) would give 0.9999999999999991× and miss it.

Expectations by hand: 1 bad in 100 at 99 % is a burn of (1/100) ÷ (1/100) = 1 in every window;
the SRE Workbook's 3 d / 6 h ticket over a 30-day window fires at 0.1 × 720 h ÷ 72 h = 1×.
"""

from __future__ import annotations

import numpy as np
import pytest

from slo_cli.engine import DEFAULT_ALERT_RULES, Policy, evaluate
from slo_cli.engine.formulas import allowed_fraction, burn_rate, error_budget
from slo_cli.engine.periods import burn_events

DAY = 86400.0
END = 30 * DAY
EDGES = np.arange(0.0, END + 1, 300.0)  # 5-minute bins over 30 days
N = EDGES.size - 1


@pytest.mark.parametrize(
    ("objective", "bad", "total"),
    [(0.99, 1.0, 100.0), (0.999, 7.0, 7000.0), (0.995, 3.0, 600.0), (0.9, 1.0, 10.0)],
)
def test_a_window_exactly_at_the_objective_burns_exactly_one(
    objective: float, bad: float, total: float
) -> None:
    assert burn_rate(np.array([bad]), np.array([total]), np.array([objective])).tolist() == [1.0]


def test_the_allowed_fraction_is_the_objectives_decimal() -> None:
    assert allowed_fraction(np.array([0.99, 0.999, 0.9999, 1.0])).tolist() == [
        0.01,
        0.001,
        0.0001,
        0.0,
    ]
    assert error_budget(0.99, np.array([86400.0])).tolist() == [864.0]


def test_a_burn_of_exactly_one_reaches_a_threshold_of_one() -> None:
    total = np.full((1, N), 100.0)
    good = np.full((1, N), 99.0)  # 1 % bad in every bin: burn exactly 1 at 99 %
    r = evaluate(
        EDGES,
        good,
        total,
        end=END,
        objective=0.99,
        window_start=0.0,
        window_s=END,
        policy=Policy(),
    )
    assert all(v[0] == 1.0 for v in r.burn_rates.values())
    ticket_3d = DEFAULT_ALERT_RULES[3]
    assert (ticket_3d.long_s, ticket_3d.short_s) == (3 * DAY, 6 * 3600.0)
    assert r.ticket[0] and "ticket 3d/6h" in r.alerts_firing[0]
    assert r.consumed[0] == 1.0 and r.remaining[0] == 0.0  # the budget spent exactly
    # a burn event is a run of bins burning at ≥ the threshold: every bin of the period
    (events,) = burn_events(
        EDGES,
        good,
        total,
        objective=0.99,
        window_start=0.0,
        period_start=END - DAY,
        period_end=END,
        threshold=1.0,
    )
    assert [(e.start, e.end, e.peak_burn_rate) for e in events] == [(END - DAY, END, 1.0)]


def test_a_burn_rate_is_the_exact_ratio_rounded_once() -> None:
    """Whole counts at decimal objectives: the rate is the rational bad ÷ total ÷ (1 − o)
    rounded once to a float (Fraction arithmetic, not the engine's), so a window burning exactly
    a threshold's multiple reaches it: 144 bad in 1,000 at 99 % is 14.4 (dividing the bad share
    by 0.01 gives 14.399999999999999 and misses a 14.4× page)."""
    from decimal import Decimal
    from fractions import Fraction

    objectives = [0.99, 0.999, 0.995, 0.9995, 0.95, 0.9, 0.98, 0.99999]
    rng = np.random.default_rng(7)
    total = rng.integers(1, 5_000_000, size=4000).astype(float)
    bad = np.floor(total * rng.random(4000) * rng.choice([0.001, 0.05, 1.0], 4000))
    obj = np.array([objectives[i % len(objectives)] for i in range(4000)])
    got = burn_rate(bad, total, obj).tolist()
    want = [
        float(Fraction(int(b), int(t)) / Fraction(1 - Decimal(repr(o))))
        for b, t, o in zip(bad.tolist(), total.tolist(), obj.tolist(), strict=True)
    ]
    assert got == want
    assert burn_rate(np.array([144.0]), np.array([1000.0]), np.array([0.99])).tolist() == [14.4]
