"""history() and burn_events() against loops over reference.window, plus hand-worked events.

Burn events have one definition (slo_cli/engine/periods.py, docs/design.md §2): maximal runs of
event bins (hourly, counted back from the period's end) each burning at >= the threshold."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slo_cli.engine import BurnEvent, burn_events, history
from slo_cli.engine.periods import event_edges
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
    # 12 hourly bins, 100 events each, 99 %; the SLO window is the whole 12 h: budget
    # 0.01 × 1,200 = 12 events. Bad: 5 in hour 3 (bin [3 h, 4 h), burn 5), 3 in hour 4 (burn 3),
    # 0.5 in hour 6 (burn 0.5: below 1, no event) and 40 in hour 11, the last (burn 40).
    edges = np.arange(0.0, 12 * 3600 + 1, 3600.0)
    total = np.full((1, 12), 100.0)
    good = total.copy()
    good[0, 3], good[0, 4], good[0, 6], good[0, 11] = 95.0, 97.0, 99.5, 60.0
    [events] = burn_events(
        edges,
        good,
        total,
        objective=0.99,
        window_start=0.0,
        period_start=0.0,
        period_end=12 * 3600,
    )
    assert len(events) == 2
    last, first = events  # most budget first: 40 bad before 8
    assert (first.start, first.end) == (3 * 3600, 5 * 3600)
    assert first.peak_burn_rate == pytest.approx(5.0, rel=1e-9)
    assert first.consumed_count == 8.0
    assert first.consumed == pytest.approx(8 / 12, rel=1e-12)
    assert not first.clipped_start and not first.clipped_end
    assert (last.start, last.end) == (11 * 3600, 12 * 3600) and last.clipped_end
    assert last.consumed == pytest.approx(40 / 12, rel=1e-12)
    assert last.consumed_minutes == pytest.approx(40 * 12 * 60 / 1200, rel=1e-12)  # 36 s each
    assert isinstance(last, BurnEvent)
    # the half event of hour 6 is all that the events miss of the period's 48.5 bad events
    assert first.consumed_count + last.consumed_count == 48.5 - 0.5


def test_the_burn_is_the_bins_own_not_a_sliding_window() -> None:
    # The case: bad events in bin [01:00, 02:00) are an event 01:00–02:00, not 02:00–03:00
    edges = np.arange(0.0, 4 * 3600 + 1, 3600.0)
    total = np.full((1, 4), 100.0)
    good = total.copy()
    good[0, 1] = 90.0
    [[e]] = burn_events(
        edges, good, total, objective=0.99, window_start=0.0, period_start=0.0, period_end=14400
    )
    assert (e.start, e.end) == (3600.0, 7200.0)


def test_no_events_without_burn_or_traffic() -> None:
    edges = np.arange(0.0, 4 * 3600 + 1, 3600.0)
    zero = np.zeros((2, 4))
    zero[1] = np.nan
    assert burn_events(
        edges, zero, zero, objective=0.99, window_start=0.0, period_start=0.0, period_end=4 * 3600
    ) == [(), ()]


def test_a_bin_burning_exactly_at_the_threshold_joins_the_run() -> None:
    # The counts of seed 1494172 on hourly bins, 99 %, threshold 2. Burns (bad ÷ total ÷ 0.01):
    # hour 0: 0 of 100 -> 0; hour 1: 49 of 390 -> 12.56; hour 2: 7 of 350 = 2 % -> exactly 2
    # (float 1 − 0.99 would give 1.9999999999999982); hour 3: 34 of 213 -> 15.96; hour 4: 1 of
    # 100 -> 1. Hours 1-3 burn at >= 2: one event 1 h–4 h of 49 + 7 + 34 = 90 bad events. The
    # second SLO has 6 bad in hour 2 (1.71×): two events, 49 and 34 bad. Both windows are the
    # 5 h: budget 0.01 × 1,153 = 11.53 events.
    edges = np.arange(0.0, 5 * 3600 + 1, 3600.0)
    total = np.array([[100.0, 390, 350, 213, 100]] * 2)
    good = total - np.array([[0.0, 49, 7, 34, 1], [0.0, 49, 6, 34, 1]])
    joined, split = burn_events(
        edges, good, total, objective=0.99, window_start=0.0, period_start=0.0,
        period_end=5 * 3600, threshold=2.0,
    )  # fmt: skip
    [e] = joined
    assert (e.start, e.end, e.consumed_count) == (3600.0, 4 * 3600.0, 90.0)
    assert e.peak_burn_rate == pytest.approx(34 / 213 * 100, rel=1e-12)
    assert e.consumed == pytest.approx(90 / 11.53, rel=1e-12)
    assert [(x.start, x.end, x.consumed_count) for x in split] == [
        (3600.0, 7200.0, 49.0),
        (3 * 3600.0, 4 * 3600.0, 34.0),
    ]
    assert split[0].consumed == pytest.approx(49 / 11.53, rel=1e-12)


def _events_by_loops(edges, good, total, objective, window_start, start, end, threshold):  # type: ignore[no-untyped-def]
    """Burn events of one SLO, one event bin at a time (the documented rules, by loops)."""
    el, g, t = edges.tolist(), good.tolist(), total.tolist()
    budget = reference.allowed(objective) * reference.window(el, g, t, window_start, end).total
    cuts = [x for x in el if start - 1e-3 <= x <= end + 1e-3]
    hours = [(end - x) / 3600 for x in cuts]
    cuts = [x for x, h in zip(cuts, hours, strict=True) if x in (start, end) or h == round(h)]
    bins = []
    for lo, hi in itertools.pairwise(cuts):
        w = reference.window(el, g, t, lo, hi)
        bins.append((lo, hi, w.bad, reference.burn(w.bad, w.total, objective)))
    events, k = [], 0
    while k < len(bins):
        if bins[k][3] >= threshold:  # NaN compares False
            j = k
            while j + 1 < len(bins) and bins[j + 1][3] >= threshold:
                j += 1
            spent = sum(b[2] for b in bins[k : j + 1])
            peak = max(b[3] for b in bins[k : j + 1])
            events.append((bins[k][0], bins[j][1], peak, spent, spent / budget))
            k = j + 1
        else:
            k += 1
    return sorted(events, key=lambda e: (-e[4], e[0]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
@example(seed=1494172)  # a bin of 7 bad in 350 burns exactly 2× and joins two events
def test_burn_events_equal_loops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    edges = _grid(rng)
    n = edges.size - 1
    total = rng.integers(1, 50, (3, n)).astype(float)
    good = total - np.floor(total * rng.uniform(0, 0.05, total.shape))
    good[:, rng.random(n) < 0.05] = 0.0  # bursts of errors
    total[rng.random((3, n)) < 0.05] = np.nan
    start = float(edges[int(rng.integers(0, n // 2))])
    end = float(edges[-1])
    got = burn_events(
        edges,
        good,
        total,
        objective=0.99,
        window_start=float(edges[0]),
        period_start=start,
        period_end=end,
        threshold=2.0,
    )
    assert event_edges(edges, start, end)[0] == start
    for i in range(3):
        want = _events_by_loops(edges, good[i], total[i], 0.99, float(edges[0]), start, end, 2.0)
        assert len(got[i]) == len(want)
        for e, (a, b, peak, spent, share) in zip(got[i], want, strict=True):
            assert (e.start, e.end) == (a, b)
            assert e.peak_burn_rate == pytest.approx(peak, rel=1e-9)
            assert e.consumed_count == spent
            assert e.consumed == pytest.approx(share, rel=1e-9)
