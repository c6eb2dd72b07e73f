"""The window-sums kernel: bad events, total events and seconds without data over many windows
for many SLOs on one bin grid, in one read of the counts (numpy).

Conventions (docs/design.md §2):

* Bins: ``edges`` (n_bins + 1,) epoch seconds, strictly increasing; widths may vary.
* Counts: ``good``, ``total`` (n_slo, n_bins) float64, one row per SLO on the same grid. A bin
  *has data* when neither its good nor its total is NaN; bins without data count as zero events
  and as missing seconds.
* good > total in a bin is a data error: the row's ``data_error`` is set and that bin counts
  good = total (never an SLI above 100 %).
* Other measurements (RatioTimeslices) are transforms of the counts applied before the kernel
  (:func:`slo_cli.engine.measures.ratio_timeslice_counts`); the kernel only ever sums.

Every window ends at ``end`` and starts on a bin edge: window edges are found with
``np.searchsorted`` on ``edges``, and an edge that is not on the grid raises ValueError (a
programming error upstream: the data path plans the grid). All window sums come from one
cumulative sum over bins per quantity (bad events, total events, missing seconds), i.e. the
sum of bins [a, b) is C[b] − C[a]. The kernel evaluates that cumulative sum only at the edges
some window starts at: it sums the bins between consecutive such edges (one read of the input)
and takes the cumulative sum of those segment sums. The numbers are those of
``np.nancumsum(..., axis=1)`` read at the window columns, without writing an (n_slo, n_bins)
result; rows are processed in chunks of CHUNK_ROWS with reused, cache-resident scratch arrays,
so memory stays near the input's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: tolerance (seconds) when matching a window edge to a bin edge
EDGE_TOLERANCE_S = 1e-3
#: rows per chunk: 16 rows × 8,640 bins × 8 B = 1.1 MB per scratch array (cache-resident)
CHUNK_ROWS = 16
#: beyond this many bin-width changes on a grid, missing seconds are summed bin by bin
MAX_WIDTH_RUNS = 64


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of non-negative integers (bin indices), as np.unique gives
    them, without np.unique's first call importing numpy.ma (≈ 15 ms of every run).

    >>> distinct(np.array([3, 1, 3, 0])).tolist()
    [0, 1, 3]
    """
    flat = np.asarray(values, dtype=np.int64).ravel()
    return np.flatnonzero(np.bincount(flat)) if flat.size else flat


def edge_index(edges: np.ndarray, instants: np.ndarray | float) -> np.ndarray:
    """Index into ``edges`` of each instant, which must be a bin edge (within 1 ms).

    >>> edge_index(np.array([0.0, 60.0, 120.0]), np.array([120.0, 0.0]))
    array([2, 0])
    >>> edge_index(np.array([0.0, 60.0, 120.0]), 90.0)
    Traceback (most recent call last):
    ...
    ValueError: window edge 90.0 is not a bin edge (grid 0.0 .. 120.0)
    """
    t = np.atleast_1d(np.asarray(instants, dtype=float))
    idx = np.searchsorted(edges, t - EDGE_TOLERANCE_S, side="left")
    ok = idx < edges.size
    ok[ok] = np.abs(edges[idx[ok]] - t[ok]) <= EDGE_TOLERANCE_S
    if not ok.all():
        bad, first, last = float(t[~ok][0]), float(edges[0]), float(edges[-1])
        raise ValueError(f"window edge {bad!r} is not a bin edge (grid {first!r} .. {last!r})")
    return idx


