"""Remaining budget and burn rate over time on rolling windows (numpy); burn events and the
report's burn-down are :mod:`slo_cli.engine.periods`.

Same conventions as :mod:`slo_cli.engine.kernel` (bins, NaN, good > total clipped). Sliding windows
here end at bin edges that need not have a bin edge exactly one window earlier (the grid may be
coarse far back), so each window *starts at the first bin edge at or after* ``t − window``:
it holds the bins lying wholly inside [t − window, t]. A window reaching before the grid's
first edge is not covered and gives NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slo_cli.engine.formulas import burn_rate
from slo_cli.engine.kernel import CHUNK_ROWS, EDGE_TOLERANCE_S, Buffers, check_grid, distinct


@dataclass(frozen=True)
class History:
    """times (n_t,) epoch seconds (bin edges); remaining and burn_rate (n_slo, n_t)."""

    times: np.ndarray
    remaining: np.ndarray
    burn_rate: np.ndarray


def _columns(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``a[:, idx]``, as a view when idx is a run of consecutive columns (the usual case)."""
    idx = np.asarray(idx)
    consecutive = idx.ndim == 1 and idx.size and int(idx[-1]) - int(idx[0]) + 1 == idx.size
    if consecutive and (np.diff(idx) == 1).all():
        return a[:, int(idx[0]) : int(idx[-1]) + 1]
    return np.take(a, idx, axis=1)  # faster than fancy indexing along axis 1


class _Cumulative:
    """Cumulative bad and total events (leading zero column: C[:, j] = sum of bins [0, j)),
    kept only at the bin edges asked for, so memory stays (n_slo, len(cols)). Computed chunk by
    chunk in reused scratch arrays, like the engine's evaluate."""

    def __init__(
        self, edges: np.ndarray, good: np.ndarray, total: np.ndarray, cols: np.ndarray
    ) -> None:
        self.cols = distinct(cols)
        n_slo, n_bins = total.shape
        self.bad = np.empty((n_slo, self.cols.size))
        self.tot = np.empty((n_slo, self.cols.size))
        buffers = Buffers(min(CHUNK_ROWS, n_slo), n_bins)
        cum = np.zeros((min(CHUNK_ROWS, n_slo), n_bins + 1))
        for r0 in range(0, n_slo, CHUNK_ROWS):
            r1 = min(r0 + CHUNK_ROWS, n_slo)
            bad, tot, _, _ = buffers.clean(good[r0:r1], total[r0:r1])
            for src, dst in ((bad, self.bad), (tot, self.tot)):
                c = cum[: r1 - r0]
                np.cumsum(src, axis=1, out=c[:, 1:])
                dst[r0:r1] = _columns(c, self.cols)

    def window(self, stop: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(bad, total) over bins [start, stop) for edge-index arrays of the same shape."""
        a = np.searchsorted(self.cols, start)
        b = np.searchsorted(self.cols, stop)
        return (
            _columns(self.bad, b) - _columns(self.bad, a),
            _columns(self.tot, b) - _columns(self.tot, a),
        )


#: rows handled at once by history (its per-row outputs span every edge)
BLOCK_ROWS = 256


def _per_row(objective: np.ndarray | float, n_slo: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(objective, dtype=float).reshape(-1), (n_slo,))


def _blocks(n_slo: int) -> list[tuple[int, int]]:
    return [(r0, min(r0 + BLOCK_ROWS, n_slo)) for r0 in range(0, n_slo, BLOCK_ROWS)]


def _starts(
    edges: np.ndarray, times_idx: np.ndarray, window_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first edge ≥ t − window for each t = edges[times_idx]; and whether covered."""
    want = edges[times_idx] - window_s
    idx = np.searchsorted(edges, want - EDGE_TOLERANCE_S, side="left")
    return idx, want >= edges[0] - EDGE_TOLERANCE_S


def history(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    objective: np.ndarray | float,
    window_s: float,
    step_s: float,
    burn_window_s: float,
    end: float | None = None,
    period_start: float | None = None,
) -> History:
    """Remaining budget (rolling ``window_s``, or since ``period_start`` for a calendar period)
    and the burn rate over ``burn_window_s``, at points ``step_s`` apart ending at ``end``
    (default: the last edge). Each point is the first bin edge at or after ``end − k × step_s``.

    remaining(t) = 1 − bad ÷ ((1 − objective) × total) over the window ending at t; NaN where
    that window is not covered by the grid (or, with period_start, for t before it).

    Four hourly bins of 100 events, 1 bad in the third: at 99 % a 2 h window holds 200 events,
    budget 2; burn over 1 h is (1/100) ÷ 0.01 = 1 in the third hour, else 0:

    >>> edges = np.arange(0, 4 * 3600 + 1, 3600.0)
    >>> total = np.full((1, 4), 100.0); good = total.copy(); good[0, 2] = 99
    >>> h = history(edges, good, total, objective=0.99, window_s=7200, step_s=3600,
    ...             burn_window_s=3600)
    >>> h.times.tolist()
    [0.0, 3600.0, 7200.0, 10800.0, 14400.0]
    >>> h.remaining.round(12).tolist(), h.burn_rate.round(12).tolist()
    ([[nan, nan, 1.0, 0.5, 0.5]], [[nan, 0.0, 0.0, 1.0, 0.0]])
    """
    edges, good, total = check_grid(edges, good, total)
    if total.shape[0] > BLOCK_ROWS:  # one block of rows at a time: bounded temporaries
        obj_rows = _per_row(objective, total.shape[0])
        parts = [
            history(
                edges,
                good[r0:r1],
                total[r0:r1],
                objective=obj_rows[r0:r1],
                window_s=window_s,
                step_s=step_s,
                burn_window_s=burn_window_s,
                end=end,
                period_start=period_start,
            )
            for r0, r1 in _blocks(total.shape[0])
        ]
        return History(
            times=parts[0].times,
            remaining=np.concatenate([h.remaining for h in parts]),
            burn_rate=np.concatenate([h.burn_rate for h in parts]),
        )
    last = float(edges[-1] if end is None else end)
    n_steps = int(np.floor((last - edges[0]) / step_s + 1e-9)) + 1
    targets = last - step_s * np.arange(n_steps)[::-1]
    t_idx = distinct(np.searchsorted(edges, targets - EDGE_TOLERANCE_S, side="left"))
    t_idx = t_idx[t_idx < edges.size]
    obj = np.asarray(objective, dtype=float).reshape(-1, 1)  # one per row (or one for all)

    if period_start is None:
        s_idx, covered = _starts(edges, t_idx, float(window_s))
    else:
        p = np.searchsorted(edges, period_start - EDGE_TOLERANCE_S, side="left")
        covered = (edges[t_idx] >= period_start - EDGE_TOLERANCE_S) & (
            period_start >= edges[0] - EDGE_TOLERANCE_S
        )
        s_idx = np.minimum(np.full(t_idx.shape, p), t_idx)
    b_idx, b_cov = _starts(edges, t_idx, float(burn_window_s))
    cum = _Cumulative(edges, good, total, np.concatenate([t_idx, s_idx, b_idx]))
    remaining = 1.0 - burn_rate(*cum.window(t_idx, s_idx), obj)
    remaining = np.where(covered, remaining, np.nan)
    burn = np.where(b_cov, burn_rate(*cum.window(t_idx, b_idx), obj), np.nan)
    return History(times=edges[t_idx], remaining=remaining, burn_rate=burn)
