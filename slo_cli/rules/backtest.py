"""`slo backtest`: the SLOs' alert rules replayed over history, through the same pipeline as
`slo check` (planner → source → engine), on a uniform 1-minute grid.

Per SLO: the alerts (pages and tickets: runs of evaluation minutes in which a rule of that
severity fires, with how long each lasted), the burn events (`engine.periods.burn_events`, the
one definition: runs of hourly bins, counted back from the end, burning at ≥ 1), each event's
detection delay (its start to the first alert minute inside it), the budget spent before that
alert (bad events from the event's start to the alert, in budgets of the SLO window, the
events' own denominator) and the events that never alerted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from slo_cli.plan import Planned
    from slo_cli.sources.model import Source

#: evaluation interval of the replay (s): the rules' default interval and slo check's fine bins
STEP_S = 60.0
#: bin width (s) of the part of the SLO window before the replayed span (the events' budget)
COARSE_STEP_S = 3600.0
#: the burn events' threshold (engine.periods.burn_events' default)
EVENT_THRESHOLD = 1.0


@dataclass(frozen=True)
class Alert:
    """One alert: `start` is the first evaluation minute firing, `end` the first not firing
    (or the replay's end while still firing: `ongoing`); `rules` the rules that fired in it."""

    severity: str
    start: float
    end: float
    ongoing: bool
    rules: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Event:
    """A burn event and how the alerts met it (None: it never alerted)."""

    start: float
    end: float
    peak_burn_rate: float
    budget_consumed: float
    first_alert: float | None
    first_severity: str | None
    detection_delay_s: float | None
    budget_before_alert: float | None


@dataclass(frozen=True)
class SLOBacktest:
    key: str
    objective: float
    window: str
    rules: tuple[str, ...]
    pages: tuple[Alert, ...]
    tickets: tuple[Alert, ...]
    events: tuple[Event, ...]
    exact: bool
    notes: tuple[str, ...]
    #: what the budget adjustments took out of the replayed span (None: none applied); the
    #: alerts and events above are replayed on the adjusted counts
    adjustments: Any = None

    @property
    def missed(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.first_alert is None)


@dataclass(frozen=True)
class Backtest:
    start: float
    end: float
    days: float
    for_s: float
    slos: tuple[SLOBacktest, ...]


def backtest_plan(specs: Sequence[Any], at: float, days: float) -> list[Planned]:
    """The check plan at `at`, each SLO on a uniform 1-minute grid reaching back `days` plus
    its longest alert window (so the first replayed minute has full windows), and hourly bins
    back to its SLO window's start (the burn events' budget)."""
    from slo_cli.adjust import widen
    from slo_cli.engine.alerting import DEFAULT_ALERT_RULES
    from slo_cli.plan import check_needs, plan

    needs = check_needs(at)
    out = []
    for p in plan(specs, needs):
        longest = max(r.long_s for r in p.rules or DEFAULT_ALERT_RULES)
        first = needs.end - days * 86400.0 - longest
        n = math.ceil((needs.end - first) / STEP_S)
        edges = needs.end - STEP_S * np.arange(n, -1, -1, dtype=float)
        if p.window.start < edges[0]:  # the events' budget needs the whole SLO window: hours
            k = math.ceil((edges[0] - p.window.start) / COARSE_STEP_S)
            coarse = edges[0] - COARSE_STEP_S * np.arange(k, 0, -1, dtype=float)
            coarse = np.concatenate([[p.window.start], coarse[coarse > p.window.start + 1e-3]])
            edges = np.concatenate([coarse, edges])
        edges, applied = widen(p.adjustments, edges)
        out.append(replace(p, edges=edges, adjustments=applied))
    return out


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, stop) index pairs of the runs of True (stop: first False after, or len)."""
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    step = np.diff(padded)
    return list(
        zip(np.flatnonzero(step == 1).tolist(), np.flatnonzero(step == -1).tolist(), strict=True)
    )


def _alerts(severity: str, tl: Any, row: int, labels: Sequence[str]) -> tuple[Alert, ...]:
    flags = tl.page[row] if severity == "page" else tl.ticket[row]
    times = tl.times
    out = []
    for a, b in _runs(flags):
        ongoing = b >= times.size
        fired = tuple(
            lab for lab in labels if lab.split()[0] == severity and tl.firing[lab][row, a:b].any()
        )
        end = float(times[-1]) if ongoing else float(times[b])
        out.append(Alert(severity, float(times[a]), end, ongoing, fired))
    return tuple(out)


def _events(
    p: Planned, edges: np.ndarray, good: np.ndarray, total: np.ndarray, tl: Any, start: float
) -> tuple[Event, ...]:
    from slo_cli.engine.periods import burn_events
    from slo_cli.engine.replay import bad_between

    [found] = burn_events(
        edges,
        good,
        total,
        objective=float(p.slo.objective),
        window_start=p.window.start,
        period_start=start,
        period_end=float(edges[-1]),
        threshold=EVENT_THRESHOLD,
    )
    any_alert = tl.page[0] | tl.ticket[0]
    out = []
    for ev in sorted(found, key=lambda e: e.start):
        inside = np.flatnonzero(any_alert & (tl.times >= ev.start) & (tl.times <= ev.end))
        if inside.size == 0:
            out.append(
                Event(ev.start, ev.end, ev.peak_burn_rate, ev.consumed, None, None, None, None)
            )
            continue
        t = float(tl.times[inside[0]])
        severity = "page" if tl.page[0, inside[0]] else "ticket"
        before = float(bad_between(edges, good, total, np.array([ev.start]), np.array([t]))[0, 0])
        # the event's own denominator: consumed = consumed_count ÷ the SLO window's budget
        per_event = ev.consumed / ev.consumed_count if ev.consumed_count > 0 else math.nan
        out.append(
            Event(
                ev.start,
                ev.end,
                ev.peak_burn_rate,
                ev.consumed,
                t,
                severity,
                t - ev.start,
                before * per_event,
            )
        )
    return tuple(out)


def replay_slo(
    p: Planned, good: np.ndarray, total: np.ndarray, start: float, for_s: float, counts: Any
) -> SLOBacktest:
    """One SLO's alerts and burn events on its grid."""
    from slo_cli import adjust
    from slo_cli.engine import DEFAULT_ALERT_RULES, ratio_timeslice_counts
    from slo_cli.engine.replay import alert_timeline

    edges = p.edges
    g, t = good.reshape(1, -1), total.reshape(1, -1)
    if p.measurement.ratio_timeslices:
        g, t = ratio_timeslice_counts(edges, g, t, slice_s=p.measurement.slice_s)
    matrix = adjust.apply([p.adjustments], edges, g, t)
    g, t = matrix.good, matrix.total
    rules = tuple(p.rules or DEFAULT_ALERT_RULES)
    tl = alert_timeline(
        edges,
        g,
        t,
        objective=float(p.slo.objective),
        window_s=p.window.seconds,
        rules=rules,
        start=start,
        for_s=for_s,
    )
    labels = [r.label for r in rules]
    return SLOBacktest(
        key=p.slo.key,
        objective=float(p.slo.objective),
        window=p.window.name,
        rules=tuple(labels),
        pages=_alerts("page", tl, 0, labels),
        tickets=_alerts("ticket", tl, 0, labels),
        events=_events(p, edges, g, t, tl, start),
        exact=bool(counts.exact) and not matrix.partial.any(),
        notes=tuple(counts.notes)
        + ((adjust.partial_note(p.adjustments),) if matrix.partial.any() else ()),
        adjustments=adjust.figures(
            p.adjustments,
            edges,
            matrix,
            0,
            start=start,
            end=float(edges[-1]),
            budget_start=p.window.start,
            objective=float(p.slo.objective),
        )
        if matrix.any
        else None,
    )


def backtest(
    specs: Sequence[Any],
    source: Source,
    at: float,
    *,
    days: float,
    for_s: float = 0.0,
    progress: Any = None,
) -> Backtest:
    """Replay every SLO's alert rules over the `days` before `at` (its whole minute); each
    group of a grouped SLO on its own."""
    from slo_cli.plan import expand_groups, requests

    planned = backtest_plan(specs, at, days)
    if not planned:
        raise ValueError("no SLOs to backtest")
    # a grouped SLO: one replay per group, as `slo check` and the rules evaluate each group
    planned, counts = expand_groups(planned, source.fetch(requests(planned), progress))
    end = float(planned[0].edges[-1])
    start = end - days * 86400.0
    slos = tuple(
        replay_slo(
            p, np.asarray(c.good, dtype=float), np.asarray(c.total, dtype=float), start, for_s, c
        )
        for p, c in zip(planned, counts, strict=True)
    )
    return Backtest(start=start, end=end, days=days, for_s=for_s, slos=slos)
