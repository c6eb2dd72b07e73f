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

#: 1-minute bins cover the short burn-rate windows 5m … 6h
DEFAULT_FINE_SPAN_S = 6 * 3600.0
#: hourly bins cover the rest of the burn-rate windows (1d, 3d); daily bins go further back
DEFAULT_COARSE_SPAN_S = 3 * 86400.0


def _fill(lo: float, hi: float, steps: tuple[float, ...]) -> list[float]:
    """Edges from `hi` back to `lo`: bins of steps[0] as far as they fit, the rest finer."""
    step = steps[0]
    n = math.floor((hi - lo) / step + 1e-9)
    edges = [hi - step * k for k in range(n + 1)]
    rest = hi - n * step
    if rest > lo + 1e-9 and len(steps) > 1:
        edges += _fill(lo, rest, steps[1:])
    return edges


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
    """Bin edges (epoch seconds) covering [end - lookback_s, end].

    `end` is floored to `fine_step_s`; every edge is `end` minus a multiple of it. Bins are
    `fine_step_s` wide over the last `fine_span_s`, `coarse_step_s` wide back to `coarse_span_s`,
    and `far_step_s` wide (None: `coarse_step_s`) before that, each tier counted back from the
    tier after it: every window start `end - w` (5m … 6h in the fine tier, 1d and 3d in the
    coarse one, 7d/28d/30d in the far one) is an edge without splitting a bin, so each run of
    equal bins costs one range query. (Hour-aligned coarse bins would cost one more query per
    window start.) A tier's remainder, and any bin holding an instant of `must_edges`, is
    filled with the next finer bins. Counts telescope, so windows are exact on any such grid.

    >>> e = plan_grid(86400.0 * 40 + 30, 10 * 86400.0)
    >>> int(e[-1] - e[0]), len(e) - 1, sorted({int(w) for w in np.diff(e)})
    (864000, 433, [60, 3600, 86400])
    """
    steps = [fine_step_s, coarse_step_s] + ([far_step_s] if far_step_s else [])
    if any(s % fine_step_s for s in steps) or fine_span_s % fine_step_s:
        raise ValueError("steps and spans must be multiples of fine_step_s")
    stop = math.floor(end / fine_step_s) * fine_step_s
    start = stop - math.floor(lookback_s / fine_step_s) * fine_step_s
    fine_lo = max(start, stop - fine_span_s)
    coarse_lo = max(start, stop - max(coarse_span_s, fine_span_s))
    edges = set(_fill(fine_lo, stop, (fine_step_s,)))
    edges.update(_fill(coarse_lo, fine_lo, (coarse_step_s, fine_step_s)))
    if coarse_lo > start:
        far = (
            (far_step_s, coarse_step_s, fine_step_s) if far_step_s else (coarse_step_s, fine_step_s)
        )
        edges.update(_fill(start, coarse_lo, far))
    finer = sorted(set(steps), reverse=True)
    for m in must_edges:
        t = math.floor(m / fine_step_s) * fine_step_s
        while start < t < stop and t not in edges:
            ordered = sorted(edges)
            i = int(np.searchsorted(ordered, t)) - 1
            lo, hi = ordered[i], ordered[i + 1]
            sub = tuple(s for s in finer if s < hi - lo - 1e-9) or (fine_step_s,)
            edges.update(_fill(lo, hi, sub))
    out = np.array(sorted(edges), dtype=np.float64)
    return out[(out >= start) & (out <= stop)]


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
