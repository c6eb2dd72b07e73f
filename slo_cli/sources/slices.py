"""Timeslice budgeting of ratio and latency SLIs (OpenSLO Timeslices / RatioTimeslices).

The slices are a fixed partition of time: slice k is (k·S − S, k·S] for the slice length S
(epoch-aligned), and a slice belongs to the bin holding its end, so a window counts the slices
that end inside it. Each slice's good and total events are counted exactly (the same per-bin
method as occurrences, on the slice grid). Then, per slice:

- Timeslices: a slice with events is good when its good ÷ total ≥ the slice target.
- RatioTimeslices: a slice with events contributes its ratio good ÷ total (the engine's
  contract: per bin, good = the sum of its slices' ratios, total = their number).
- A slice without events (its counters observed, nothing happened) is not counted: it neither
  meets nor misses a ratio. (Nobl9 counts minutes without data as good; here a quiet minute is
  not a success and an unobserved one — no samples at all — is no data, never a pass.)

A bin whose slices were all unobserved is NaN (no data); one whose slices were observed but
quiet has total 0, as has a bin inside an observed slice that does not hold its end
(`within_slices`: 5-minute slices on 1-minute bins).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.sources.model import FetchRequest, SeriesCounts

if TYPE_CHECKING:
    from slo_cli.sources.fetch import Fetcher


def slice_grid(edges: np.ndarray, slice_s: float) -> np.ndarray | None:
    """Edges of the slices ending in (edges[0], edges[-1]], or None when none does."""
    first = (math.floor(edges[0] / slice_s + 1e-9) + 1) * slice_s
    last = math.floor(edges[-1] / slice_s + 1e-9) * slice_s
    if last < first:
        return None
    n = round((last - first) / slice_s) + 1
    return first - slice_s + slice_s * np.arange(n + 1, dtype=np.float64)


def to_bins(
    edges: np.ndarray,
    slice_edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    target: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per bin of `edges`: (good slices or the sum of slice ratios, slices with events) from
    per-slice event counts. `target` None: RatioTimeslices (sum of ratios)."""
    n = edges.size - 1
    ends = slice_edges[1:]
    bins = np.searchsorted(edges, ends - 1e-6, side="left") - 1
    have = ~np.isnan(total) & (bins >= 0) & (bins < n)
    with np.errstate(invalid="ignore", divide="ignore"):
        traffic = have & (np.nan_to_num(total) > 0)
        ratio = np.where(traffic, np.nan_to_num(good) / np.where(traffic, total, 1.0), 0.0)
    value = ratio if target is None else (traffic & (ratio >= target)).astype(float)
    b = bins[have]
    good_b = np.bincount(b, weights=value[have], minlength=n)
    total_b = np.bincount(b, weights=traffic[have].astype(float), minlength=n)
    observed = np.bincount(b, minlength=n) > 0
    return np.where(observed, good_b, np.nan), np.where(observed, total_b, np.nan)


def within_slices(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray, slice_s: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin slice counts with the bins that lie inside one slice without holding a slice's
    end counted as observed with no slices (0) when that slice was observed. Slices longer
    than the bins (5-minute slices on the 1-minute bins near the end) leave those bins empty
    by construction, which is not "no data": the SLO would count as unknown between its slice
    ends (coverage 0.2 over its short windows) and a `weighted` composite would drop its other
    members' events there (a bin where a member has no data has none). The bins after the last
    slice end (the slice still open at the grid's end) follow that last slice. Bins holding a
    slice end, and bins of unobserved slices, are left as they are.

    >>> e = np.arange(0.0, 660.0, 60.0)  # ten 1-minute bins, 5-minute slices ending at 300, 600
    >>> g = np.array([[np.nan] * 4 + [1.0] + [np.nan] * 4 + [np.nan]])
    >>> within_slices(e, g, g.copy(), 300.0)[1].tolist()
    [[0.0, 0.0, 0.0, 0.0, 1.0, nan, nan, nan, nan, nan]]
    """
    if slice_s is None:
        return good, total
    left, right = edges[:-1], edges[1:]
    ends = np.ceil(right / slice_s - 1e-9) * slice_s  # the end of the slice each bin is in
    inside = (ends - right > 1e-6) & (left >= ends - slice_s - 1e-6)
    last = np.floor(edges[-1] / slice_s + 1e-9) * slice_s  # the last slice end on the grid
    where = np.searchsorted(edges, np.where(ends <= edges[-1] + 1e-6, ends, last) - 1e-6) - 1
    valid = (where >= 0) & (where < right.size)
    at = np.clip(where, 0, right.size - 1)
    seen = valid & ~(np.isnan(good[..., at]) | np.isnan(total[..., at]))
    fill = inside & seen & (np.isnan(good) | np.isnan(total))
    return np.where(fill, 0.0, good), np.where(fill, 0.0, total)


def sliced_counts(fetcher: Fetcher, req: FetchRequest, edges: np.ndarray, ts: Any) -> SeriesCounts:
    """Timeslice budgeting of a ratio or latency SLI: exact event counts per slice (one grid
    of the slice length), then good slices (or slice ratios) and slices with events per bin of
    `edges`; a grouped SLO's groups alike."""
    grid = slice_grid(edges, float(ts.slice))
    if grid is None:
        nan = np.full(edges.size - 1, np.nan)
        return SeriesCounts(req.key, edges, nan, nan.copy())
    target = None if req.slo.budgeting == "ratio_timeslices" else float(ts.target)
    per = fetcher.event_counts(req, grid)
    slice_s = float(ts.slice)
    good, total = within_slices(
        edges, *to_bins(edges, grid, per.good, per.total, target=target), slice_s
    )
    groups = []
    for g in per.groups:
        g_good, g_total = within_slices(
            edges, *to_bins(edges, grid, g.good, g.total, target=target), slice_s
        )
        groups.append(replace(g, good=g_good, total=g_total))
    return replace(per, edges=edges, good=good, total=total, groups=tuple(groups))
