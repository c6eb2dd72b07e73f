"""samples.median (the usual scrape interval behind gap_limit) is the median Python's
statistics module computes, on the intervals of real scrapes and on the shapes that matter."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np

from slo_cli.sources.samples import GAP_FACTOR, GAP_MIN_S, RawSeries, gap_limit, median


def test_the_middle_value_or_the_mean_of_the_two_middle_ones() -> None:
    assert median(np.array([60.0])) == 60.0
    assert median(np.array([120.0, 60.0])) == 90.0
    assert median(np.array([61.0, 59.0, 60.0])) == 60.0
    assert median(np.array([3600.0, 60.0, 59.5, 60.5])) == 60.25
    assert math.isnan(median(np.array([60.0, math.nan, 61.0])))


def test_equal_to_statistics_median_on_jittered_scrapes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 400)
        gaps = [rng.choice((15.0, 30.0, 60.0)) + rng.uniform(-2, 2) for _ in range(n)]
        gaps += [rng.uniform(300, 7200) for _ in range(rng.randint(0, 3))]  # scrape gaps
        assert median(np.array(gaps)) == statistics.median(gaps)


def test_gap_limit_of_a_series_scraped_every_minute_with_one_gap() -> None:
    t = np.array([0.0, 60.0, 120.0, 180.0, 3780.0, 3840.0])  # intervals 60 ×4, 3600 once
    series = RawSeries({}, t, np.arange(t.size, dtype=float))
    assert gap_limit(series) == max(GAP_MIN_S, GAP_FACTOR * 60.0)
