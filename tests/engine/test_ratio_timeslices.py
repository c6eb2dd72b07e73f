"""RatioTimeslices when a bin holds several slices: the SLI is the mean of the slice ratios.

Closed form: a 1-day window on the check grid's shape (hourly bins, then 1-minute bins for the
last 6 hours), 1-minute slices. In each hourly bin only the first 20 minutes have traffic, each
of those slices at ratio 0.9; in each 1-minute bin the one slice has ratio 0.99. Slices with
traffic: 18 h × 20 + 360 = 720; the sum of their ratios 360 × 0.9 + 360 × 0.99 = 680.4; the
SLI is 680.4 ÷ 720 = 0.945 exactly. Weighing each bin by its width (the old rule) gave
(18 × 3600 × 0.9 + 6 × 3600 × 0.99) ÷ 86400 = 0.9225.
"""

from __future__ import annotations

import numpy as np
import pytest

from slo_cli.engine import evaluate, ratio_timeslice_counts

END = 1_800_000_000.0


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # the engine reads windows up to 3 days: 48 hourly bins without data before the day
    hourly = END - 3 * 86400 + 3600.0 * np.arange(67)  # 66 hourly bins, 18 of them in the day
    fine = END - 6 * 3600 + 60.0 * np.arange(1, 361)  # 360 one-minute bins
    edges = np.concatenate([hourly, fine])
    ratio_sum = np.concatenate([np.full(48, np.nan), np.full(18, 20 * 0.9), np.full(360, 0.99)])
    slices = np.concatenate([np.full(48, np.nan), np.full(18, 20.0), np.ones(360)])
    return edges, ratio_sum.reshape(1, -1), slices.reshape(1, -1)


def test_the_sli_is_the_mean_of_the_slice_ratios() -> None:
    edges, ratio_sum, slices = _grid()
    good, total = ratio_timeslice_counts(edges, ratio_sum, slices, slice_s=60.0)
    r = evaluate(edges, good, total, end=END, objective=0.9, window_start=END - 86400,
                 window_s=86400.0)  # fmt: skip
    assert float(r.total[0]) == 720 * 60.0  # seconds of slices with traffic
    assert float(r.sli[0]) == pytest.approx(680.4 / 720, rel=1e-12)
    # the last hour: 60 one-minute slices at 0.99
    assert float(r.burn_rates["1h"][0]) == pytest.approx(0.01 / 0.1, rel=1e-12)


def test_per_row_slice_lengths() -> None:
    edges = np.array([0.0, 600.0])
    good, total = ratio_timeslice_counts(
        edges, np.array([[1.5], [9.0]]), np.array([[2.0], [10.0]]), slice_s=np.array([300.0, 60.0])
    )
    assert good.tolist() == [[450.0], [540.0]] and total.tolist() == [[600.0], [600.0]]


def test_more_slices_than_can_end_in_a_bin_is_refused() -> None:
    with pytest.raises(ValueError, match="more slices"):
        ratio_timeslice_counts(np.array([0.0, 600.0]), np.array([[5.0]]), np.array([[12.0]]),
                               slice_s=60.0)  # fmt: skip
