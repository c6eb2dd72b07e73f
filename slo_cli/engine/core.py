"""Error budgets, burn rates, alerts and status for many SLOs at once at one instant (numpy).

``evaluate`` is four steps, each its own function: window sums (:mod:`slo_cli.engine.kernel`),
the formulas (:mod:`slo_cli.engine.formulas`: SLI, budget, consumed, remaining, burn rate,
coverage, time to exhaustion), alert evaluation (:func:`evaluate_alerts`) and status
(:func:`status`). Conventions (bins, NaN, good > total) are the kernel's; RatioTimeslices
counts are transformed before (:func:`slo_cli.engine.measures.ratio_timeslice_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from slo_cli.engine import formulas as f
from slo_cli.engine.alerting import DEFAULT_ALERT_RULES, STANDARD_WINDOWS, AlertRule
from slo_cli.engine.defaults import MIN_COVERAGE, WARN_REMAINING
from slo_cli.engine.kernel import Sums, WindowSums, check_grid, window_sums


class Status(IntEnum):
    """Status per SLO, in the order of docs/design.md §2."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    NO_DATA = 3


@dataclass(frozen=True)
class Policy:
    """How results are judged (the same for every SLO of one ``evaluate`` call).

    rules           the multi-window burn-rate alert rules.
    min_coverage    below this share of the SLO window with data, the status is NO_DATA.
    warn_remaining  below this share of the budget left, the status is (at least) WARNING.
    tte_basis       the burn-rate window time to exhaustion extrapolates ("5m".."3d", "window").
    """

    rules: tuple[AlertRule, ...] = DEFAULT_ALERT_RULES
    min_coverage: float = MIN_COVERAGE
    warn_remaining: float = WARN_REMAINING
    tte_basis: str = "1h"


@dataclass(frozen=True)
class Alerts:
    """Which rules fire, per SLO: ``page``/``ticket`` (n_slo,) bool, ``firing`` labels per SLO."""

    page: np.ndarray
    ticket: np.ndarray
    firing: list[tuple[str, ...]]


@dataclass(frozen=True)
class EngineResult:
    """Everything evaluated for n_slo SLOs; arrays of shape (n_slo,), unrounded.

    good, total       events (or slices) over the SLO window [window_start, end].
    bad               total − good.
    sli               good ÷ total; NaN when total == 0.
    allowed_bad       the error budget in events: (1 − objective) × total.
    budget_minutes    its time-equivalent: window_s × (1 − objective) ÷ 60.
    consumed          bad ÷ allowed_bad (= the burn rate over the whole window); NaN without
                      traffic; inf when objective is 1 and anything was bad.
    remaining         1 − consumed (negative when overspent).
    burn_rates        {"5m".."3d", "window"}: (bad ÷ total over the window) ÷ (1 − objective);
                      NaN without traffic in that window.
    coverage          same keys: seconds with data ÷ seconds in the window.
    page, ticket      whether any rule of that severity fires; alerts_firing: labels per SLO.
    alerts_blind      labels per SLO of the rules reading a window without data (unevaluated).
    time_to_exhaustion_s  remaining × window_s ÷ burn_rates[tte_basis]; inf when that burn is 0
                      (or no traffic in it), 0 when remaining ≤ 0.
    status            Status ints; data_error: some bin in the SLO window had good > total.
    sums              the kernel's sums behind those figures, per window length in seconds
                      (every standard and alert-rule window), and ``slo_sums`` the SLO window's;
    window_burn, window_coverage  the burn rate and coverage of each of those lengths;
    thresholds        per alert-rule label, the burn rate it fires at (:func:`rule_thresholds`)
                      — what `slo check --explain` shows, never computed again.
    """

    good: np.ndarray
    total: np.ndarray
    bad: np.ndarray
    sli: np.ndarray
    allowed_bad: np.ndarray
    budget_minutes: np.ndarray
    consumed: np.ndarray
    remaining: np.ndarray
    burn_rates: dict[str, np.ndarray]
    coverage: dict[str, np.ndarray]
    page: np.ndarray
    ticket: np.ndarray
    alerts_firing: list[tuple[str, ...]]
    alerts_blind: list[tuple[str, ...]]
    time_to_exhaustion_s: np.ndarray
    tte_basis: str
    status: np.ndarray
    data_error: np.ndarray
    sums: dict[float, Sums] = field(default_factory=dict)
    slo_sums: Sums | None = None
    window_burn: dict[float, np.ndarray] = field(default_factory=dict)
    window_coverage: dict[float, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)


