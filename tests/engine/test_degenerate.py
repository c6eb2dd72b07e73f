"""Degenerate inputs, each with a hand-worked expectation: zero traffic, objective 100 %,
good > total, NaN runs at either end, coverage thresholds, grid mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from slo_cli.engine import Policy, Status, evaluate

H = 3600.0
END = 3 * 86400.0  # three days of 5-minute bins: every standard window fits on the grid
EDGES = np.arange(0.0, END + 1, 300.0)
N = EDGES.size - 1  # 864 bins


def run(good, total, objective=0.99, window_start=0.0, window_s=END, **policy):  # type: ignore[no-untyped-def]
    with np.errstate(all="raise"):  # no division by zero, no invalid operation anywhere
        return evaluate(
            EDGES,
            good,
            total,
            end=END,
            objective=objective,
            window_start=window_start,
            window_s=window_s,
            policy=Policy(**policy),
        )


def flat(value: float) -> np.ndarray:
    return np.full((1, N), value)


def test_zero_traffic_is_no_data_never_a_healthy_100_percent() -> None:
    r = run(flat(0.0), flat(0.0))
    assert r.status[0] == Status.NO_DATA
    assert math.isnan(r.sli[0]) and math.isnan(r.remaining[0])
    assert all(math.isnan(v[0]) for v in r.burn_rates.values())
    assert r.coverage["window"][0] == 1.0  # the data is there; it just says "nothing happened"
    assert not r.page[0] and not r.ticket[0]


def test_all_nan_is_no_data() -> None:
    r = run(flat(np.nan), flat(np.nan))
    assert r.status[0] == Status.NO_DATA
    assert r.coverage["window"][0] == 0.0 and r.coverage["1h"][0] == 0.0


def test_objective_100_percent_without_and_with_bad_events() -> None:
    clean = run(flat(10.0), flat(10.0), objective=1.0)
    assert clean.remaining[0] == 1.0 and clean.burn_rates["1h"][0] == 0.0
    assert clean.time_to_exhaustion_s[0] == math.inf and clean.status[0] == Status.OK
    good = flat(10.0)
    good[0, -1] = 9.0  # one bad event: no budget at all, so it is exhausted
    r = run(good, flat(10.0), objective=1.0)
    assert r.consumed[0] == math.inf and r.remaining[0] == -math.inf
    assert r.allowed_bad[0] == 0.0 and r.budget_minutes[0] == 0.0
    assert r.time_to_exhaustion_s[0] == 0.0 and r.status[0] == Status.CRITICAL


def test_good_above_total_is_a_data_error_and_never_above_100_percent() -> None:
    good = flat(10.0)
    good[0, 5] = 15.0  # bin 5 claims 15 good of 10
    r = run(good, flat(10.0))
    assert r.data_error[0]
    assert r.sli[0] == 1.0  # the bin counts 10 good of 10, not 15
    assert r.good[0] == 10.0 * N
    # the same error before the SLO window starts is not this window's business
    r = run(good, flat(10.0), window_start=3600.0, window_s=END - 3600.0)
    assert not r.data_error[0]


def test_nan_runs_at_start_and_end() -> None:
    total = flat(100.0)
    good = flat(99.5)  # 0.5 % bad everywhere: burn 0.5 at 99 % (half the budget left)
    total[0, :288] = good[0, :288] = np.nan  # the first day missing
    total[0, -12:] = good[0, -12:] = np.nan  # and the last hour
    r = run(good, total, min_coverage=0.5)
    # coverage: (864 − 288 − 12) ÷ 864 of the window; the last hour has none
    assert r.coverage["window"][0] == pytest.approx(564 / 864, rel=1e-12)
    assert r.coverage["1h"][0] == 0.0 and r.coverage["2h"][0] == 0.5
    assert math.isnan(r.burn_rates["1h"][0]) and math.isnan(r.burn_rates["5m"][0])
    assert r.burn_rates["2h"][0] == pytest.approx(0.5, rel=1e-9)
    assert r.total[0] == 100.0 * 564
    # no data in the last hour: how fast the budget burns now is unknown, and so is the
    # time left; the page alerts cannot be evaluated, so the answer is NO_DATA, not OK
    assert math.isnan(r.time_to_exhaustion_s[0])
    assert r.status[0] == Status.NO_DATA
    # with data in the last hour again, the window's coverage decides
    total[0, -12:] = 100.0
    good[0, :] = 99.95  # burn 0.05: below every rule scaled to a 3-day window
    assert run(good, total, min_coverage=0.6).status[0] == Status.OK  # 576/864 = 0.67 ≥ 0.6
    assert run(good, total, min_coverage=0.7).status[0] == Status.NO_DATA  # 0.67 < 0.7


def test_zero_traffic_in_the_last_hour_is_not_blindness() -> None:
    total = flat(100.0)
    good = flat(100.0)
    total[0, -12:] = good[0, -12:] = 0.0  # a quiet hour: data, but no events
    r = run(good, total)
    assert r.coverage["1h"][0] == 1.0
    assert math.isnan(r.burn_rates["1h"][0])  # 0 bad of 0: no rate
    assert r.time_to_exhaustion_s[0] == math.inf  # nothing is being spent
    assert r.status[0] == Status.OK


def test_a_page_beats_missing_data() -> None:
    total = flat(100.0)
    good = total.copy()
    total[0, :-12] = good[0, :-12] = np.nan  # only the last hour has data
    good[0, -12:] = 50.0  # and half of it is bad: burn 50 at 99 %
    r = run(good, total)
    assert r.coverage["window"][0] == pytest.approx(12 / 864, rel=1e-12)
    assert r.page[0] and r.status[0] == Status.CRITICAL


def test_warning_below_the_remaining_threshold() -> None:
    # 0.8 % bad at 99 %: consumed 0.8, remaining 0.2 < 0.25 -> WARNING. Over a 30-day period the
    # lowest alert factor is 0.10 × 720 h ÷ 72 h = 1 > 0.8: nothing fires. (Over a 3-day window
    # the 6 h page would: 0.05 × 72 ÷ 6 = 0.6 ≤ 0.8.)
    r = run(flat(99.2), flat(100.0), window_s=30 * 86400.0)
    assert r.remaining[0] == pytest.approx(0.2, rel=1e-9)
    assert r.alerts_firing == [()] and r.status[0] == Status.WARNING
    ok = run(flat(99.2), flat(100.0), window_s=30 * 86400.0, warn_remaining=0.1)
    assert ok.status[0] == Status.OK
    short = run(flat(99.2), flat(100.0))
    assert short.alerts_firing == [("page 6h/30m", "ticket 1d/2h", "ticket 3d/6h")]


def test_exhausted_is_critical_with_zero_time_left() -> None:
    r = run(flat(98.9), flat(100.0))  # 1.1 % bad: consumed 1.1
    assert r.remaining[0] == pytest.approx(-0.1, rel=1e-9)
    assert r.time_to_exhaustion_s[0] == 0.0 and r.status[0] == Status.CRITICAL


def test_window_edges_must_be_on_the_grid() -> None:
    with pytest.raises(ValueError, match="not a bin edge"):
        evaluate(
            EDGES,
            flat(1.0),
            flat(1.0),
            end=END - 100,
            objective=0.99,
            window_start=0.0,
            window_s=END,
        )
    with pytest.raises(ValueError, match="not a bin edge"):
        evaluate(
            EDGES, flat(1.0), flat(1.0), end=END, objective=0.99, window_start=-300.0, window_s=END
        )
    with pytest.raises(ValueError, match="shapes disagree"):
        evaluate(
            EDGES,
            flat(1.0)[:, 1:],
            flat(1.0)[:, 1:],
            end=END,
            objective=0.99,
            window_start=0.0,
            window_s=END,
        )


def test_one_slo_as_1d_arrays_and_many_rows() -> None:
    one = evaluate(
        EDGES,
        np.full(N, 99.0),
        np.full(N, 100.0),
        end=END,
        objective=0.99,
        window_start=0.0,
        window_s=END,
    )
    assert one.sli.shape == (1,) and one.sli[0] == pytest.approx(0.99, rel=1e-12)
    # 130 rows cross the internal chunk boundary (64 rows): row i has i bad events per bin
    rows = 130
    total = np.full((rows, N), 1000.0)
    good = total - np.arange(rows)[:, None]
    many = evaluate(EDGES, good, total, end=END, objective=0.99, window_start=0.0, window_s=END)
    assert many.burn_rates["window"] == pytest.approx(np.arange(rows) / 1000 / 0.01, rel=1e-9)


def test_time_to_exhaustion_is_remaining_times_window_over_the_1h_burn() -> None:
    # 0.1 % bad for three days, then 5 % in the last hour, at 99 % over a 30-day (calendar-like)
    # period that started three days ago. Budget spent: (863·…) worked out below.
    total = flat(1000.0)
    good = flat(999.0)
    good[0, -12:] = 950.0
    r = run(good, total, window_s=30 * 86400.0)
    bad = 852 * 1.0 + 12 * 50.0  # 1,452 bad of 864,000
    consumed = bad / (0.01 * 864_000)  # 0.168055…
    burn_1h = 50 / 1000 / 0.01  # 5
    assert r.consumed[0] == pytest.approx(consumed, rel=1e-9)
    assert r.burn_rates["1h"][0] == pytest.approx(burn_1h, rel=1e-9)
    assert r.time_to_exhaustion_s[0] == pytest.approx(
        (1 - consumed) * 30 * 86400 / burn_1h, rel=1e-9
    )
    assert r.budget_minutes[0] == pytest.approx(30 * 24 * 60 * 0.01, rel=1e-9)  # 432 min
