"""Bin grids: fine bins near the evaluation instant, coarse bins further back.

Counts per bin are differences of (reset-aware) last values, so they telescope: a window's count
is exact at any bin width as long as the window's start is an edge. Minute bins are needed only
where the windows of up to two hours and their coverage live, hourly bins where the burn-rate
windows up to 3d do; the rest of a 30-day window can be daily.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: 1-minute bins cover the windows of up to two hours (5m, 30m, 1h, 2h: their coverage at minute
#: resolution, and a target gone blind in the last hours says since when to the minute). A longer
#: window's start cuts an hourly or daily bin (cut_plan), which is as exact: minute bins over 6 h
#: cost the server (mostly gzip) and the client (parsing) their raw samples: 200 SLOs' 5.5 MB
#: against 3.0 MB for 2–3 h (benchmarks/README.md, 2026-12-07).
DEFAULT_FINE_SPAN_S = 2 * 3600.0
#: hourly bins cover the rest of the burn-rate windows (1d, 3d); daily bins go further back
DEFAULT_COARSE_SPAN_S = 3 * 86400.0


#: the widths of plan_grid's tiers (seconds)
TIER_WIDTHS_S = (60.0, 3600.0, 86400.0)
#: the widths of the aligned bins a grid's unaligned bins may be pieces of (`cut_plan`)
PARENT_WIDTHS_S = (3600.0, 86400.0)


def _multiples(lo: float, hi: float, step: float) -> list[float]:
    """The whole multiples of `step` in [lo, hi]."""
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def plan_grid(
    end: float,
    lookback_s: float,
    must_edges: Iterable[float] = (),
    fine_step_s: float = 60.0,
    fine_span_s: float = DEFAULT_FINE_SPAN_S,
    coarse_step_s: float = 3600.0,
    coarse_span_s: float = DEFAULT_COARSE_SPAN_S,
    far_step_s: float | None = 86400.0,
) -> np.ndarray:
    """Bin edges (epoch seconds) covering [end - lookback_s, end], aligned to the epoch.

    `end` and the grid's start are floored to `fine_step_s`. Bins are `fine_step_s` wide from
    the whole `coarse_step_s` at or before `end - fine_span_s`, `coarse_step_s` wide from the
    whole `far_step_s` (a UTC midnight) at or before `end - coarse_span_s`, and `far_step_s`
    wide (None: `coarse_step_s`) before that; every bin starts on a whole multiple of its width,
    so a settled bin is the same bin in every run (slo_cli.sources.bincache), and each tier is
    one range query whose points a query frontend can cache. The grid's start and each instant
    of `must_edges` (floored to `fine_step_s`; window starts, period bounds) are edges too: one
    that is not on its tier *cuts* an aligned bin into pieces (`cut_plan`), counted from that
    bin and one more query (slo_cli.sources.counters). Counts telescope, so windows are exact
    on any such grid.

    At 01:30:30 on day 40: minutes back to 23:00 the day before (the whole hour before end - 2h),
    hours back to the UTC midnight before end - 3d (day 37), days back to day 31, and the head
    bin from the grid's start (01:30 on day 30) to day 31's midnight:

    >>> e = plan_grid(86400.0 * 40 + 5430, 10 * 86400.0)
    >>> int(e[-1] - e[0]), len(e) - 1, [int(w) for w in np.diff(e)].count(60)
    (864000, 228, 150)
    >>> float(e[1] - e[0]) / 3600, sorted({int(w) for w in np.diff(e)[1:]})
    (22.5, [60, 3600, 86400])
    """
    steps = [fine_step_s, coarse_step_s] + ([far_step_s] if far_step_s else [])
    if any(s % fine_step_s for s in steps) or fine_span_s % fine_step_s:
        raise ValueError("steps and spans must be multiples of fine_step_s")
    far = far_step_s or coarse_step_s
    stop = math.floor(end / fine_step_s) * fine_step_s
    start = stop - math.floor(lookback_s / fine_step_s) * fine_step_s
    fine_lo = max(start, math.floor((stop - fine_span_s) / coarse_step_s) * coarse_step_s)
    coarse_lo = max(start, math.floor((stop - max(coarse_span_s, fine_span_s)) / far) * far)
    coarse_lo = min(coarse_lo, fine_lo)
    edges = set(_multiples(fine_lo, stop, fine_step_s))
    edges.update(_multiples(coarse_lo, fine_lo, coarse_step_s))
    edges.update(_multiples(start, coarse_lo, far))
    edges.update((start, fine_lo, coarse_lo, stop))
    for m in must_edges:
        t = math.floor(m / fine_step_s) * fine_step_s
        if start < t < stop:
            edges.add(float(t))
    return np.array(sorted(edges), dtype=np.float64)


def aligned(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each bin (lo, hi] starts on a whole multiple of its width, a width dividing a
    day or a multiple of one (a minute, 5 minutes, an hour, a day; a slice grid's bins too).

    >>> aligned(np.array([0.0, 1800.0, 1800.0, 420.0]), np.array([60.0, 3600.0, 3660.0, 840.0]))
    array([ True,  True, False, False])
    """
    lo_ms = np.rint(lo * 1000).astype(np.int64)
    w_ms = np.rint((hi - lo) * 1000).astype(np.int64)
    day_ms = 86_400_000
    divides = (day_ms % np.maximum(w_ms, 1) == 0) | (w_ms % day_ms == 0)
    return divides & (w_ms > 0) & (lo_ms % np.maximum(w_ms, 1) == 0)


