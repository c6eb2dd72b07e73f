"""Composite SLOs: one objective over several member SLOs on one bin grid (numpy).

The members' counts ``good``/``total`` are (n_members, n_bins) on the composite's grid; the
composite is one row, with its own objective o, window and alert rules. Three methods
(docs/spec-language.md, "Composite SLOs"):

``weighted``       weighted events: per bin, good = Σ wᵢ·goodᵢ and total = Σ wᵢ·totalᵢ (a bin
                   where some member has no data has none); then :func:`core.evaluate` as for
                   any SLO. So SLI = Σ wᵢ goodᵢ ÷ Σ wᵢ totalᵢ over every window.
``least_healthy``  over each window W (the SLO window, every burn-rate and alert window), the
                   composite's bad and total are those of the member with the highest error
                   ratio badᵢ ÷ totalᵢ over W (the lowest SLI; first member on a tie; members
                   without traffic in W are skipped), judged against o.
``weighted_burn``  OpenSLO v1 (README, "Notes (Composite SLO)": the composite burns when any
                   objective burns, the weight multiplies that objective's burn rate): over each
                   window W, burn(W) = Σ wᵢ·burnᵢ(W), burnᵢ = (badᵢ ÷ totalᵢ) ÷ (1 − oᵢ) against
                   the member's own objective (0 for a member without traffic in W). Shown as
                   equivalent events: total = Σ wᵢ·totalᵢ, bad = burn × (1 − o) × total, so the
                   usual formulas give back that burn rate, consumed = burn over the SLO window
                   and SLI = 1 − (1 − o) × burn.

For the last two, coverage of a window is the least covered member's (the most seconds without
data), so a composite is never better known than its worst-known member; data_error is any
member's. Both are then :func:`core.evaluate_sums` (alerts, status, time to exhaustion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slo_cli.engine import formulas as f
from slo_cli.engine.core import EngineResult, Policy, evaluate_sums, window_lengths
from slo_cli.engine.kernel import Sums, WindowSums, check_grid, window_sums
from slo_cli.engine.scoped import SinceFigures, stretch_figures

METHODS = ("weighted", "least_healthy", "weighted_burn")


@dataclass(frozen=True)
class MemberInputs:
    """What the composite read of its members, per window (`slo check --explain`).

    ``sums``: the members' sums ((n_members,) per window) as the method read them — weighted:
    over the bins every member observed (those the weighted counts have), so Σ wᵢ × totalᵢ is
    the composite's total; the other methods: each member's own sums. ``burn``, ``slo_burn``:
    each member's burn rate against its own objective per trailing length and over the SLO
    window; ``picked``, ``picked_slo``: least_healthy's member per length and over the SLO
    window (−1: none had traffic; empty for the other methods).
    """

    sums: WindowSums
    burn: dict[float, np.ndarray]
    slo_burn: np.ndarray
    picked: dict[float, int]
    picked_slo: int


@dataclass(frozen=True)
class CompositeResult:
    """The composite's engine result (one row), with ``since`` its since figures, each
    member's share of its burn, and what it read of its members (:class:`MemberInputs`)."""

    result: EngineResult
    since: SinceFigures | None
    shares: np.ndarray
    inputs: MemberInputs | None = None


