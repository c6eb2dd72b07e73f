"""The vectorised engine equals the plain reference (tests/engine/reference.py) on random data:
mixed bin widths, NaN gaps and runs at either end, zero-traffic rows, good > total, objectives up
to 1.0, rolling and calendar-like windows, custom alert rules, and RatioTimeslices."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo_cli.engine import (
    DEFAULT_ALERT_RULES,
    STANDARD_WINDOWS,
    AlertRule,
    Policy,
    evaluate,
    ratio_timeslice_counts,
)
from tests.engine import reference

REL = 1e-9


def close(a: float, b: float, scale: float = 1.0) -> bool:
    """Equal to 1e-9 relative (NaN equals NaN, inf equals inf of the same sign).

    ``scale`` is the size of the terms a difference was taken from (remaining = 1 − consumed), so
    a value near zero is compared with 1e-9 of that scale rather than of itself.
    """
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * scale)


@st.composite
def cases(draw: st.DrawFn) -> dict:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    end = 1_800_000_000.0
    # the last 3 days in 5-minute bins (every standard window ends on an edge), then a coarser
    # past of hourly bins and some 5-minute bins again, so widths vary along the grid
    n_fine = 864
    n_hour = draw(st.integers(0, 48))
    n_old = draw(st.integers(0, 24))
    widths = [300.0] * n_old + [3600.0] * n_hour + [300.0] * n_fine
    edges = end - np.concatenate([[0.0], np.cumsum(widths[::-1])])[::-1]
    n_bins = edges.size - 1
    n_slo = draw(st.integers(1, 4))
    ratio_timeslices = draw(st.booleans())

    total = rng.integers(0, draw(st.sampled_from([1, 5, 1000])), (n_slo, n_bins)).astype(float)
    bad = np.floor(
        total * rng.uniform(0, draw(st.sampled_from([0.0, 0.002, 0.05, 1.0])), total.shape)
    )
    good = total - bad
    if draw(st.booleans()):  # good > total somewhere: a data error
        r, c = rng.integers(0, n_slo), rng.integers(0, n_bins)
        good[r, c] = total[r, c] + 1 + rng.integers(0, 5)
    for r in range(n_slo):
        kind = rng.integers(0, 5)
        if kind == 0:
            total[r] = 0.0  # zero traffic
            good[r] = 0.0
        if rng.random() < 0.5:  # NaN run at the start
            k = rng.integers(0, n_bins)
            good[r, :k] = total[r, :k] = np.nan
        if rng.random() < 0.5:  # NaN run at the end (the newest data missing)
            k = rng.integers(0, 30)
            good[r, n_bins - k :] = total[r, n_bins - k :] = np.nan
        gaps = rng.random(n_bins) < rng.choice([0.0, 0.05, 0.5])  # scattered gaps
        which = rng.integers(0, 3)  # a gap in total, in good, or in both
        if which in (0, 2):
            total[r, gaps] = np.nan
        if which in (1, 2):
            good[r, gaps] = np.nan

    objective = rng.choice([0.9, 0.99, 0.999, 0.9995, 1.0, 0.5], n_slo).astype(float)
    start_idx = rng.integers(0, n_bins + 1, n_slo)
    window_start = edges[start_idx]
    calendar = rng.random(n_slo) < 0.4  # budget spread over a longer period than the data so far
    window_s = (end - window_start) * np.where(calendar, rng.uniform(1.0, 3.0, n_slo), 1.0)
    window_s = np.maximum(window_s, 300.0)
    rules = draw(
        st.sampled_from(
            [
                DEFAULT_ALERT_RULES,
                (
                    AlertRule("page", 7200.0, 600.0, burn_rate=2.0),
                    AlertRule("ticket", 14400.0, 900.0, budget_share=0.01),
                ),
            ]
        )
    )
    return {
        "edges": edges,
        "good": good,
        "total": total,
        "end": end,
        "objective": objective,
        "window_start": window_start,
        "window_s": window_s,
        "rules": rules,
        "min_coverage": draw(st.sampled_from([0.0, 0.5, 0.9])),
        "warn_remaining": draw(st.sampled_from([0.0, 0.25, 0.5])),
        "ratio_timeslices": ratio_timeslices,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_engine_equals_reference(case: dict) -> None:
    good, total = case["good"], case["total"]
    if case["ratio_timeslices"]:  # a transform of the counts before the engine
        good, total = ratio_timeslice_counts(case["edges"], good, total)
    res = evaluate(
        case["edges"],
        good,
        total,
        end=case["end"],
        objective=case["objective"],
        window_start=case["window_start"],
        window_s=case["window_s"],
        policy=Policy(
            rules=case["rules"],
            min_coverage=case["min_coverage"],
            warn_remaining=case["warn_remaining"],
        ),
    )
    edges = case["edges"].tolist()
    for i in range(case["good"].shape[0]):
        ref = reference.evaluate_one(
            edges,
            case["good"][i].tolist(),
            case["total"][i].tolist(),
            end=case["end"],
            objective=float(case["objective"][i]),
            window_start=float(case["window_start"][i]),
            window_s=float(case["window_s"][i]),
            rules=case["rules"],
            min_coverage=case["min_coverage"],
            warn_remaining=case["warn_remaining"],
            ratio_timeslices=case["ratio_timeslices"],
        )
        scale = max(1.0, abs(ref.consumed)) if math.isfinite(ref.consumed) else 1.0
        for name in ("good", "total", "sli", "allowed_bad", "budget_minutes", "consumed"):
            got, want = float(getattr(res, name)[i]), getattr(ref, name)
            assert close(got, want, max(1.0, abs(ref.total))), (name, i, got, want)
        assert close(float(res.remaining[i]), ref.remaining, scale), ("remaining", i)
        tte_scale = abs(ref.time_to_exhaustion_s) * scale if ref.remaining else 1.0
        assert close(float(res.time_to_exhaustion_s[i]), ref.time_to_exhaustion_s, tte_scale)
        assert set(res.burn_rates) == {n for n, _ in STANDARD_WINDOWS} | {"window"}
        for key, want in ref.burn_rates.items():
            assert close(float(res.burn_rates[key][i]), want), (key, i)
            assert close(float(res.coverage[key][i]), ref.coverage[key]), (key, i)
        assert bool(res.page[i]) == ref.page
        assert bool(res.ticket[i]) == ref.ticket
        assert res.alerts_firing[i] == ref.alerts_firing
        assert res.alerts_blind[i] == ref.alerts_blind
        assert int(res.status[i]) == ref.status
        assert bool(res.data_error[i]) == ref.data_error
        if not math.isnan(ref.sli):
            assert 0.0 <= float(res.sli[i]) <= 1.0  # never above 100 %, even with data errors


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_many_rows_many_starts_and_irregular_widths(seed: int) -> None:
    """Rows spanning several internal chunks, each with its own window start, on a grid whose
    width changes more often than the engine's uniform-run shortcut allows (> 64 changes)."""
    rng = np.random.default_rng(seed)
    end = 1_700_000_000.0
    past = rng.choice([60.0, 120.0, 300.0, 600.0], size=200)  # irregular widths far back
    widths = np.concatenate([past, np.full(864, 300.0)])
    edges = end - np.concatenate([[0.0], np.cumsum(widths[::-1])])[::-1]
    n_slo, n_bins = 37, widths.size
    total = rng.integers(0, 100, (n_slo, n_bins)).astype(float)
    good = total - rng.integers(0, 3, (n_slo, n_bins))
    good = np.maximum(good, 0.0)
    total[rng.random((n_slo, n_bins)) < 0.05] = np.nan
    start = edges[rng.integers(0, n_bins, n_slo)]
    res = evaluate(
        edges, good, total, end=end, objective=0.99, window_start=start, window_s=end - start
    )
    for i in range(n_slo):
        ref = reference.evaluate_one(
            edges.tolist(),
            good[i].tolist(),
            total[i].tolist(),
            end=end,
            objective=0.99,
            window_start=float(start[i]),
            window_s=float(end - start[i]),
        )
        assert close(float(res.total[i]), ref.total, ref.total)
        assert close(float(res.consumed[i]), ref.consumed)
        for key in ref.coverage:
            assert close(float(res.coverage[key][i]), ref.coverage[key]), (key, i)
            assert close(float(res.burn_rates[key][i]), ref.burn_rates[key]), (key, i)
        assert int(res.status[i]) == ref.status