def _as_rows(values: np.ndarray | float, n_slo: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(values, dtype=float), (n_slo,))


def rule_thresholds(rule: AlertRule, window_s: np.ndarray) -> np.ndarray:
    """Per SLO, the burn rate at which ``rule`` fires:
    ``threshold = budget_share × window_s ÷ long_s`` (burn_factor's arithmetic, element-wise
    in the same order), or the rule's fixed burn rate.

    >>> rule_thresholds(DEFAULT_ALERT_RULES[0], np.array([30 * 86400.0, 7 * 86400.0])).round(9)
    array([14.4 ,  3.36])
    """
    if rule.burn_rate is not None:
        return np.full(window_s.shape, float(rule.burn_rate))
    return np.asarray(float(rule.budget_share or 0.0) * window_s / float(rule.long_s))


def evaluate_alerts(
    burn: dict[float, np.ndarray], rules: Sequence[AlertRule], window_s: np.ndarray
) -> Alerts:
    """Rule r fires when the burn rate over *both* its long and its short window is ≥ its
    threshold (:func:`rule_thresholds`):
    ``fires = burn(long) ≥ threshold and burn(short) ≥ threshold``; a NaN burn (no traffic)
    never fires. ``burn`` maps a
    window length in seconds to burn rates per SLO and must hold every rule's two windows.

    >>> rule = DEFAULT_ALERT_RULES[0]  # page 1h/5m: 14.4 over 30 days
    >>> a = evaluate_alerts({3600.0: np.array([15.0, 15.0]), 300.0: np.array([20.0, 9.0])},
    ...                     [rule], np.full(2, 30 * 86400.0))
    >>> a.page.tolist(), a.ticket.tolist(), a.firing
    ([True, False], [False, False], [('page 1h/5m',), ()])
    """
    n_slo = window_s.shape[0]
    page = np.zeros(n_slo, dtype=bool)
    ticket = np.zeros(n_slo, dtype=bool)
    firing: list[list[str]] = [[] for _ in range(n_slo)]
    for rule in rules:
        factor = rule_thresholds(rule, window_s)
        with np.errstate(invalid="ignore"):
            on = (burn[float(rule.long_s)] >= factor) & (burn[float(rule.short_s)] >= factor)
        for i in np.flatnonzero(on):
            firing[i].append(rule.label)
        if rule.severity == "page":
            page |= on
        else:
            ticket |= on
    return Alerts(page=page, ticket=ticket, firing=[tuple(x) for x in firing])


def blind_rules(
    cover: dict[float, np.ndarray], rules: Sequence[AlertRule]
) -> list[tuple[str, ...]]:
    """Per SLO, the labels of the rules that read a window holding not one bin with data: such a
    rule cannot be evaluated, so its silence is no evidence. ``cover`` maps a window length in
    seconds to coverage per SLO and must hold every rule's two windows.

    >>> rules = DEFAULT_ALERT_RULES[:2]  # page 1h/5m and page 6h/30m
    >>> cover = {3600.0: np.array([1.0, 0.5]), 300.0: np.array([1.0, 0.0]),
    ...          21600.0: np.array([1.0, 0.9]), 1800.0: np.array([0.2, 0.0])}
    >>> blind_rules(cover, rules)
    [(), ('page 1h/5m', 'page 6h/30m')]
    """
    n_slo = next(iter(cover.values())).shape[0] if cover else 0
    out: list[list[str]] = [[] for _ in range(n_slo)]
    for rule in rules:
        with np.errstate(invalid="ignore"):
            blind = ~(cover[float(rule.long_s)] > 0) | ~(cover[float(rule.short_s)] > 0)
        for i in np.flatnonzero(blind):
            out[i].append(rule.label)
    return [tuple(x) for x in out]