def weighted_counts(
    good: np.ndarray, total: np.ndarray, weights: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per bin Σ wᵢ·goodᵢ and Σ wᵢ·totalᵢ as one row; NaN where any member has no data.

    >>> g, t = weighted_counts(np.array([[9.0, 1.0], [5.0, np.nan]]),
    ...                        np.array([[10.0, 1.0], [5.0, np.nan]]), [1.0, 2.0])
    >>> g.tolist(), t.tolist()
    ([[19.0, nan]], [[20.0, nan]])
    """
    w = np.asarray(weights, dtype=float)
    return f.weighted_events(good, w)[None, :], f.weighted_events(total, w)[None, :]


def least_healthy(s: Sums) -> Sums:
    """One window's sums of the member with the highest error ratio (one row).

    >>> s = Sums(np.array([1.0, 3.0, 0.0]), np.array([100.0, 100.0, 0.0]),
    ...          np.array([0.0, 60.0, 120.0]), np.full(3, 600.0))
    >>> r = least_healthy(s); r.bad.tolist(), r.total.tolist(), r.missing_s.tolist()
    ([3.0], [100.0], [120.0])
    """
    i = f.least_healthy_member(s.bad, s.total)  # first of the highest; -1: no traffic
    bad, total = (s.bad[i], s.total[i]) if i >= 0 else (0.0, 0.0)
    return _row(bad, total, s)


def weighted_burn(
    s: Sums, weights: np.ndarray, member_objectives: np.ndarray, objective: float
) -> Sums:
    """One window's equivalent sums of Σ wᵢ·burnᵢ (one row).

    Members burning at 2 (2 bad of 100 at 99 %) and at 1 (1 of 1,000 at 99.9 %), weights 1 and
    3: burn 2 + 3 = 5; total 100 + 3,000; at o = 99.9 %, bad = 5 × 0.001 × 3,100 = 15.5:

    >>> s = Sums(np.array([2.0, 1.0]), np.array([100.0, 1000.0]), np.zeros(2), np.full(2, 60.0))
    >>> r = weighted_burn(s, np.array([1.0, 3.0]), np.array([0.99, 0.999]), 0.999)
    >>> round(float(r.bad[0]), 9), float(r.total[0])
    (15.5, 3100.0)
    >>> round(float(f.burn_rate(r.bad, r.total, np.array([0.999]))[0]), 9)
    5.0
    """
    combined = f.weighted_burn_rate(f.burn_rate(s.bad, s.total, member_objectives), weights)
    total = float(np.sum(weights * s.total))
    # 1 − o exact to its decimal (equivalent_bad: allowed_fraction, as burn_rate divides by it)
    return _row(float(f.equivalent_bad(combined, objective, total)), total, s)


def _error_ratio(s: Sums) -> np.ndarray:
    """bad ÷ total per member; −1 for a member without traffic (never the least healthy)."""
    return np.where(s.total > 0, s.bad / np.where(s.total > 0, s.total, 1.0), -1.0)


def _row(bad: float, total: float, s: Sums) -> Sums:
    return Sums(
        bad=np.array([bad]),
        total=np.array([total]),
        missing_s=np.array([float(np.max(s.missing_s))]),
        span_s=np.array([float(s.span_s[0])]),
    )


def evaluate_composite(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    method: str,
    weights: Sequence[float],
    member_objectives: Sequence[float],
    end: float,
    objective: float,
    window_start: float,
    window_s: float,
    policy: Policy = Policy(),  # frozen: one shared default is safe
    since: float | None = None,
) -> CompositeResult:
    """The composite of the members' counts at ``end`` (see the module doc for each method).

    ``since`` (a bin edge before ``end``): also its figures over [since, end), the stretch's
    consumed measured against the composite's SLO window budget, as for any SLO.
    """
    if method not in METHODS:
        raise ValueError(f"unknown composite method {method!r}")
    edges, good, total = check_grid(edges, good, total)
    w = np.asarray(weights, dtype=float)
    o = np.array([objective], dtype=float)
    member_o = np.asarray(member_objectives, dtype=float)
    extra = [] if since is None else [float(end) - float(since)]
    lengths = window_lengths(policy.rules) + extra
    members = window_sums(
        edges, good, total, end=end, lengths=lengths, window_start=np.full(w.size, window_start)
    )
    read = members
    if method == "weighted":
        read = window_sums(
            edges, *_jointly_observed(good, total), end=end, lengths=lengths,
            window_start=np.full(w.size, window_start),
        )  # fmt: skip
        good, total = weighted_counts(good, total, w)
        sums = window_sums(
            edges, good, total, end=end, lengths=lengths, window_start=np.array([window_start])
        )
    else:
        sums = _combined(members, method, w, member_o, objective)
    result = evaluate_sums(sums, objective=o, window_s=np.array([window_s]), policy=policy)
    scoped = None
    if extra:
        scoped = stretch_figures(sums.trailing[extra[0]], sums.slo.total, o)
    shares = burn_shares(members.slo, method, w, member_o)
    return CompositeResult(result, scoped, shares, _inputs(read, method, member_o))


def _jointly_observed(good: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The members' counts on the bins every member has data in (NaN elsewhere): the bins
    the weighted counts have."""
    seen = ~(np.isnan(good) | np.isnan(total)).any(axis=0)
    return np.where(seen, good, np.nan), np.where(seen, total, np.nan)


def _inputs(read: WindowSums, method: str, member_o: np.ndarray) -> MemberInputs:
    def pick(s: Sums) -> int:
        return f.least_healthy_member(s.bad, s.total) if method == "least_healthy" else -1

    return MemberInputs(
        sums=read,
        burn={k: f.burn_rate(s.bad, s.total, member_o) for k, s in read.trailing.items()},
        slo_burn=f.burn_rate(read.slo.bad, read.slo.total, member_o),
        picked={k: pick(s) for k, s in read.trailing.items()},
        picked_slo=pick(read.slo),
    )


def hourly_composite_burn(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    method: str,
    weights: Sequence[float],
    member_objectives: Sequence[float],
    objective: float,
    end: float,
    hours: int = 24,
) -> np.ndarray:
    """(hours,) the composite's burn rate hour by hour, oldest first (the `--details`
    sparkline): each hour is one more window W of the method — weighted: the weighted events'
    burn against the composite's objective; least_healthy: the burn (against the composite's
    objective) of the member least healthy in that hour; weighted_burn: Σ wᵢ·burnᵢ of that hour.
    NaN for an hour without traffic of any member (or before the grid).

    Two members, one hour: 2 bad of 100 and 1 of 1,000, at 99 % and 99.9 %, composite 99 %:

    >>> g, t = np.array([[98.0], [999.0]]), np.array([[100.0], [1000.0]])
    >>> e = np.array([0.0, 3600.0])
    >>> [round(float(hourly_composite_burn(e, g, t, method=m, weights=[1, 2], objective=0.99,
    ...     member_objectives=[0.99, 0.999], end=3600.0, hours=1)[0]), 9) for m in METHODS]
    [0.19047619, 2.0, 4.0]
    """
    from slo_cli.engine.hourly import hourly_sums

    edges, good, total = check_grid(edges, good, total)
    w = np.asarray(weights, dtype=float)
    if method == "weighted":
        g, t = weighted_counts(good, total, w)
        bad, tot = hourly_sums(edges, g, t, end=end, hours=hours)
        return np.asarray(f.burn_rate(bad[0], tot[0], np.array([objective])))
    bad, tot = hourly_sums(edges, good, total, end=end, hours=hours)
    out = np.full(hours, np.nan)
    member_o = np.asarray(member_objectives, dtype=float)[:, None]
    for h in range(hours):
        if not (tot[:, h] > 0).any():
            continue
        if method == "least_healthy":
            i = f.least_healthy_member(bad[:, h], tot[:, h])
            out[h] = float(f.burn_rate(bad[i, h], tot[i, h], np.array([objective]))[0])
        else:
            burns = f.burn_rate(bad[:, h : h + 1], tot[:, h : h + 1], member_o)[:, 0]
            out[h] = float(f.weighted_burn_rate(burns, w))
    return out


def burn_shares(
    s: Sums, method: str, weights: np.ndarray, member_objectives: np.ndarray
) -> np.ndarray:
    """Each member's share of the composite's burn over one window (NaN when nothing burns):
    weighted wᵢ·badᵢ ÷ Σ, weighted_burn wᵢ·burnᵢ ÷ Σ, least_healthy 1 for the chosen member.

    >>> s = Sums(np.array([1.0, 3.0]), np.array([100.0, 100.0]), np.zeros(2), np.full(2, 60.0))
    >>> burn_shares(s, "weighted", np.array([2.0, 1.0]), np.array([0.99, 0.99])).tolist()
    [0.4, 0.6]
    >>> burn_shares(s, "least_healthy", np.ones(2), np.array([0.99, 0.99])).tolist()
    [0.0, 1.0]
    """
    if method == "least_healthy":
        ratio = _error_ratio(s)
        out = np.zeros(s.total.shape)
        i = int(np.argmax(ratio))
        if ratio[i] > 0:
            out[i] = 1.0
            return out
        return np.full(s.total.shape, np.nan)
    if method == "weighted":
        part = weights * s.bad
    else:
        part = weights * np.nan_to_num(f.burn_rate(s.bad, s.total, member_objectives), nan=0.0)
    whole = float(np.sum(part))
    return part / whole if whole > 0 else np.full(s.total.shape, np.nan)


def _combined(
    sums: WindowSums, method: str, w: np.ndarray, member_objectives: np.ndarray, objective: float
) -> WindowSums:
    def one(s: Sums) -> Sums:
        if method == "least_healthy":
            return least_healthy(s)
        return weighted_burn(s, w, member_objectives, objective)

    trailing = {length: one(s) for length, s in sums.trailing.items()}
    return WindowSums(trailing, one(sums.slo), np.array([bool(sums.data_error.any())]))


def period_counts(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    method: str,
    weights: Sequence[float],
    member_objectives: Sequence[float],
    objective: float,
    window_start: float,
    end: float,
) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Per-bin counts (one row) whose period figures (:func:`periods.period_report` with the
    composite's objective and its SLO window ending at ``end``) are the composite's, and the
    member they are taken from (least_healthy), else None.

    weighted       the weighted events (:func:`weighted_counts`): exact.
    least_healthy  the counts of the member least healthy over that SLO window: exact for it.
    weighted_burn  total = Σ wᵢ·totalᵢ; bad = (1 − o)·T·Σ wᵢ·badᵢ ÷ ((1 − oᵢ)·Tᵢ), Tᵢ the
                   member's total over that window and T = Σ wᵢ·Tᵢ: the period's consumed and
                   the remaining at ``end`` are exactly Σ wᵢ·consumedᵢ; a bin's burn equals
                   Σ wᵢ·burnᵢ only where members' traffic keeps its window proportions.

    >>> g, t, _ = period_counts(np.array([0.0, 60.0]), np.array([[98.0], [9.0]]),
    ...     np.array([[100.0], [10.0]]), method="weighted_burn", weights=[1.0, 1.0],
    ...     member_objectives=[0.99, 0.9], objective=0.99, window_start=0.0, end=60.0)
    >>> round(float(((t - g) / t / 0.01)[0, 0]), 9)  # burn 2 + burn 1, one bin
    3.0
    """
    edges, good, total = check_grid(edges, good, total)
    w = np.asarray(weights, dtype=float)
    if method == "weighted":
        g, t = weighted_counts(good, total, w)
        return g, t, None
    sums = window_sums(
        edges, good, total, end=end, lengths=[], window_start=np.full(w.size, window_start)
    ).slo
    if method == "least_healthy":
        ratio = _error_ratio(sums)
        i = int(np.argmax(ratio))
        return good[i : i + 1], total[i : i + 1], i
    o_i = np.asarray(member_objectives, dtype=float)
    scale = np.where(sums.total > 0, w / ((1.0 - o_i) * np.where(sums.total > 0, sums.total, 1)), 0)
    t = (total * w[:, None]).sum(axis=0)[None, :]
    bad = np.clip(total - good, 0.0, None)
    bad_c = (1.0 - objective) * float(np.sum(w * sums.total)) * (bad * scale[:, None]).sum(axis=0)
    return t - bad_c[None, :], t, None
