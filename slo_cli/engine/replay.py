"""Alert state over time: the SLOs' alert rules evaluated at every bin edge (for `slo backtest`).

At each evaluation edge t the rule's condition is the engine's (`core.evaluate_alerts`): the
burn rate over both its long and its short window ending at t is ≥ `core.rule_thresholds`.
Windows start at the first edge ≥ t − w (`timeline` conventions), so on a uniform grid whose
step divides every window they are exact; a window reaching before the grid is not covered
and never fires. With `for_s`, a rule fires at t only when its condition has held at every
evaluation since t − for_s (Prometheus' `for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slo_cli.engine.alerting import AlertRule
from slo_cli.engine.core import rule_thresholds
from slo_cli.engine.formulas import burn_rate
from slo_cli.engine.kernel import EDGE_TOLERANCE_S, check_grid
from slo_cli.engine.timeline import _Cumulative, _starts


@dataclass(frozen=True)
class AlertTimeline:
    """times (n_t,) evaluation instants (bin edges); firing[label] (n_slo, n_t) per rule;
    page / ticket (n_slo, n_t): any rule of that severity firing."""

    times: np.ndarray
    firing: dict[str, np.ndarray]
    page: np.ndarray
    ticket: np.ndarray


def held_for(condition: np.ndarray, times: np.ndarray, for_s: float) -> np.ndarray:
    """Where `condition` (n_slo, n_t) has been true at every evaluation in [t − for_s, t].

    >>> held_for(np.array([[True, True, False, True, True, True]]), np.arange(6.0) * 60, 120)
    array([[False, False, False, False, False,  True]])
    """
    if for_s <= 0:
        return condition.copy()
    n = condition.shape[1]
    idx = np.where(condition, -1, np.arange(n))
    last_false = np.maximum.accumulate(idx, axis=1)  # −1: true since the first evaluation
    since = times[np.clip(last_false + 1, 0, n - 1)]
    return condition & (times - since >= for_s - EDGE_TOLERANCE_S)


def evaluation_times(edges: np.ndarray, start: float) -> np.ndarray:
    """The evaluation instants of a replay from `start`: the bin edges at or after it."""
    first = int(np.searchsorted(edges, start - EDGE_TOLERANCE_S, side="left"))
    return np.asarray(edges[first:])


def alert_timeline(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    objective: np.ndarray | float,
    window_s: np.ndarray | float,
    rules: Sequence[AlertRule],
    start: float,
    for_s: float = 0.0,
) -> AlertTimeline:
    """Each rule's firing state at every bin edge from `start` to the last edge.

    ``window_s``: the budgeted window per SLO, or per SLO and evaluation instant
    ((n_slo, n_t), n_t = ``evaluation_times(edges, start).size``: a calendar window's length
    changes from one period to the next, and with it every threshold).

    Hourly bins of 100 events at 99.9 % over 30 days; 3 bad events per bin from 4 h to 6 h
    (burn 30). A rule over 2h/1h at 14.4 fires at 5 h (1 h: 30; 2 h: 3 ÷ 200 ÷ 0.001 = 15) and
    6 h, not at 7 h (the last hour was clean):

    >>> edges = np.arange(0, 10 * 3600 + 1, 3600.0)
    >>> total = np.full((1, 10), 100.0); good = total.copy(); good[0, 4:6] = 97
    >>> rule = AlertRule("page", 7200, 3600, burn_rate=14.4)
    >>> tl = alert_timeline(edges, good, total, objective=0.999, window_s=30 * 86400.0,
    ...                     rules=[rule], start=0.0)
    >>> (tl.times[tl.page[0]] / 3600).tolist()
    [5.0, 6.0]
    """
    edges, good, total = check_grid(edges, good, total)
    n_slo = total.shape[0]
    obj = np.broadcast_to(np.asarray(objective, dtype=float), (n_slo,)).reshape(-1, 1)
    t_idx, starts, cum = _windows(edges, good, total, rules, start)
    burn: dict[float, np.ndarray] = {}
    for w, (s_idx, ok) in starts.items():
        burn[w] = np.where(ok, burn_rate(*cum.window(t_idx, s_idx), obj), np.nan)
    return _fire(burn, rules, _per_time(window_s, n_slo, t_idx.size), edges[t_idx], for_s)


def composite_timeline(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    method: str,
    weights: Sequence[float],
    member_objectives: Sequence[float],
    objective: float,
    window_s: np.ndarray | float,
    rules: Sequence[AlertRule],
    start: float,
    for_s: float = 0.0,
) -> AlertTimeline:
    """A composite SLO's rules at every bin edge from `start` (one row), from its members'
    counts (n_members, n_bins): each window's composite bad and total are the engine's own
    (`composite.weighted_counts`, else `composite.combine` of the members' sums over that
    window ending at each edge), as `slo check` evaluates the composite at each instant.

    Two members of 100 events a minute at 99 %, weights 1 and 2; the second has 10 bad a
    minute in minutes 3 and 4 (burn 10). A page at burn 8 over 2m/1m: least_healthy takes the
    second member's windows (at 4 min the 2 m one burns 5; at 5 min both 10); weighted_burn
    doubles its burns (10 and 20 at 4 min); weighted events dilute them (40 of 600 at 5 min):

    >>> edges = np.arange(0, 8 * 60 + 1, 60.0)
    >>> total = np.full((2, 8), 100.0); good = total.copy(); good[1, 3:5] = 90
    >>> rule = AlertRule("page", 120, 60, burn_rate=8)
    >>> def paged(method):
    ...     tl = composite_timeline(edges, good, total, method=method, weights=[1, 2],
    ...         member_objectives=[0.99, 0.99], objective=0.99, window_s=3600.0,
    ...         rules=[rule], start=0.0)
    ...     return (tl.times[tl.page[0]] / 60).tolist()
    >>> paged("least_healthy"), paged("weighted_burn"), paged("weighted")
    ([5.0], [4.0, 5.0], [])
    """
    from slo_cli.engine import composite as C

    if method not in C.METHODS:
        raise ValueError(f"unknown composite method {method!r}")
    if method == "weighted":
        g, t = C.weighted_counts(good, total, weights)
        return alert_timeline(
            edges, g, t, objective=objective, window_s=window_s, rules=rules, start=start,
            for_s=for_s,
        )  # fmt: skip
    edges, good, total = check_grid(edges, good, total)
    w = np.asarray(weights, dtype=float)
    member_o = np.asarray(member_objectives, dtype=float)
    obj = np.array([[float(objective)]])
    t_idx, starts, cum = _windows(edges, good, total, rules, start)
    burn: dict[float, np.ndarray] = {}
    for length, (s_idx, ok) in starts.items():
        bad, tot = C.combine(method, *cum.window(t_idx, s_idx), w, member_o, float(objective))
        burn[length] = np.where(ok, burn_rate(bad[None, :], tot[None, :], obj), np.nan)
    return _fire(burn, rules, _per_time(window_s, 1, t_idx.size), edges[t_idx], for_s)


def _windows(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray, rules: Sequence[AlertRule], start: float
) -> tuple[np.ndarray, dict[float, tuple[np.ndarray, np.ndarray]], _Cumulative]:
    """The evaluation edges' indices, each rule window's start index and whether it is covered
    (a window that holds no whole bin is not), and the cumulative counts at those edges."""
    first = int(np.searchsorted(edges, start - EDGE_TOLERANCE_S, side="left"))
    t_idx = np.arange(first, edges.size)
    lengths = sorted({float(w) for r in rules for w in (r.long_s, r.short_s)})
    starts = {}
    for w in lengths:
        s_idx, covered = _starts(edges, t_idx, w)
        starts[w] = (s_idx, covered & (s_idx < t_idx))
    cols = np.concatenate([t_idx, *(s for s, _ in starts.values())])
    return t_idx, starts, _Cumulative(edges, good, total, cols)


def _per_time(window_s: np.ndarray | float, n_slo: int, n_t: int) -> np.ndarray:
    """The budgeted window as (n_slo, n_t): per SLO (broadcast over time) or already per time."""
    win = np.asarray(window_s, dtype=float)
    if win.ndim == 2:
        return np.broadcast_to(win, (n_slo, n_t))
    return np.broadcast_to(np.broadcast_to(win, (n_slo,)).reshape(-1, 1), (n_slo, n_t))


def _fire(
    burn: dict[float, np.ndarray],
    rules: Sequence[AlertRule],
    win: np.ndarray,
    times: np.ndarray,
    for_s: float,
) -> AlertTimeline:
    """Each rule's state from the burn rates of its windows at every evaluation instant."""
    firing: dict[str, np.ndarray] = {}
    page = np.zeros(win.shape, dtype=bool)
    ticket = np.zeros_like(page)
    for rule in rules:
        factor = rule_thresholds(rule, win)
        with np.errstate(invalid="ignore"):
            cond = (burn[float(rule.long_s)] >= factor) & (burn[float(rule.short_s)] >= factor)
        on = held_for(cond, times, for_s)
        firing[rule.label] = on
        if rule.severity == "page":
            page |= on
        else:
            ticket |= on
    return AlertTimeline(times=times, firing=firing, page=page, ticket=ticket)


def bad_between(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Bad events (n_slo, k) in the bins between the edges at or after instants lo[i] and hi[i].

    >>> edges = np.arange(0, 4 * 60 + 1, 60.0)
    >>> bad_between(edges, np.array([[9.0, 8, 10, 7]]), np.full((1, 4), 10.0),
    ...             np.array([0.0, 60.0]), np.array([240.0, 180.0])).tolist()
    [[6.0, 2.0]]
    """
    edges, good, total = check_grid(edges, good, total)
    a = np.searchsorted(edges, np.asarray(lo, dtype=float) - EDGE_TOLERANCE_S, side="left")
    b = np.searchsorted(edges, np.asarray(hi, dtype=float) - EDGE_TOLERANCE_S, side="left")
    a, b = np.minimum(a, edges.size - 1), np.minimum(b, edges.size - 1)
    cum = _Cumulative(edges, good, total, np.concatenate([a, b]))
    bad, _ = cum.window(b, a)
    return np.asarray(bad)