def status(
    alerts: Alerts,
    remaining: np.ndarray,
    window_coverage: np.ndarray,
    window_total: np.ndarray,
    blind: np.ndarray,
    policy: Policy,
) -> np.ndarray:
    """Status ints per SLO, first match wins (evidence of harm beats missing data; missing data
    is never OK):

    CRITICAL  a page fires, or remaining ≤ 0;
    NO_DATA   coverage of the SLO window < ``min_coverage``, no traffic in it, or ``blind``
              (some alert rule reads a window without data, or the last hour has none: a
              status of OK or WARNING would claim that rule is silent);
    WARNING   a ticket fires, or remaining < ``warn_remaining``;
    OK        otherwise.

    >>> a = Alerts(np.array([False, False, True]), np.array([True, False, False]), [(), (), ()])
    >>> status(a, np.array([0.9, 0.9, 0.9]), np.ones(3), np.ones(3),
    ...        np.array([False, True, True]), Policy()).tolist()
    [1, 3, 2]
    """
    with np.errstate(invalid="ignore"):
        no_data = ~(window_coverage >= policy.min_coverage) | ~(window_total > 0) | blind
        critical = alerts.page | (remaining <= 0)
        warning = alerts.ticket | (remaining < policy.warn_remaining)
    out = np.full(remaining.shape, int(Status.OK), dtype=np.int8)
    out[warning] = Status.WARNING
    out[no_data] = Status.NO_DATA
    out[critical] = Status.CRITICAL
    return out


def evaluate(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    end: float,
    objective: np.ndarray | float,
    window_start: np.ndarray | float,
    window_s: np.ndarray | float,
    policy: Policy = Policy(),  # frozen: one shared default is safe
) -> EngineResult:
    """Evaluate n_slo SLOs sharing one bin grid at instant ``end`` (a bin edge).

    The SLO window is [window_start, end] per SLO (for a calendar window, window_start is the
    period start and window_s the whole period, whose budget is spread over its full length);
    burn-rate windows are [end − w, end]. ``blind`` (see :func:`status`): some alert rule reads
    a window without one bin of data (:func:`blind_rules`), or the last hour has none, so not
    every alert can be evaluated; NO_DATA unless a rule fires anyway or the budget is spent.

    One SLO at 99.9 % over 30 days of 5-minute bins, 100 events per bin (1,200 an hour); in the
    last hour 1.5 bad per bin (burn (18 ÷ 1,200) ÷ 0.001 = 15 ≥ 14.4 over 1 h and over 5 m), and
    99 bad events long ago. Budget: 0.001 × 864,000 = 864 events; spent 117; remaining
    1 − 117/864 = 0.8645833…; at burn 15 that lasts 0.8645833 × 720 h ÷ 15 = 41.5 h:

    >>> edges = np.arange(0, 30 * 86400 + 1, 300.0)
    >>> total = np.full((1, edges.size - 1), 100.0)
    >>> bad = np.zeros_like(total); bad[0, -12:] = 1.5; bad[0, :99] = 1.0
    >>> r = evaluate(edges, total - bad, total, end=edges[-1], objective=0.999,
    ...              window_start=0.0, window_s=30 * 86400.0)
    >>> float(r.total[0]), float(r.bad[0]), round(float(r.allowed_bad[0]), 9)
    (864000.0, 117.0, 864.0)
    >>> round(float(r.remaining[0]), 9), round(float(r.burn_rates["1h"][0]), 9)
    (0.864583333, 15.0)
    >>> r.page.tolist(), r.alerts_firing, Status(int(r.status[0])).name
    ([True], [('page 1h/5m',)], 'CRITICAL')
    >>> round(float(r.time_to_exhaustion_s[0]) / 3600, 6), float(r.coverage["window"][0])
    (41.5, 1.0)
    >>> round(float(r.sli[0]), 12), round(float(r.budget_minutes[0]), 9)
    (0.999864583333, 43.2)
    """
    edges, good, total = check_grid(edges, good, total)
    n_slo = total.shape[0]
    objective = _as_rows(objective, n_slo)
    if ((objective <= 0) | (objective > 1) | np.isnan(objective)).any():
        raise ValueError("objective must be a ratio in (0, 1]")
    window_s = _as_rows(window_s, n_slo)
    lengths = window_lengths(policy.rules)
    sums = window_sums(
        edges, good, total, end=end, lengths=lengths, window_start=_as_rows(window_start, n_slo)
    )
    return evaluate_sums(sums, objective=objective, window_s=window_s, policy=policy)


