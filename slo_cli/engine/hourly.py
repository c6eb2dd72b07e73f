"""The burn rate hour by hour before one instant: the `--details` sparkline of `slo check`.

Each hour [end − k h, end − (k − 1) h] is a sum of the grid's bins (on `slo check`'s grid the
last 6 h are minute bins and the hours before are hourly bins, all counted back from `end`, so
every hour boundary is a bin edge). The bins are cleaned as the kernel cleans them (no data
counts 0 of 0, good > total counts good = total), then
``burn = (bad ÷ total) ÷ (1 − objective)`` per hour (:func:`slo_cli.engine.formulas.burn_rate`;
NaN for an hour without traffic, or one the grid does not reach back to).
"""

from __future__ import annotations

import numpy as np

from slo_cli.engine import formulas as f
from slo_cli.engine.kernel import EDGE_TOLERANCE_S, Buffers, check_grid, edge_index

HOUR_S = 3600.0


def hourly_burn(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    end: float,
    objective: np.ndarray | float,
    hours: int = 24,
    bin_s: float = HOUR_S,
) -> np.ndarray:
    """(n_slo, hours) burn rates, oldest hour first, the last one ending at ``end``.

    Three hourly bins of 1,000 events at 99.9 %: 1, 0 and 3 bad; a fourth hour before the grid:

    >>> edges = np.array([0.0, 3600.0, 7200.0, 10800.0])
    >>> total = np.array([[1000.0, 1000.0, 1000.0]])
    >>> hourly_burn(edges, total - [[1.0, 0.0, 3.0]], total, end=10800.0, objective=0.999,
    ...             hours=4).round(9).tolist()
    [[nan, 1.0, 0.0, 3.0]]
    """
    edges, good, total = check_grid(edges, good, total)
    bad, tot = hourly_sums(edges, good, total, end=end, hours=hours, bin_s=bin_s)
    objective = np.broadcast_to(np.asarray(objective, dtype=float), (total.shape[0],))[:, None]
    return np.asarray(f.burn_rate(bad, tot, objective))


def hourly_sums(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    end: float,
    hours: int = 24,
    bin_s: float = HOUR_S,
) -> tuple[np.ndarray, np.ndarray]:
    """(n_slo, hours) bad and total events per hour, oldest first, cleaned as the kernel
    cleans bins; NaN for an hour the grid does not reach back to."""
    edges, good, total = check_grid(edges, good, total)
    n_slo = total.shape[0]
    bad_out, tot_out = np.full((n_slo, hours), np.nan), np.full((n_slo, hours), np.nan)
    bounds = float(end) - bin_s * np.arange(hours, -1, -1, dtype=float)  # oldest first
    inside = bounds >= edges[0] - EDGE_TOLERANCE_S
    if int(inside.sum()) < 2 or n_slo == 0:
        return bad_out, tot_out
    idx = edge_index(edges, bounds[inside])
    lo, hi = int(idx[0]), int(idx[-1])
    bad, tot, _, _ = Buffers(n_slo, hi - lo).clean(good[:, lo:hi], total[:, lo:hi])
    starts = idx[:-1] - lo
    n = starts.size
    bad_out[:, hours - n :] = np.add.reduceat(bad, starts, axis=1)
    tot_out[:, hours - n :] = np.add.reduceat(tot, starts, axis=1)
    return bad_out, tot_out
