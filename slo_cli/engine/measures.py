"""What the engine counts: transforms of the counts applied before the window-sums kernel.

Occurrences and timeslices budgeting need none: the counts are events, or slices (good = good
slices in the bin, total = slices with data in the bin). RatioTimeslices (OpenSLO's mean of
per-slice ratios) is a change of unit: each bin with traffic counts its width in seconds, of
which ``width × good ÷ total`` are good. Everything downstream (sums, SLI, budget, burn rates,
alerts, burn events) is then the same code on seconds.
"""

from __future__ import annotations

import numpy as np


def ratio_timeslice_counts(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    slice_s: np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """RatioTimeslices counts as good-seconds and seconds with traffic.

    Two forms of input, both exact:

    - ``slice_s`` None, one slice per bin (its good and total events): ``good' = width × good
      ÷ total`` and ``total' = width`` in each bin with ``total > 0``. Over a window the SLI
      is then the time-weighted mean of the bins' ratios.
    - ``slice_s`` given (seconds; a scalar or one per row), k slices in a bin: ``good`` = the
      sum of those slices' ratios, ``total`` = k (the slices with traffic; slices without
      events are not counted). Then ``good' = slice_s × good`` and ``total' = slice_s × k``:
      every slice weighs its length, so over any window the SLI is exactly the mean of the
      per-slice ratios, however many slices each bin holds (weighing a bin by its width would
      give a half-quiet hour the weight of a busy one). A bin holding more slices than can
      end inside it is refused (ValueError).

    Bins without traffic (total 0 or NaN) or with a NaN good have no data (NaN). A ratio above
    1 stays above 1 (good' > total'), so the kernel flags it as a data error.

    Slices of 300 s with ratios 10/10, 5/10, no traffic, and 9/10:

    >>> edges = np.arange(0, 1201, 300.0)
    >>> g, t = ratio_timeslice_counts(edges, np.array([[10, 5, 0, 9.0]]),
    ...                               np.array([[10, 10, 0, 10.0]]))
    >>> g.tolist(), t.tolist()
    ([[300.0, 150.0, nan, 270.0]], [[300.0, 300.0, nan, 300.0]])

    One-minute slices in an hourly bin (30 slices with traffic, ratios summing to 27) and a
    one-minute bin (one slice, ratio 0): the mean of the 31 slice ratios is 27 ÷ 31, exactly:

    >>> g, t = ratio_timeslice_counts(np.array([0, 3600, 3660.0]), np.array([[27.0, 0.0]]),
    ...                               np.array([[30.0, 1.0]]), slice_s=60.0)
    >>> g.tolist(), t.tolist(), float(g.sum() / t.sum()) == 27 / 31
    ([[1620.0, 0.0]], [[1800.0, 60.0]], True)
    """
    width = np.diff(np.asarray(edges, dtype=float))
    good = np.asarray(good, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        traffic = total > 0  # False for NaN too
        if slice_s is not None:
            length = np.asarray(slice_s, dtype=float).reshape(-1, 1)
            # a slice belongs to the bin holding its end: (a, b] holds at most ⌊w ÷ S⌋ + 1 ends
            fit = np.floor(width / length + 1e-9) + 1
            if np.any(np.where(traffic, total, 0.0) > fit):
                raise ValueError("a bin holds more slices than end inside it")
            seconds = np.where(traffic, total * length, np.nan)
            return np.where(traffic, good * length, np.nan), seconds
        ratio = good / np.where(traffic, total, 1.0)
        seconds = np.where(traffic, np.broadcast_to(width, total.shape), np.nan)
        good_s = np.where(traffic, ratio * width, np.nan)
    return good_s, seconds