def check_grid(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``edges`` as a float vector and ``good``/``total`` as (n_slo, n_bins) float arrays;
    ValueError when the shapes disagree or the edges do not increase."""
    edges = np.asarray(edges, dtype=float)
    good = np.atleast_2d(np.asarray(good, dtype=float))
    total = np.atleast_2d(np.asarray(total, dtype=float))
    if edges.ndim != 1 or edges.size != total.shape[1] + 1 or good.shape != total.shape:
        raise ValueError(
            f"shapes disagree: edges {edges.shape}, good {good.shape}, total {total.shape}"
        )
    if total.shape[1] and not (np.diff(edges) > 0).all():
        raise ValueError("bin edges must be strictly increasing")
    return edges, good, total


@dataclass(frozen=True)
class Sums:
    """One window's sums per SLO, arrays of shape (n_slo,): ``bad`` and ``total`` events (or
    slices, or seconds), ``missing_s`` seconds without data, ``span_s`` seconds in the window."""

    bad: np.ndarray
    total: np.ndarray
    missing_s: np.ndarray
    span_s: np.ndarray

    @property
    def good(self) -> np.ndarray:
        """total − bad."""
        return self.total - self.bad


@dataclass(frozen=True)
class WindowSums:
    """What the kernel returns: ``trailing[w]`` the sums over [end − w, end] for each asked
    length w (seconds), ``slo`` the sums over each row's [window_start, end], and
    ``data_error`` (n_slo,) whether some bin inside the row's SLO window had good > total."""

    trailing: dict[float, Sums]
    slo: Sums
    data_error: np.ndarray


class _Segments:
    """The bins between window boundaries, as slices.

    The boundaries are the bin indices where some window starts (plus 0 and the end), and where
    the bin width changes (so that within a segment every bin has the same width and missing
    seconds are a count times a width). Summing each segment and then taking a cumulative sum
    over the segments gives the cumulative sum over bins *at exactly the edges the windows
    need*: the same numbers as a full ``np.nancumsum`` read at those columns, without writing
    an (n_slo, n_bins) array.
    """

    def __init__(self, width: np.ndarray, cols: np.ndarray) -> None:
        self.width = width
        changes = np.flatnonzero(np.diff(width)) + 1
        self.uniform_runs = changes.size <= MAX_WIDTH_RUNS
        self.fixed = np.concatenate([[0], cols, changes if self.uniform_runs else []])

    def for_starts(self, starts: np.ndarray) -> np.ndarray:
        """Sorted unique boundaries (bin indices < n_bins, and n_bins itself at the end)."""
        bounds = distinct(np.concatenate([self.fixed, starts]))
        if bounds[-1] != self.width.size:
            bounds = np.append(bounds, self.width.size)
        return bounds


