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
    edges: np.ndarray, good: np.ndarray, total: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """RatioTimeslices counts as good-seconds and seconds with traffic.

    ``good' = width × good ÷ total`` and ``total' = width`` in each bin with ``total > 0``;
    bins without traffic (total 0 or NaN) or with a NaN good have no data (NaN). A bin's
    ``good ÷ total`` is the mean ratio of the slices in it, so sources may deliver either one
    slice per bin (its good and total events) or, for k slices in a bin, good = the sum of the
    k slice ratios and total = k. On a grid of one slice per bin the SLI over any window is
    then the plain mean of per-slice ratios; on mixed widths it is the time-weighted mean.
    A ratio above 1 stays above 1 (good' > total'), so the kernel flags it as a data error.

    Slices of 300 s with ratios 10/10, 5/10, no traffic, and 9/10:

    >>> edges = np.arange(0, 1201, 300.0)
    >>> g, t = ratio_timeslice_counts(edges, np.array([[10, 5, 0, 9.0]]),
    ...                               np.array([[10, 10, 0, 10.0]]))
    >>> g.tolist(), t.tolist()
    ([[300.0, 150.0, nan, 270.0]], [[300.0, 300.0, nan, 300.0]])
    """
    width = np.diff(np.asarray(edges, dtype=float))
    good = np.asarray(good, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        traffic = total > 0  # False for NaN too
        ratio = good / np.where(traffic, total, 1.0)
        seconds = np.where(traffic, np.broadcast_to(width, total.shape), np.nan)
        good_s = np.where(traffic, ratio * width, np.nan)
    return good_s, seconds
