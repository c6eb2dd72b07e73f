"""`slo backtest`: the SLOs' alert rules replayed over history, through the same pipeline as
`slo check` (planner → source → engine), on a uniform 1-minute grid.

Per SLO: the alerts (pages and tickets: runs of evaluation minutes in which a rule of that
severity fires, with how long each lasted), the burn events (`engine.periods.burn_events`, the
one definition: runs of hourly bins, counted back from the end, burning at ≥ 1), each event's
detection delay (its start to the first alert minute inside it), the budget spent before that
alert (bad events from the event's start to the alert, in budgets of the SLO window, the
events' own denominator) and the events that never alerted.

Composite SLOs are replayed too, from their members' counts on the members' shared grid
(`composites.member_counts`: adjustments and timeslices as for the members' own figures), with
the engine's own composite arithmetic (`engine.replay.composite_timeline`; burn events on
`engine.composite.period_counts`) and the composite's own objective, window and rules. Calendar
windows use each period's own length and budget (`rules.backtest.windows`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.rules.backtest import windows as W

if TYPE_CHECKING:
    from slo_cli.plan import Planned
    from slo_cli.sources.model import SeriesCounts, Source
    from slo_specs.model import Composite

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
class Member:
    """A composite's member as the replay used it."""

    key: str
    weight: float
    objective: float


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
    #: a composite SLO: its method and members (None and () for an SLO)
    method: str | None = None
    members: tuple[Member, ...] = ()
    #: its own queries failed (a composite: its members'), as `slo check`'s ERROR row says
    #: (slo_cli.results.SLOError): nothing replayed, no alerts or events; `source_path` the
    #: spec file it is written in
    error: Any = None
    source_path: str | None = None

    @property
    def composite(self) -> bool:
        return self.method is not None

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
    back to the start of the first budget its burn events need (`windows.budgets`).
    The members of composites sharing members get one grid: the longest alert window and every
    budget start of the cluster's SLOs and composites."""
    from slo_cli.adjust import widen
    from slo_cli.plan import check_needs, plan

    needs = check_needs(at)
    end = needs.end
    start = end - days * 86400.0
    cluster = _cluster_things(specs)
    out = []
    for p in plan(specs, needs):
        things = cluster.get(p.slo.key, [p.slo])
        longest = max(r.long_s for thing in things for r in _rules(thing))
        first = start - longest
        n = math.ceil((end - first) / STEP_S)
        edges = end - STEP_S * np.arange(n, -1, -1, dtype=float)
        starts = sorted({b.window_start for thing in things for b in W.budgets(thing, start, end)})
        if starts[0] < edges[0]:  # the events' budgets reach before the replay: hours
            k = math.ceil((edges[0] - starts[0]) / COARSE_STEP_S)
            coarse = edges[0] - COARSE_STEP_S * np.arange(k, 0, -1, dtype=float)
            edges = np.concatenate([[starts[0]], coarse[coarse > starts[0] + 1e-3], edges])
        edges = _with_edges(edges, starts)
        edges, applied = widen(p.adjustments, edges)
        out.append(replace(p, edges=edges, adjustments=applied))
    return out


def _rules(thing: Any) -> tuple[Any, ...]:
    from slo_cli.engine.alerting import DEFAULT_ALERT_RULES
    from slo_cli.plan import alert_rules

    return tuple(alert_rules(thing) or DEFAULT_ALERT_RULES)


def _cluster_things(specs: Sequence[Any]) -> dict[str, list[Any]]:
    """Per member key of a composite: the SLOs and composites of its cluster."""
    from slo_cli.composites import clusters, composites_of

    slos = {slo.key: slo for spec in specs for slo in spec.slos}
    out: dict[str, list[Any]] = {}
    for keys, group in clusters(composites_of(specs)):
        things = [slos[k] for k in sorted(keys) if k in slos] + list(group)
        out.update({k: things for k in keys})
    return out