class Buffers:
    """Scratch arrays for one chunk of rows, reused chunk after chunk (no page faults)."""

    def __init__(self, rows: int, n_bins: int) -> None:
        self.bad = np.empty((rows, n_bins))
        self.tot = np.empty((rows, n_bins))
        self.miss = np.empty((rows, n_bins), dtype=bool)
        self.secs = np.empty((rows, n_bins))

    def clean(
        self, good: np.ndarray, total: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Per-bin cleaning of a chunk: NaN-free bad and total events (views of the scratch
        arrays; a bin without data counts 0 of 0, good > total counts good = total), the
        missing-bin mask, and the data-error flags (None when the chunk has none)."""
        rows = good.shape[0]
        bad, tot, miss = self.bad[:rows], self.tot[:rows], self.miss[:rows]
        error: np.ndarray | None = None
        np.subtract(total, good, out=bad)  # NaN when either is NaN
        np.isnan(bad, out=miss)
        if np.fmin.reduce(bad, axis=None) < 0:  # good > total somewhere (NaN ignored)
            error = bad < 0
        np.fmax(bad, 0.0, out=bad)  # one pass: NaN -> 0, and good > total counts as equal
        np.copyto(tot, total)
        np.copyto(tot, 0.0, where=miss)
        return bad, tot, miss, error

    def segment_sums(
        self, good: np.ndarray, total: np.ndarray, segments: _Segments, bounds: np.ndarray
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray | None]:
        """Per-segment (bad, total, missing seconds) of a chunk, segment m holding bins
        [bounds[m], bounds[m+1]); and the data-error flags (None when the chunk has none)."""
        bad, tot, miss, error = self.clean(good, total)
        rows = good.shape[0]
        width = segments.width
        n_seg = bounds.size - 1
        out = np.empty((3, rows, n_seg))
        flags = miss.view(np.uint8)
        if not segments.uniform_runs:
            secs = self.secs[:rows]
            np.multiply(miss, width, out=secs)
        for m in range(n_seg):
            lo, hi = int(bounds[m]), int(bounds[m + 1])
            out[0, :, m] = bad[:, lo:hi].sum(axis=1)
            out[1, :, m] = tot[:, lo:hi].sum(axis=1)
            if segments.uniform_runs:  # one width per segment: missing bins × that width
                out[2, :, m] = flags[:, lo:hi].sum(axis=1, dtype=np.int64) * width[lo]
            else:
                out[2, :, m] = secs[:, lo:hi].sum(axis=1)
        return (out[0], out[1], out[2]), error


def window_sums(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    end: float,
    lengths: Sequence[float],
    window_start: np.ndarray,
) -> WindowSums:
    """Sums over the trailing windows [end − w, end] (w in ``lengths``) and over each row's
    [window_start, end], for counts already checked by :func:`check_grid`.

    Two hourly bins of 100 events, 1 and 3 bad, and a bin without data:

    >>> edges = np.array([0.0, 3600.0, 7200.0, 10800.0])
    >>> s = window_sums(edges, np.array([[99.0, 97.0, np.nan]]), np.array([[100, 100, np.nan]]),
    ...                 end=10800.0, lengths=[7200.0], window_start=np.array([0.0]))
    >>> s.trailing[7200.0].bad.tolist(), s.trailing[7200.0].missing_s.tolist()
    ([3.0], [3600.0])
    >>> s.slo.bad.tolist(), s.slo.total.tolist(), s.slo.span_s.tolist(), s.data_error.tolist()
    ([4.0], [200.0], [10800.0], [False])
    """
    n_slo, n_bins = total.shape
    lengths = list(dict.fromkeys(float(w) for w in lengths))
    j_end = int(edge_index(edges, end)[0])
    j_len = edge_index(edges, float(end) - np.array(lengths, dtype=float))
    j_start = edge_index(edges, window_start)
    if (j_start > j_end).any():
        raise ValueError("window_start is after end")
    j_cols = np.concatenate([j_len, [j_end]]).astype(np.int64)
    k = len(lengths)
    at = np.empty((3, n_slo, k + 1))  # cumulative (bad, total, missing) at window starts and end
    slo = np.empty((3, n_slo))  # SLO window sums (per-row start)
    data_error = np.zeros(n_slo, dtype=bool)
    segments = _Segments(np.diff(edges), j_cols)
    buffers = Buffers(min(CHUNK_ROWS, n_slo), n_bins)
    for r0 in range(0, n_slo, CHUNK_ROWS):
        r1 = min(r0 + CHUNK_ROWS, n_slo)
        starts = j_start[r0:r1]
        bounds = segments.for_starts(starts)
        sums, error = buffers.segment_sums(good[r0:r1], total[r0:r1], segments, bounds)
        # prefix sums at each boundary: the cumulative sum, evaluated where windows start
        pos_cols = np.searchsorted(bounds, j_cols)
        pos_start = np.searchsorted(bounds, starts)
        pos_end = int(np.searchsorted(bounds, j_end))
        rows = np.arange(r1 - r0)
        for q, seg in enumerate(sums):
            cum = np.zeros((r1 - r0, seg.shape[1] + 1))
            np.cumsum(seg, axis=1, out=cum[:, 1:])
            at[q, r0:r1] = cum[:, pos_cols]
            slo[q, r0:r1] = cum[:, pos_end] - cum[rows, pos_start]
        if error is not None:  # rare: look inside each SLO window only
            for i in np.flatnonzero(error.any(axis=1)):
                data_error[r0 + i] = bool(error[i, starts[i] : j_end].any())
    trailing = {}
    for col, w in enumerate(lengths):
        span = np.full(n_slo, float(edges[j_end] - edges[j_len[col]]))
        b, t, m = (at[q, :, k] - at[q, :, col] for q in range(3))
        trailing[w] = Sums(bad=b, total=t, missing_s=m, span_s=span)
    span_w = np.asarray(edges[j_end] - edges[j_start], dtype=float)
    return WindowSums(trailing, Sums(slo[0], slo[1], slo[2], span_w), data_error)
