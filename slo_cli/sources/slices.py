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
quiet has total 0.
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
    good, total = to_bins(edges, grid, per.good, per.total, target=target)
    groups = []
    for g in per.groups:
        g_good, g_total = to_bins(edges, grid, g.good, g.total, target=target)
        groups.append(replace(g, good=g_good, total=g_total))
    return replace(per, edges=edges, good=good, total=total, groups=tuple(groups))
