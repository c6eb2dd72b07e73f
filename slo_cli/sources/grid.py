"""Bin grids: fine bins near the evaluation instant, coarse bins further back.

Counts per bin are differences of (reset-aware) last values, so they telescope: a window's count
is exact at any bin width as long as the window's start is an edge. Fine bins are needed only
where short windows (5m … 3d) and their coverage live; the rest of a 30-day window can be hourly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: the longest standard burn-rate window (3d) plus one coarse bin of slack
DEFAULT_FINE_SPAN_S = 3 * 86400 + 3600


def plan_grid(
    end: float,
    lookback_s: float,
    must_edges: Iterable[float] = (),
    fine_step_s: float = 60.0,
    fine_span_s: float = DEFAULT_FINE_SPAN_S,
    coarse_step_s: float = 3600.0,
) -> np.ndarray:
    """Bin edges (epoch seconds) covering [end - lookback_s, end].

    `end` is floored to `fine_step_s`. Bins are `fine_step_s` wide over the last `fine_span_s`
    seconds and `coarse_step_s` wide (aligned to multiples of it) before that. Every instant in
    `must_edges` (floored to the fine step) inside the range is an edge: a coarse bin holding one
    is split into fine bins. The head before the first aligned coarse edge is fine too.

    >>> e = plan_grid(7200.0 * 30, 86400.0, fine_span_s=3600.0)
    >>> int(e[0]), int(e[-1]), int(np.diff(e).max()), int(np.diff(e).min())
    (129600, 216000, 3600, 60)
    """
    if coarse_step_s % fine_step_s:
        raise ValueError("coarse_step_s must be a multiple of fine_step_s")
    stop = math.floor(end / fine_step_s) * fine_step_s
    start = stop - math.floor(lookback_s / fine_step_s) * fine_step_s
    fine_from = max(start, math.floor((stop - fine_span_s) / coarse_step_s) * coarse_step_s)
    coarse_from = min(fine_from, math.ceil(start / coarse_step_s) * coarse_step_s)
    coarse = np.arange(coarse_from, fine_from + coarse_step_s / 2, coarse_step_s)
    parts = [
        np.arange(start, coarse_from + fine_step_s / 2, fine_step_s),  # head
        coarse,
        np.arange(fine_from, stop + fine_step_s / 2, fine_step_s),  # tail
    ]
    for m in must_edges:
        t = math.floor(m / fine_step_s) * fine_step_s
        if start < t < fine_from and t % coarse_step_s:
            lo = math.floor(t / coarse_step_s) * coarse_step_s
            parts.append(np.arange(lo, lo + coarse_step_s + fine_step_s / 2, fine_step_s))
    edges = np.unique(np.concatenate(parts))
    return edges[(edges >= start) & (edges <= stop)].astype(np.float64)


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


def segments(edges: np.ndarray) -> list[Segment]:
    """Split a grid into maximal runs of equal bin width (one range query each)."""
    widths = np.diff(edges)
    out: list[Segment] = []
    i = 0
    while i < widths.size:
        j = i
        while j + 1 < widths.size and abs(widths[j + 1] - widths[i]) < 1e-6:
            j += 1
        out.append(Segment(float(widths[i]), float(edges[i + 1]), float(edges[j + 1]), i, j))
        i = j + 1
    return out