@dataclass(frozen=True)
class Cut:
    """An aligned bin `parent` of the counting grid cut into pieces by edges of the grid:
    `points` are its start, the cuts and its end; piece i is (points[i], points[i + 1]].
    `first` is the grid bin the first piece inside the grid is (the grid's first bin may be a
    piece of a bin starting before the grid: then `outside` is True and piece 0 is not a bin
    of the grid)."""

    parent: int
    points: tuple[float, ...]
    first: int
    outside: bool


@dataclass(frozen=True)
class CutPlan:
    """How a grid is counted: the bins of `grid` (aligned bins, and any bin that is neither
    aligned nor a piece of one, counted as it is), then each `Cut`'s pieces from its parent.
    `index[i]` is the bin of `grid` that the grid's bin i is or lies in."""

    grid: np.ndarray
    cuts: tuple[Cut, ...]
    index: np.ndarray


def cut_plan(edges: np.ndarray) -> CutPlan | None:
    """`plan_cuts` of `edges`, remembered for the last 64 grids: the SLOs of a run mostly share
    a few grids (one per window and instant), and a plan costs about a millisecond. The plan's
    arrays are read-only: every caller shares them."""
    return _remembered(np.ascontiguousarray(edges, dtype=np.float64).tobytes())


@functools.lru_cache(maxsize=64)
def _remembered(edges: bytes) -> CutPlan | None:
    plan = plan_cuts(np.frombuffer(edges, dtype=np.float64))
    if plan is not None:
        plan.grid.setflags(write=False)
        plan.index.setflags(write=False)
    return plan


