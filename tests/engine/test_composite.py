"""Composite SLOs in the engine (slo_cli.engine.composite): closed-form counts, every figure
computed by hand here (never from the engine's own output)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from slo_cli.engine import AlertRule, Policy, Status
from slo_cli.engine.composite import evaluate_composite, period_counts

H = 3600.0
DAY = 86400.0

#: 4 days of hourly bins ending at END; alert rules read 1h/5m... so the grid has 5 m bins too
END = 4 * DAY


def _grid() -> np.ndarray:
    """Hourly bins over 4 days, the last hour in 5-minute bins (every standard window an edge)."""
    hourly = np.arange(0.0, END - H + 1, H)
    fine = np.arange(END - H + 300.0, END + 1, 300.0)
    return np.concatenate([hourly, fine])


def _flat(edges: np.ndarray, per_hour: float) -> np.ndarray:
    """Counts at a steady rate per hour, per bin of ``edges``."""
    return np.diff(edges) / H * per_hour


POLICY = Policy(rules=(AlertRule("page", 3600.0, 300.0, burn_rate=10.0),))


def test_weighted_events_are_weighted_sums_of_good_and_total() -> None:
    edges = _grid()
    total_a, total_b = _flat(edges, 1000.0), _flat(edges, 100.0)
    bad_a, bad_b = total_a * 0.001, total_b * 0.02  # A 0.1 % bad, B 2 % bad all along
    out = evaluate_composite(
        edges,
        np.vstack([total_a - bad_a, total_b - bad_b]),
        np.vstack([total_a, total_b]),
        method="weighted",
        weights=[1.0, 3.0],
        member_objectives=[0.999, 0.99],
        end=END,
        objective=0.99,
        window_start=END - 3 * DAY,
        window_s=3 * DAY,
        policy=POLICY,
    )
    r = out.result
    # over 3 days (72 h): A 72,000 events, 72 bad; B 7,200 events, 144 bad; weights 1 and 3
    total = 72_000 + 3 * 7_200
    bad = 72 + 3 * 144
    assert r.total[0] == pytest.approx(total, rel=1e-12)
    assert r.bad[0] == pytest.approx(bad, rel=1e-12)
    assert r.sli[0] == pytest.approx(1 - bad / total, rel=1e-12)
    assert r.allowed_bad[0] == pytest.approx(0.01 * total, rel=1e-12)
    assert r.remaining[0] == pytest.approx(1 - bad / (0.01 * total), rel=1e-12)
    # the error ratio is the same in every window: burn = (504 / 93,600) / 0.01
    burn = (bad / total) / 0.01
    for window in ("5m", "1h", "1d", "3d", "window"):
        assert r.burn_rates[window][0] == pytest.approx(burn, rel=1e-9)
    assert Status(int(r.status[0])) == Status.OK and not r.page[0]
    # shares of the weighted bad events: 72 and 3 × 144
    assert out.shares.tolist() == pytest.approx([72 / bad, 432 / bad])


def test_weighted_bin_without_data_in_one_member_has_none() -> None:
    edges = _grid()
    total = np.vstack([_flat(edges, 1000.0), _flat(edges, 1000.0)])
    total[1, -12:] = np.nan  # member B: no data over the last hour
    out = evaluate_composite(
        edges, total, total, method="weighted", weights=[1.0, 1.0],
        member_objectives=[0.99, 0.99], end=END, objective=0.99,
        window_start=END - 3 * DAY, window_s=3 * DAY, policy=POLICY,
    )  # fmt: skip
    r = out.result
    assert r.coverage["1h"][0] == 0.0
    assert r.total[0] == pytest.approx(2 * 71_000.0, rel=1e-12)  # the last hour is missing
    assert Status(int(r.status[0])) == Status.NO_DATA  # unknown is never a pass


def test_least_healthy_takes_the_worst_member_in_each_window() -> None:
    edges = _grid()
    total = np.vstack([_flat(edges, 1200.0), _flat(edges, 1200.0)])
    bad = np.zeros_like(total)
    bad[0, :] = total[0] * 0.004  # A: 0.4 % bad all along
    bad[1, -12:] = 30.0  # B: 30 bad per 5 minutes in the last hour only (360 of 1,200 = 30 %)
    out = evaluate_composite(
        edges, total - bad, total, method="least_healthy", weights=[1.0, 1.0],
        member_objectives=[0.9, 0.9], end=END, objective=0.99,
        window_start=END - 3 * DAY, window_s=3 * DAY, policy=POLICY,
    )  # fmt: skip
    r = out.result
    # SLO window (72 h): A 345.6 bad of 86,400 (0.4 %); B 360 of 86,400 (0.4167 %): B is worse
    assert r.bad[0] == pytest.approx(360.0, rel=1e-12)
    assert r.remaining[0] == pytest.approx(1 - 360 / (0.01 * 86_400), rel=1e-12)
    # last hour: B (30 %) burns 30; over 1 day: A 0.4 % vs B 360 / 28,800 = 1.25 %: B
    assert r.burn_rates["1h"][0] == pytest.approx(30.0, rel=1e-12)
    assert r.burn_rates["1d"][0] == pytest.approx((360 / 28_800) / 0.01, rel=1e-12)
    assert r.burn_rates["5m"][0] == pytest.approx(30.0, rel=1e-12)
    assert r.page[0]  # both 1h and 5m ≥ 10
    assert out.shares.tolist() == [0.0, 1.0]


def test_least_healthy_switches_member_between_windows() -> None:
    edges = _grid()
    total = np.vstack([_flat(edges, 1200.0), _flat(edges, 1200.0)])
    bad = np.zeros_like(total)
    bad[0, :] = total[0] * 0.01  # A: 1 % bad all along
    bad[1, -1] = 5.0  # B: 5 bad in the last 5 minutes only (5 %; 5 of 1,200 over the hour)
    out = evaluate_composite(
        edges, total - bad, total, method="least_healthy", weights=[1.0, 1.0],
        member_objectives=[0.99, 0.99], end=END, objective=0.99,
        window_start=END - 3 * DAY, window_s=3 * DAY, policy=POLICY,
    )  # fmt: skip
    r = out.result
    assert r.burn_rates["5m"][0] == pytest.approx(5.0, rel=1e-12)  # B: 5 of 100
    assert r.burn_rates["1h"][0] == pytest.approx(1.0, rel=1e-12)  # A: 1 %; B 5 / 1,200 < 1 %
    assert r.bad[0] == pytest.approx(864.0, rel=1e-12)  # A over 72 h: 1 % of 86,400


def test_weighted_burn_adds_the_members_burn_rates() -> None:
    edges = _grid()
    total = np.vstack([_flat(edges, 1000.0), _flat(edges, 500.0)])
    bad = np.vstack([total[0] * 0.002, total[1] * 0.01])  # burns 2 (at 99.9) and 1 (at 99)
    out = evaluate_composite(
        edges, total - bad, total, method="weighted_burn", weights=[1.0, 0.5],
        member_objectives=[0.999, 0.99], end=END, objective=0.999,
        window_start=END - 3 * DAY, window_s=3 * DAY, policy=POLICY,
    )  # fmt: skip
    r = out.result
    burn = 1.0 * 2.0 + 0.5 * 1.0
    for window in ("5m", "1h", "3d", "window"):
        assert r.burn_rates[window][0] == pytest.approx(burn, rel=1e-9)
    assert r.consumed[0] == pytest.approx(burn, rel=1e-9)  # consumed = Σ wᵢ consumedᵢ
    assert r.remaining[0] == pytest.approx(1 - burn, rel=1e-9)
    assert r.total[0] == pytest.approx(72_000 + 0.5 * 36_000, rel=1e-12)
    assert r.sli[0] == pytest.approx(1 - 0.001 * burn, rel=1e-9)
    assert Status(int(r.status[0])) == Status.CRITICAL  # remaining < 0
    assert out.shares.tolist() == pytest.approx([2.0 / 2.5, 0.5 / 2.5])


def test_since_figures_of_a_composite() -> None:
    edges = _grid()
    total = np.vstack([_flat(edges, 1200.0), _flat(edges, 1200.0)])
    bad = np.zeros_like(total)
    bad[1, -12:] = 12.0  # B: 144 bad in the last hour
    out = evaluate_composite(
        edges, total - bad, total, method="weighted", weights=[1.0, 1.0],
        member_objectives=[0.99, 0.99], end=END, objective=0.99,
        window_start=END - 3 * DAY, window_s=3 * DAY, policy=POLICY, since=END - 2 * H,
    )  # fmt: skip
    s = out.since
    assert s is not None
    assert s.total[0] == pytest.approx(4 * 1200.0) and s.bad[0] == pytest.approx(144.0)
    assert s.consumed[0] == pytest.approx(144 / (0.01 * 2 * 86_400), rel=1e-12)
    assert s.burn_rate[0] == pytest.approx((144 / 4800) / 0.01, rel=1e-12)


def test_period_counts_reproduce_each_method() -> None:
    edges = np.array([0.0, H, 2 * H])
    good = np.array([[990.0, 980.0], [95.0, 99.0]])
    total = np.array([[1000.0, 1000.0], [100.0, 100.0]])
    kw = dict(weights=[1.0, 2.0], member_objectives=[0.99, 0.9], objective=0.99,
              window_start=0.0, end=2 * H)  # fmt: skip
    g, t, chosen = period_counts(edges, good, total, method="weighted", **kw)  # type: ignore[arg-type]
    assert g.tolist() == [[1180.0, 1178.0]] and t.tolist() == [[1200.0, 1200.0]]
    assert chosen is None
    g, t, chosen = period_counts(edges, good, total, method="least_healthy", **kw)  # type: ignore[arg-type]
    assert chosen == 1 and g.tolist() == [[95.0, 99.0]]  # B: 6 % bad vs A: 1.5 %
    g, t, _ = period_counts(edges, good, total, method="weighted_burn", **kw)  # type: ignore[arg-type]
    # consumed over the window = Σ wᵢ badᵢ / ((1 − oᵢ) Tᵢ) = 30/20 + 2 × 6/20 = 2.1
    consumed = float(np.sum(t - g)) / (0.01 * float(np.sum(t)))
    assert consumed == pytest.approx(30 / 20 + 2 * 6 / 20, rel=1e-12)
    assert not math.isnan(consumed)