def window_lengths(rules: Sequence[AlertRule]) -> list[float]:
    """Every window length (seconds) :func:`evaluate_sums` reads: the standard burn-rate
    windows and each rule's long and short window."""
    return [w for _, w in STANDARD_WINDOWS] + [x for r in rules for x in (r.long_s, r.short_s)]


def evaluate_sums(
    sums: WindowSums, *, objective: np.ndarray, window_s: np.ndarray, policy: Policy
) -> EngineResult:
    """:func:`evaluate` from the window sums on (the formulas, alerts and status): for counts
    that are not per-bin sums (composites combine members' window sums, engine.composite).
    ``sums.trailing`` must hold every length of :func:`window_lengths` (policy.rules)."""
    rules = tuple(policy.rules)
    burn = {w: f.burn_rate(s.bad, s.total, objective) for w, s in sums.trailing.items()}
    cover = {w: f.coverage(s.missing_s, s.span_s) for w, s in sums.trailing.items()}
    slo = sums.slo
    spent = f.consumed(slo.bad, slo.total, objective)
    left = f.remaining(spent)
    burn_rates = {name: burn[float(w)] for name, w in STANDARD_WINDOWS}
    coverage = {name: cover[float(w)] for name, w in STANDARD_WINDOWS}
    burn_rates["window"] = spent
    coverage["window"] = f.coverage(slo.missing_s, slo.span_s)
    if policy.tte_basis not in burn_rates:
        raise ValueError(f"tte_basis must be one of {', '.join(burn_rates)}")
    tte = f.time_to_exhaustion(left, window_s, burn_rates[policy.tte_basis])
    # No data at all over the basis window is not "no burn": the time left is unknown.
    tte = np.where((coverage[policy.tte_basis] > 0) | (left <= 0), tte, np.nan)
    alerts = evaluate_alerts(burn, rules, window_s)
    unevaluated = blind_rules(cover, rules)
    with np.errstate(invalid="ignore"):
        blind = ~(coverage["1h"] > 0) | np.array([bool(b) for b in unevaluated], dtype=bool)
    return EngineResult(
        good=slo.good,
        total=slo.total,
        bad=slo.bad,
        sli=f.sli(slo.good, slo.total),
        allowed_bad=f.error_budget(objective, slo.total),
        budget_minutes=f.budget_minutes(objective, window_s),
        consumed=spent,
        remaining=left,
        burn_rates=burn_rates,
        coverage=coverage,
        page=alerts.page,
        ticket=alerts.ticket,
        alerts_firing=alerts.firing,
        alerts_blind=unevaluated,
        time_to_exhaustion_s=tte,
        tte_basis=policy.tte_basis,
        status=status(alerts, left, coverage["window"], slo.total, blind, policy),
        data_error=sums.data_error,
        **_inputs(sums, burn, cover, rules, window_s),
    )


def _inputs(
    sums: WindowSums,
    burn: dict[float, np.ndarray],
    cover: dict[float, np.ndarray],
    rules: Sequence[AlertRule],
    window_s: np.ndarray,
) -> dict[str, Any]:
    """The sums and per-length figures an EngineResult keeps for `slo check --explain`."""
    return {
        "sums": sums.trailing,
        "slo_sums": sums.slo,
        "window_burn": burn,
        "window_coverage": cover,
        "thresholds": {r.label: rule_thresholds(r, window_s) for r in rules},
    }