def plan_cuts(edges: np.ndarray) -> CutPlan | None:
    """The aligned bins a grid's unaligned bins are pieces of (None: nothing is cut).

    A bin is unaligned unless it starts on a multiple of its width and that width is a tier's
    (TIER_WIDTHS_S) or the grid's most common one (a slice grid's); the grid's first bin is
    unaligned when it is narrower than the next. Consecutive unaligned bins (and the aligned
    bins among them) are the pieces of one aligned bin when they fill it exactly:
    the smallest width of PARENT_WIDTHS_S (an hour, a day) whose multiple holding their
    first bin ends on an edge of the grid and starts on one (or before the grid, for its first
    bin), with no bin crossing it. Other unaligned bins are counted as they are.

    >>> p = plan_cuts(np.array([1200.0, 3600.0, 6000.0, 7200.0, 7260.0]))
    >>> p.grid.tolist()
    [0.0, 3600.0, 7200.0, 7260.0]
    >>> [(c.parent, c.points, c.first, c.outside) for c in p.cuts]
    [(0, (0.0, 1200.0, 3600.0), 0, True), (1, (3600.0, 6000.0, 7200.0), 1, False)]
    >>> p.index.tolist()
    [0, 1, 1, 2]
    >>> plan_cuts(np.array([0.0, 60.0, 3600.0])) is None
    False
    >>> plan_cuts(np.array([0.0, 3600.0, 3660.0])) is None
    True
    """
    lo, hi = edges[:-1], edges[1:]
    n = lo.size
    widths = np.rint(hi - lo)
    values, counts = np.unique(widths, return_counts=True)
    usual = np.isin(widths, [*TIER_WIDTHS_S, float(values[np.argmax(counts)])])
    # a bin aligned by chance (a 12-hour head bin from noon) is a piece of its day as well,
    # and so is a first bin narrower than the next (a calendar month's first hour)
    ok = aligned(lo, hi) & usual
    if n > 1 and widths[0] < widths[1]:
        ok[0] = False
    if ok.all():
        return None
    all_s = edges.tolist()
    lo_s, hi_s, ok_s = all_s[:-1], all_s[1:], ok.tolist()
    # the bins from each bin on that are not aligned (a grid's usual run is long and aligned)
    bad = [*np.flatnonzero(~ok).tolist(), n]
    grid: list[float] = [lo_s[0]]
    index = np.zeros(n, dtype=np.int64)
    cuts: list[Cut] = []
    i = 0
    while i < n:
        if ok_s[i]:  # a run of aligned bins: each is a bin of the counting grid as it is
            k = bad[bisect.bisect_left(bad, i)]
            index[i:k] = np.arange(len(grid) - 1, len(grid) - 1 + k - i)
            grid.extend(hi_s[i:k])
            i = k
            continue
        found = _parent(all_s, i, grid[cuts[-1].parent + 1] if cuts else -math.inf)
        if found is None:
            grid.append(hi_s[i])
            index[i] = len(grid) - 2
            i += 1
            continue
        a, b, j, head = found
        if not head:
            # the parent starts at an edge before bin i: take back the bins already placed
            k = int(np.searchsorted(lo, a - 1e-6))
            while grid and grid[-1] > a + 1e-6:
                grid.pop()
            i = k
        else:
            grid[0] = a
        grid.append(b)
        points = ((a,) if head else ()) + tuple(float(x) for x in edges[i : j + 2])
        cuts.append(Cut(len(grid) - 2, points, i, head))
        index[i : j + 1] = len(grid) - 2
        i = j + 1
    return CutPlan(np.array(grid), tuple(cuts), index)


@dataclass(frozen=True)
class Segment:
    """A run of equal-width bins first..last (inclusive), right edges first_end … last_end."""

    step: float
    first_end: float
    last_end: float
    first: int
    last: int

    @property
    def n(self) -> int:
        return self.last - self.first + 1


def _parent(edges: list[float], i: int, placed_to: float) -> tuple[float, float, int, bool] | None:
    """The aligned bin (a, b] of PARENT_WIDTHS_S that bin i of the grid `edges` is a piece of:
    (a, b, the grid's last bin inside it, whether it starts before the grid); None when there
    is none: b and a are not edges (a may precede the grid for its first bin), a bin crosses
    b, bin i is that bin itself, or it overlaps the last parent placed (ending at placed_to)."""
    n = len(edges) - 1

    def on(t: float) -> bool:  # t is an edge of the grid (to the millisecond)
        k = bisect.bisect_left(edges, t - 5e-4)
        return k <= n and edges[k] < t + 5e-4

    lo = edges[i]
    for width in PARENT_WIDTHS_S:
        a = math.floor(lo / width + 1e-9) * width
        b = a + width
        head = bool(i == 0 and a < lo - 1e-6)
        if not on(b) or not (head or on(a)):
            continue
        j = bisect.bisect_left(edges, b - 1e-6, 1) - 1  # the first bin ending at or after b
        overlaps = placed_to > a + 1e-6
        # the bin itself is that aligned bin: no piece of a wider one
        whole = not head and j == i and abs(lo - a) < 1e-6
        if j < n and abs(edges[j + 1] - b) < 1e-6 and not overlaps and not whole:
            return a, b, j, head
    return None


def segments(edges: np.ndarray) -> list[Segment]:
    """Split a grid into maximal runs of equal bin width (one range query each).

    >>> [(s.step, s.first, s.last) for s in segments(np.array([0.0, 60, 120, 3600, 7200, 7260]))]
    [(60.0, 0, 1), (3480.0, 2, 2), (3600.0, 3, 3), (60.0, 4, 4)]
    """
    widths = np.diff(edges)
    if not widths.size:
        return []
    # a run ends where the next bin's width differs from this one's (within 1 µs)
    ends = [*np.flatnonzero(np.abs(np.diff(widths)) >= 1e-6).tolist(), widths.size - 1]
    out: list[Segment] = []
    i = 0
    for j in ends:
        out.append(Segment(float(widths[i]), float(edges[i + 1]), float(edges[j + 1]), i, j))
        i = j + 1
    return out
