"""history() and burn_events() against loops over reference.window, plus hand-worked events."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slo_cli.engine import BurnEvent, burn_events, history
from tests.engine import reference


def _grid(rng: np.random.Generator) -> np.ndarray:
    # hourly bins far back, 5-minute bins for the last 6 h: windows must snap in the coarse part
    widths = [3600.0] * int(rng.integers(1, 30)) + [300.0] * 72
    return np.concatenate([[0.0], np.cumsum(widths)])


def _snap(edges: np.ndarray, t: float) -> float:
    """The first edge at or after t (where a history window starts)."""
    return float(edges[np.searchsorted(edges, t - 1e-3)])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([300.0, 900.0, 3600.0]))
def test_history_equals_loops(seed: int, step: float) -> None:
    rng = np.random.default_rng(seed)
    edges = _grid(rng)
    n = edges.size - 1
    total = rng.integers(0, 50, (2, n)).astype(float)
    good = total - np.floor(total * rng.uniform(0, 0.1, total.shape))
    total[rng.random((2, n)) < 0.1] = np.nan
    obj = np.array([0.99, 0.9])
    h = history(
        edges, good, total, objective=obj, window_s=7200.0, step_s=step, burn_window_s=3600.0
    )
    assert np.all(np.diff(h.times) > 0)
    for i in range(2):
        for k, t in enumerate(h.times.tolist()):
            for win, got in ((7200.0, h.remaining[i, k]), (3600.0, h.burn_rate[i, k])):
                if t - win < edges[0]:
                    assert math.isnan(got)
                    continue
                w = reference.window(
                    edges.tolist(), good[i].tolist(), total[i].tolist(), _snap(edges, t - win), t
                )
                b = reference.burn(w.bad, w.total, float(obj[i]))
                want = 1.0 - b if win == 7200.0 else b
                assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(
                    want, rel=1e-9
                )


def test_history_since_a_period_start() -> None:
    edges = np.arange(0.0, 6 * 3600 + 1, 3600.0)
    total = np.full((1, 6), 100.0)
    good = total.copy()
    good[0, 3] = 98.0  # 2 bad in hour 4, at 99 %
    h = history(
        edges,
        good,
        total,
        objective=0.99,
        window_s=6 * 3600,
        step_s=3600,
        burn_window_s=3600,
        period_start=7200.0,
    )
    # before the period: NaN; at 7200 the window is empty (no traffic: NaN); then since 7200:
    # 100 events (budget 1, none spent) -> 1; 200 events, 2 bad (budget 2) -> 0; 300 -> 1 − 2/3
    want = [math.nan, math.nan, math.nan, 1.0, 0.0, 1 - 2 / 3, 1 - 2 / 4]
    for got, w in zip(h.remaining[0].tolist(), want, strict=True):
        assert (math.isnan(got) and math.isnan(w)) or got == pytest.approx(w, abs=1e-12)


def test_burn_events_hand_worked() -> None:
    # 12 hourly bins, 100 events each, 99 %. Bad: 5 in hour 3, 3 in hour 4 (2 h window burn at
    # edge 4 h = (5)/200/.01 = 2.5; at 5 h = 8/200/.01 = 4; at 6 h = 3/200/.01 = 1.5; at 7 h 0)
    # and 40 in hour 10 (edges 10 h: 20; 11 h: 20; 12 h: 0 → still burning at the end? no: the
    # window at 12 h holds hours 11 and 12: 40 bad → 20).
    edges = np.arange(0.0, 12 * 3600 + 1, 3600.0)
    total = np.full((1, 12), 100.0)
    good = total.copy()
    good[0, 3], good[0, 4], good[0, 10] = 95.0, 97.0, 60.0
    [events] = burn_events(
        edges,
        good,
        total,
        objective=0.99,
        window_s=12 * 3600,
        period_start=0.0,
        period_end=12 * 3600,
        burn_window_s=7200.0,
        threshold=1.0,
    )
    # budget of a 12 h window: 0.01 × 1,200 = 12 events
    assert len(events) == 2
    first, second = events
    assert (first.start, first.end) == (4 * 3600, 7 * 3600)
    assert first.peak_burn_rate == pytest.approx(4.0, rel=1e-9)
    # bad in [start − 2 h, end] = hours 3..7: 8 events ÷ 12
    assert first.budget_consumed == pytest.approx(8 / 12, rel=1e-9)
    # hour 10 is bin [10 h, 11 h]: windows ending at 11 h and 12 h hold it; runs to the end
    assert (second.start, second.end) == (11 * 3600, 12 * 3600)
    assert second.peak_burn_rate == pytest.approx(20.0, rel=1e-9)
    assert second.budget_consumed == pytest.approx(40 / 12, rel=1e-9)
    assert isinstance(second, BurnEvent)


def test_no_events_without_burn_or_traffic() -> None:
    edges = np.arange(0.0, 4 * 3600 + 1, 3600.0)
    zero = np.zeros((2, 4))
    zero[1] = np.nan
    assert burn_events(
        edges, zero, zero, objective=0.99, window_s=4 * 3600, period_start=0.0, period_end=4 * 3600
    ) == [[], []]


def _events_by_loops(edges, good, total, objective, window_s, burn_window_s, threshold):  # type: ignore[no-untyped-def]
    """Burn events of one SLO over the whole grid, one edge at a time (the documented rules)."""
    el, g, t = edges.tolist(), good.tolist(), total.tolist()
    period = reference.window(el, g, t, el[0], el[-1])
    budget = (1 - objective) * period.total * window_s / (el[-1] - el[0])
    rates = []
    for k in range(1, len(el)):  # the window at the first edge is empty
        start = max(_snap(edges, el[k] - burn_window_s), el[0])
        w = reference.window(el, g, t, start, el[k])
        rates.append((el[k], start, reference.burn(w.bad, w.total, objective)))
    events, k = [], 0
    while k < len(rates):
        if rates[k][2] > threshold:
            j = k
            while j < len(rates) and rates[j][2] > threshold:
                j += 1
            end = rates[j][0] if j < len(rates) else rates[-1][0]
            w = reference.window(el, g, t, rates[k][1], end)
            peak = max(r[2] for r in rates[k:j])
            events.append((rates[k][0], end, peak, w.bad / budget))
            k = j
        else:
            k += 1
    return events


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_burn_events_equal_loops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    edges = _grid(rng)
    n = edges.size - 1
    total = rng.integers(1, 50, (3, n)).astype(float)
    good = total - np.floor(total * rng.uniform(0, 0.05, total.shape))
    good[:, rng.random(n) < 0.05] = 0.0  # bursts of errors
    total[rng.random((3, n)) < 0.05] = np.nan
    got = burn_events(
        edges,
        good,
        total,
        objective=0.99,
        window_s=86400.0,
        period_start=float(edges[0]),
        period_end=float(edges[-1]),
        burn_window_s=1800.0,
        threshold=2.0,
    )
    for i in range(3):
        want = _events_by_loops(edges, good[i], total[i], 0.99, 86400.0, 1800.0, 2.0)
        assert len(got[i]) == len(want)
        for e, (start, end, peak, spent) in zip(got[i], want, strict=True):
            assert (e.start, e.end) == (start, end)
            assert e.peak_burn_rate == pytest.approx(peak, rel=1e-9)
            assert e.budget_consumed == pytest.approx(spent, rel=1e-9)
