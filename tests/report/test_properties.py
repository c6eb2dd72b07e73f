"""Properties of the report's arithmetic on random counts and grids (hypothesis):

* the remaining budget at the period's end equals the engine's own `evaluate` on the same counts
  (an implementation written separately, tests/engine);
* the period's consumption is additive: bad events of the period = the sum over its bins;
* burn events lie inside the period, do not overlap, each spends part of the period's
  consumption and together no more than all of it, and every hour inside them burned at ≥ 1×;
* reconciliation, exactly: Σ events' bad events = the bad events of the period's burning event
  bins (those at ≥ the threshold), so Σ = the period's bad events when every bin holding a bad
  event burns (the threshold at 0+), and ≤ otherwise.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slo_cli import engine
from slo_cli.engine import periods
from slo_cli.sources.grid import plan_grid
from tests.engine import reference

HOUR = 3600.0
END = 1_795_176_000.0


Case = tuple[np.ndarray, np.ndarray, np.ndarray, float, float, float]


def _case(period_h: int, window_h: int, seed: int, hole_share: float, objective: float) -> Case:
    start = END - period_h * HOUR
    ws = END - window_h * HOUR
    first = min(start, ws, END - 3 * 86400.0)
    edges = plan_grid(END, END - first, must_edges=(start, ws), far_step_s=None)
    n = edges.size - 1
    rng = np.random.default_rng(seed)
    width = np.diff(edges)
    total = np.floor(rng.uniform(0, 5, n) * width)
    bad_share = np.where(rng.random(n) < 0.1, rng.uniform(0, 0.2, n), rng.uniform(0, 0.002, n))
    bad = np.floor(total * bad_share)
    good = total - bad
    holes = rng.random(n) < hole_share
    good[holes] = np.nan
    total[holes] = np.nan
    return edges, good, total, objective, start, ws


@st.composite
def cases(draw: st.DrawFn) -> Case:
    return _case(
        draw(st.integers(6, 72)),
        draw(st.integers(6, 96)),
        draw(st.integers(0, 2**32 - 1)),
        draw(st.sampled_from([0.0, 0.05, 0.3])),
        draw(st.sampled_from([0.99, 0.995, 0.999])),
    )


@settings(max_examples=60, deadline=None)
@given(cases())
# an event bin of 4 bad in 4,000 at 99.9 % burns exactly 1×: its 4 bad events are an event's
@example(_case(69, 43, 2459597119, 0.0, 0.999))
def test_report_arithmetic_agrees_with_the_engine_and_adds_up(case: Case) -> None:
    edges, good, total, objective, start, ws = case
    window_s = END - ws
    row = periods.cumulative(edges, good, total, objective)
    fig = periods.period_figures(row, start, END, ws, window_s)

    res = engine.evaluate(
        edges, good[None, :], total[None, :], end=END, objective=objective,
        window_start=ws, window_s=window_s,
    )  # fmt: skip
    np.testing.assert_allclose(fig.remaining, res.remaining[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fig.budget_count, res.allowed_bad[0], rtol=1e-9, atol=1e-9)

    inside = (edges[:-1] >= start) & (edges[1:] <= END)
    period_bad = np.nansum((total - good)[inside])
    assert fig.consumed_count == period_bad

    [events] = engine.burn_events(
        edges, good, total, objective=objective, window_start=ws, period_start=start,
        period_end=END,
    )  # fmt: skip
    spans = sorted((e.start, e.end) for e in events)
    for (_, a1), (b0, _) in itertools.pairwise(spans):
        assert a1 < b0  # runs are maximal: a cold bin always lies between two events
    hours = periods.event_edges(edges, start, END)
    allowed = reference.allowed(objective)  # 0.01 at 99 %: 7 bad in 700 burns exactly 1×
    burning_bad = 0.0  # bad events of the period's event bins that burn at >= 1x
    for lo, hi in itertools.pairwise(hours):
        b, t, _ = row.sums(lo, hi)
        if t > 0 and (b / t) / allowed >= 1.0:
            burning_bad += b
    spent = 0.0
    for e in events:
        assert start <= e.start < e.end <= END
        assert e.peak_burn_rate >= 1.0
        assert 0 < e.consumed_count <= period_bad
        spent += e.consumed_count
        # every ~hourly bin inside the event burned at >= 1x
        for lo, hi in itertools.pairwise(hours):
            if e.start <= lo and hi <= e.end:
                b, t, _ = row.sums(lo, hi)
                assert t > 0 and (b / t) / allowed >= 1.0
    assert spent == burning_bad  # exact: whole-number counts
    assert spent <= period_bad
    consumed = [e.consumed for e in events]
    assert consumed == sorted(consumed, reverse=True)
    assert sum(consumed) <= fig.consumed * (1 + 1e-12)

    # every bin holding a bad event burns at >= the threshold: the events are the whole period
    tiny = 1e-9
    [all_events] = engine.burn_events(
        edges, good, total, objective=objective, window_start=ws, period_start=start,
        period_end=END, threshold=tiny,
    )  # fmt: skip
    assert sum(e.consumed_count for e in all_events) == period_bad
    np.testing.assert_allclose(
        sum(e.consumed for e in all_events), fig.consumed, rtol=1e-12, atol=1e-15
    )
