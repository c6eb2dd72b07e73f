"""Budget adjustments applied per bin: excluded bins count neither as good nor as bad.

An SLO's adjustments arrive as UTC intervals [a, b) (the spec layer expands recurring rules);
the planner made every interval edge inside the grid a bin edge, so an interval is a run of
whole bins. ``exclusion_mask`` marks the bins wholly inside the union of a row's intervals, and
the bins an interval only partly covers (an edge off the grid: those are *not* excluded, and the
caller labels the figures approximate). ``exclude`` sets the marked bins to good = total = 0:
no events, but observed — so an excluded bin never counts as a bin without data (coverage), a
window wholly inside an adjustment has no traffic (burn rate NaN: nothing fires), and every
figure computed afterwards (windows, burn rates, alerts, budget, periods, since, replays) uses
the adjusted counts. ``excluded_sums`` says what was taken out over a span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slo_cli.engine.kernel import EDGE_TOLERANCE_S

Intervals = Sequence[tuple[float, float]]


def exclusion_mask(edges: np.ndarray, intervals: Intervals) -> tuple[np.ndarray, np.ndarray]:
    """(excluded, partial) boolean vectors over the bins of ``edges``.

    >>> m, p = exclusion_mask(np.array([0.0, 60, 120, 180, 240]), [(60.0, 180.0), (200.0, 300.0)])
    >>> m.tolist(), p.tolist()
    ([False, True, True, False], [False, False, False, True])
    """
    edges = np.asarray(edges, dtype=float)
    lo, hi = edges[:-1], edges[1:]
    excluded = np.zeros(lo.size, dtype=bool)
    touched = np.zeros(lo.size, dtype=bool)
    for a, b in intervals:
        if not b > a:
            continue
        inside = (lo >= a - EDGE_TOLERANCE_S) & (hi <= b + EDGE_TOLERANCE_S)
        excluded |= inside
        touched |= (lo < b - EDGE_TOLERANCE_S) & (hi > a + EDGE_TOLERANCE_S)
    return excluded, touched & ~excluded


def exclude(good: np.ndarray, total: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ``good``/``total`` (n_slo, n_bins) with good = total = 0 where ``mask``.

    >>> g, t = exclude(np.array([[5.0, np.nan]]), np.array([[9.0, np.nan]]),
    ...                np.array([[True, True]]))
    >>> g.tolist(), t.tolist()
    ([[0.0, 0.0]], [[0.0, 0.0]])
    """
    good = np.array(good, dtype=float)
    total = np.array(total, dtype=float)
    good[mask] = 0.0
    total[mask] = 0.0
    return good, total


@dataclass(frozen=True)
class Excluded:
    """What a mask took out of [start, end), per row (n_slo,): ``total`` events, ``bad``
    events (per bin total − min(good, total)), ``unknown_s`` excluded seconds that had no data."""

    total: np.ndarray
    bad: np.ndarray
    unknown_s: np.ndarray


def excluded_sums(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    mask: np.ndarray,
    *,
    start: np.ndarray | float,
    end: float,
) -> Excluded:
    """The original counts of the masked bins inside [start, end) (each row its own start).

    >>> e = excluded_sums(np.array([0.0, 60, 120, 180]), np.array([[9.0, 7, 10]]),
    ...                   np.array([[10.0, 10, 10]]), np.array([[False, True, True]]),
    ...                   start=0.0, end=180.0)
    >>> e.total.tolist(), e.bad.tolist()
    ([20.0], [3.0])
    """
    edges = np.asarray(edges, dtype=float)
    good = np.atleast_2d(np.asarray(good, dtype=float))
    total = np.atleast_2d(np.asarray(total, dtype=float))
    mask = np.atleast_2d(mask)
    starts = np.broadcast_to(np.asarray(start, dtype=float), (total.shape[0],))
    lo, hi = edges[:-1], edges[1:]
    span = (lo[None, :] >= starts[:, None] - EDGE_TOLERANCE_S) & (hi[None, :] <= end + 1e-3)
    use = mask & span
    missing = np.isnan(good) | np.isnan(total)
    t = np.where(use & ~missing, total, 0.0)
    bad = np.where(use & ~missing, total - np.minimum(good, total), 0.0)
    width = np.broadcast_to(hi - lo, total.shape)
    unknown = np.where(use & missing, width, 0.0)
    return Excluded(total=t.sum(axis=1), bad=bad.sum(axis=1), unknown_s=unknown.sum(axis=1))