def _with_edges(edges: np.ndarray, extra: Sequence[float]) -> np.ndarray:
    """`edges` with each of `extra` (inside them) as an edge, unless one is within 1 ms."""
    idx = np.clip(np.searchsorted(edges, extra), 1, edges.size - 1)
    near = np.minimum(np.abs(edges[idx] - extra), np.abs(edges[idx - 1] - extra))
    new = [x for x, d in zip(extra, near, strict=True) if d > 1e-3 and edges[0] < x < edges[-1]]
    return np.union1d(edges, np.asarray(new, dtype=float)) if new else edges


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
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    tl: Any,
    objective: float,
    budget: W.Budget,
) -> list[Event]:
    """The burn events of one budget's span and how the alerts met them."""
    from slo_cli.engine.periods import burn_events
    from slo_cli.engine.replay import bad_between

    [found] = burn_events(
        edges,
        good,
        total,
        objective=objective,
        window_start=budget.window_start,
        period_start=budget.start,
        period_end=budget.end,
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
    return out


def replay_slo(
    p: Planned, good: np.ndarray, total: np.ndarray, start: float, for_s: float, counts: Any
) -> SLOBacktest:
    """One SLO's alerts and burn events on its grid."""
    from slo_cli import adjust
    from slo_cli.engine import ratio_timeslice_counts
    from slo_cli.engine.replay import alert_timeline, evaluation_times

    edges = p.edges
    g, t = good.reshape(1, -1), total.reshape(1, -1)
    if p.measurement.ratio_timeslices:
        g, t = ratio_timeslice_counts(edges, g, t, slice_s=p.measurement.slice_s)
    matrix = adjust.apply([p.adjustments], edges, g, t)
    g, t = matrix.good, matrix.total
    rules = _rules(p.slo)
    end = float(edges[-1])
    objective = float(p.slo.objective)
    tl = alert_timeline(
        edges,
        g,
        t,
        objective=objective,
        window_s=W.window_per_time(p.slo, evaluation_times(edges, start), end),
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
        events=tuple(
            e for b in W.budgets(p.slo, start, end) for e in _events(edges, g, t, tl, objective, b)
        ),
        exact=bool(counts.exact) and not matrix.partial.any(),
        notes=tuple(counts.notes)
        + ((adjust.partial_note(p.adjustments),) if matrix.partial.any() else ()),
        adjustments=_adjustment_figures(p, edges, matrix, start, end) if matrix.any else None,
        source_path=p.source_path,
    )


def _adjustment_figures(
    p: Planned, edges: np.ndarray, matrix: Any, start: float, end: float
) -> Any:
    """What the SLO's adjustments took out of the replay, against the budgets its burn events
    are measured against (windows.budgets): a rolling window's at the replay's end; a calendar
    window's per period, each period's events of its own budget, summed (as the events' spend
    is), so an adjustment in January gives back January's budget, not that of the period at
    --at."""
    from dataclasses import replace

    from slo_cli import adjust

    objective = float(p.slo.objective)
    found, untouched = [], 0.0
    for b in W.budgets(p.slo, start, end):
        f = adjust.figures(
            p.adjustments,
            edges,
            matrix,
            0,
            start=b.start,
            end=b.end,
            budget_start=b.window_start,
            objective=objective,
        )
        if f is not None:
            found.append(f)
        else:  # no adjustment in this period: it consumed as much without them as with them
            raw_g, raw_t = matrix.raw_good[0], matrix.raw_total[0]
            untouched += adjust.consumed_share(
                edges, raw_g, raw_t, b.start, b.end, b.window_start, objective
            )
    got = adjust.summed(found, start, end)
    return None if got is None else replace(got, consumed_without=got.consumed_without + untouched)


def replay_composite(
    c: Composite,
    members: Sequence[tuple[Planned, SeriesCounts]],
    start: float,
    for_s: float,
) -> SLOBacktest:
    """One composite's alerts and burn events from its members' counts (`members` in the
    composite's member order): the alerts of `engine.replay.composite_timeline`; the burn
    events of `engine.composite.period_counts` over each budget (the counts whose period
    figures are the composite's, as `slo report` takes them)."""
    from slo_cli.composites import composite_window, member_counts
    from slo_cli.engine.composite import period_counts
    from slo_cli.engine.replay import composite_timeline, evaluation_times

    planned = [p for p, _ in members]
    counts = [x for _, x in members]
    edges, good, total = member_counts(c, planned, counts)
    end = float(edges[-1])
    rules = _rules(c)
    objective = float(c.objective)
    shape: dict[str, Any] = {
        "method": c.method,
        "weights": c.weights,
        "member_objectives": [float(p.slo.objective) for p in planned],
        "objective": objective,
    }
    tl = composite_timeline(
        edges,
        good,
        total,
        **shape,
        window_s=W.window_per_time(c, evaluation_times(edges, start), end),
        rules=rules,
        start=start,
        for_s=for_s,
    )
    events = []
    for b in W.budgets(c, start, end):
        g, t, _ = period_counts(edges, good, total, **shape, window_start=b.window_start, end=b.end)
        events += _events(edges, g, t, tl, objective, b)
    labels = [r.label for r in rules]
    notes = [f"{x.key}: {n}" for x in counts for n in x.notes]
    if c.method == "weighted_burn":
        notes.append(
            "weighted_burn: burn events on equivalent events (Σ weight × events; bad = burn × "
            "(1 − objective) × total over each budget's window)"
        )
    return SLOBacktest(
        key=c.key,
        objective=objective,
        window=composite_window(c, end).name,
        rules=tuple(labels),
        pages=_alerts("page", tl, 0, labels),
        tickets=_alerts("ticket", tl, 0, labels),
        events=tuple(events),
        exact=all(x.exact for x in counts),
        notes=tuple(notes),
        method=c.method,
        members=_members(c, planned),
    )


def _members(c: Composite, planned: Sequence[Planned]) -> tuple[Member, ...]:
    """A composite's members (`planned`, in its member order) as the replay takes them."""
    return tuple(
        Member(p.slo.key, float(w), float(p.slo.objective))
        for p, w in zip(planned, c.weights, strict=True)
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
    group of a grouped SLO on its own; then every composite from its members' counts."""
    from slo_cli.composites import composite_window, member_error
    from slo_cli.evaluate import slo_error
    from slo_cli.plan import expand_groups, requests

    planned = backtest_plan(specs, at, days)
    if not planned:
        raise ValueError("no SLOs to backtest")
    # a grouped SLO: one replay per group, as `slo check` and the rules evaluate each group
    planned, counts = expand_groups(planned, source.fetch(requests(planned), progress))
    end = float(planned[0].edges[-1])
    start = end - days * 86400.0
    slos = [
        replay_slo(
            p, np.asarray(c.good, dtype=float), np.asarray(c.total, dtype=float), start, for_s, c
        )
        if c.error is None
        else _unreplayed(p.slo, p.window.name, slo_error(p.slo, c.error), p.source_path)
        for p, c in zip(planned, counts, strict=True)
    ]
    by_key = {p.slo.key: (p, c) for p, c in zip(planned, counts, strict=True)}
    for spec in specs:
        for comp in spec.composites:
            members = [by_key[k] for k in comp.member_keys]
            failed = [p.slo.key for p, c in members if c.error is not None]
            if not failed:
                done = replay_composite(comp, members, start, for_s)
                slos.append(replace(done, source_path=spec.source_path))
                continue
            window = composite_window(comp, end).name
            shape = {"method": comp.method, "members": _members(comp, [p for p, _ in members])}
            error = member_error(comp, failed)
            slos.append(_unreplayed(comp, window, error, spec.source_path, **shape))
    return Backtest(start=start, end=end, days=days, for_s=for_s, slos=tuple(slos))


def _unreplayed(
    thing: Any, window: str, error: Any, path: str | None, **composite: Any
) -> SLOBacktest:
    """An SLO whose own queries failed, or a composite whose members' did (`error`, an
    `SLOError` as `slo check`'s ERROR row has it): nothing replayed, every count being NaN, so
    no alert and no event is known."""
    return SLOBacktest(
        key=thing.key,
        objective=float(thing.objective),
        window=window,
        rules=tuple(r.label for r in _rules(thing)),
        pages=(),
        tickets=(),
        events=(),
        exact=False,
        notes=(),
        error=error,
        source_path=path,
        **composite,
    )
