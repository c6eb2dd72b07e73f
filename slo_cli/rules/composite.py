"""Rules of composite SLOs (docs/rules.md, "Composite SLOs"): one group per composite, at the
coarsest of its members' intervals E, reading the members' recorded per-interval counts.

* `weighted`: the composite's events per interval are Σ w × each member's counts; burn rates,
  budget left and alerts are then those of an SLO with the composite's objective, window
  (rolling or calendar) and alert rules;
* `least_healthy`, `weighted_burn`: each member's counts are copied into the group (one series
  per member, `slo_member`), and every window's burn rate combines the members' window sums as
  `slo_cli.engine.composite` does (`rules.members`); the budget left is 1 − the burn over the
  SLO window (calendar: the current period).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from slo_cli.engine.alerting import format_window
from slo_cli.errors import UsageError
from slo_cli.rules import build as B
from slo_cli.rules import calendar as cal
from slo_cli.rules import members as M


def _view(c: Any) -> Any:
    """The composite as the alert builders read an SLO (no groups, no runbook)."""
    return SimpleNamespace(
        key=c.key,
        name=c.name,
        service=c.service,
        description=c.description,
        objective=c.objective,
        window=c.window,
        labels=c.labels,
        group_by=(),
        runbook_url=None,
    )


def _weighted_counts(c: Any, kind: str, intervals: dict[str, float], interval: float) -> str:
    """Σ w × each member's count of the composite's latest interval: the sum over the last E
    less 1 ms of the member's per-interval series holds its samples of that interval whatever
    the groups' evaluation offsets (unless the composite's group runs within 1 ms after the
    member's)."""
    rng = B.duration(interval - 0.001)
    terms = []
    for key, weight in zip(c.member_keys, c.weights, strict=True):
        service, name = key.split("/", 1)
        record = (B.TOTAL if kind == "total" else B.BAD) + B.duration(intervals[key])
        sel = B.matchers({"slo_service": service, "slo_name": name})
        terms.append(f"{float(weight)!r} * sum(sum_over_time({record}{sel}[{rng}]))")
    return " + ".join(terms)


def common_interval(c: Any, intervals: dict[str, float]) -> float:
    """The coarsest member interval, which every member's must divide (in milliseconds)."""
    ms = [round(intervals[k] * 1000) for k in c.member_keys]
    common = max(ms)
    if any(common % m for m in ms):
        common = math.lcm(*ms)
    return common / 1000.0


def _check(c: Any, rules: Sequence[Any], interval: float) -> None:
    lengths = [(f"alert window {format_window(w)}", w) for w in B.windows_of(rules)]
    if not cal.is_calendar(c):
        lengths.append((f"window {format_window(c.window.seconds)}", c.window.seconds))
    for what, seconds in lengths:
        ratio = seconds / interval
        if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
            raise UsageError(
                f"{c.key}: composite {what} is not a multiple of its members' common rule "
                f"interval {format_window(interval)}"
            )


def _notes(c: Any, intervals: dict[str, float], interval: float) -> tuple[str, ...]:
    members = ", ".join(f"{w:g} × {k}" for k, w in zip(c.member_keys, c.weights, strict=True))
    what = {
        "weighted": f"weighted composite of {members}",
        "least_healthy": f"least_healthy composite of {', '.join(c.member_keys)}: per window "
        "the member with the highest error ratio",
        "weighted_burn": f"weighted_burn composite of {members}: per window Σ weight × the "
        "member's burn rate",
    }[c.method]
    lag = "up to one interval after their groups record them"
    if len({intervals[k] for k in c.member_keys}) > 1:
        each = ", ".join(f"{k} every {format_window(intervals[k])}" for k in c.member_keys)
        lag = (
            f"their members record at different intervals ({each}): the composite sums each "
            f"member's counts into its intervals of {format_window(interval)}, up to one member "
            "interval after their groups record them"
        )
    return (f"{what}: their recorded counts, {lag}",)


def adjustments_warning(c: Any, adjusted: dict[str, int]) -> tuple[str, ...]:
    """The rules cannot apply the members' budget adjustments, which `slo check` applies to the
    composite too (docs/rules.md): say so, naming the members, when any has some."""
    some = [(k, adjusted[k]) for k in c.member_keys if adjusted.get(k)]
    if not some:
        return ()
    n = sum(count for _, count in some)
    which = ", ".join(f"{k} ({count})" for k, count in some)
    return (
        f"{n} budget adjustment{'s' if n > 1 else ''} of its members not applied ({which}): "
        "the composite's rules count every member event (PromQL cannot drop their periods), "
        "while `slo check` excludes those events from the composite too, so around them its "
        "burn rates, budget and alerts may differ; silence planned maintenance in Alertmanager",
    )


def composite_group(
    spec: Any,
    c: Any,
    intervals: dict[str, float],
    objectives: dict[str, float],
    options: Any,
    adjusted: dict[str, int] | None = None,
) -> B.Group:
    """The rule group of one composite (every method, rolling or calendar window);
    `adjusted`: the number of budget adjustments per SLO key (the members' are not applied)."""
    from slo_cli.rules.alerts import burn_alert, exhausted_alert

    if getattr(c.window, "start", None) is not None:
        raise UsageError(
            f"{c.key}: calendar periods anchored at a start time are not written as rules "
            "yet; `slo check` evaluates them"
        )
    view = _view(c)
    rules = B.alert_rules_of(c)
    interval = common_interval(c, intervals)
    _check(c, rules, interval)
    calendar = cal.is_calendar(c)
    base = {"slo_service": c.service, "slo_name": c.name}
    notes = list(_notes(c, intervals, interval))
    warnings = adjustments_warning(c, adjusted or {})
    notes.extend(warnings)
    if c.method == "weighted":
        out = _weighted_rules(c, view, base, intervals, interval, rules)
    else:
        out = _combined_rules(c, base, intervals, interval, rules, objectives)
    exact = True
    if calendar:
        zone = cal.zone_of(view)
        notes.append(cal.note(view, zone))
        if not zone.exact:
            exact, warnings = False, (*warnings, cal.approximate(view, zone))
    out.extend(burn_alert(spec, view, rule, options, calendar) for rule in rules)
    if options.exhausted_alert:
        out.append(exhausted_alert(spec, view, options))
    return B.Group(
        name=f"slo:{c.key}",
        interval_s=interval,
        rules=tuple(out),
        slo_key=c.key,
        exact=exact,
        notes=tuple(notes),
        warnings=warnings,
    )


def _weighted_rules(
    c: Any,
    view: Any,
    base: dict[str, str],
    intervals: dict[str, float],
    interval: float,
    rules: Sequence[Any],
) -> list[B.Rule]:
    """A weighted composite: its weighted counts, then an SLO's burn rates and budget."""
    e = B.duration(interval)
    total_name, bad_name = B.TOTAL + e, B.BAD + e
    sel = B.matchers(base)
    allowed = B.allowed_literal(c.objective)
    out = [
        B.Rule(record=total_name, expr=_weighted_counts(c, "total", intervals, interval)),
        B.Rule(record=bad_name, expr=_weighted_counts(c, "bad", intervals, interval)),
    ]
    out = [B.Rule(record=r.record, expr=r.expr, labels=dict(base)) for r in out]

    def ratio(seconds: float) -> str:
        rng = B.duration(seconds - interval / 2)
        return f"(sum_over_time({bad_name}{sel}[{rng}]) / sum_over_time({total_name}{sel}[{rng}]))"

    for w in B.windows_of(rules):
        labels = {**base, "slo_window": format_window(w)}
        out.append(B.Rule(record=B.BURN, expr=f"{ratio(w)} / {allowed}", labels=labels))
    if cal.is_calendar(c):
        zone = cal.zone_of(view)
        counts = (total_name, bad_name)
        out.extend(B.calendar_rules(view, base, interval, zone, counts, allowed))
    else:
        remaining = f"1 - {ratio(c.window.seconds)} / {allowed}"
        out.append(B.Rule(record=B.REMAINING, expr=remaining, labels=dict(base)))
    return out


def _combined_rules(
    c: Any,
    base: dict[str, str],
    intervals: dict[str, float],
    interval: float,
    rules: Sequence[Any],
    objectives: dict[str, float],
) -> list[B.Rule]:
    """least_healthy / weighted_burn: the members' counts copied, each window's burn rate
    combined from the members' window sums (`rules.members`), the budget left from the SLO
    window's (calendar: the current period's)."""
    e = B.duration(interval)
    member_o = [objectives[k] for k in c.member_keys]
    out = [
        B.Rule(record=name + e, expr=M.member_copy(c, kind, intervals, interval), labels=dict(base))
        for name, kind in ((M.MEMBER_TOTAL, "total"), (M.MEMBER_BAD, "bad"))
    ]
    for w in B.windows_of(rules):
        expr = M.burn_expr(c, member_o, M.rolling_sums(base, interval, w))
        out.append(
            B.Rule(record=B.BURN, expr=expr, labels={**base, "slo_window": format_window(w)})
        )
    if not cal.is_calendar(c):
        burn = M.burn_expr(c, member_o, M.rolling_sums(base, interval, c.window.seconds))
        out.append(B.Rule(record=B.REMAINING, expr=f"1 - ({burn})", labels=dict(base)))
        return out
    view = _view(c)
    zone = cal.zone_of(view)
    sel = B.matchers(base)
    calendar = c.window.calendar
    phase = cal.current_phase(calendar, sel)
    out.extend(B.calendar_clock_rules(view, base, interval, zone))
    for name, source in ((M.PERIOD_TOTAL, M.MEMBER_TOTAL), (M.PERIOD_BAD, M.MEMBER_BAD)):
        expr = f"{source}{e}{sel} + on() group_left(slo_phase) (({phase}) * 0)"
        out.append(B.Rule(record=name + e, expr=expr, labels=dict(base)))
    range_s = cal.LONGEST_DAYS[calendar] * 86400.0 + 86400.0
    burn = M.burn_expr(c, member_o, M.period_sums(base, interval, range_s, phase))
    out.append(B.Rule(record=B.REMAINING, expr=f"1 - ({burn})", labels=dict(base)))
    return out


def composite_groups(
    specs: Sequence[Any], groups: Sequence[B.Group], options: Any
) -> tuple[list[B.Group], list[str]]:
    """The group of every composite, and a line per composite without rules (`key:
    composite skipped: why`: only when a member has no rule group, e.g. not selected). A
    composite whose members have budget adjustments says so in its warnings and header."""
    intervals = {g.slo_key: g.interval_s for g in groups}
    objectives = {slo.key: float(slo.objective) for spec in specs for slo in spec.slos}
    adjusted = {slo.key: B.adjustment_count(spec, slo) for spec in specs for slo in spec.slos}
    out: list[B.Group] = []
    skipped: list[str] = []
    for spec in specs:
        for c in spec.composites:
            if any(k not in intervals for k in c.member_keys):
                skipped.append(f"{c.key}: composite skipped: a member has no rules")
                continue
            out.append(composite_group(spec, c, intervals, objectives, options, adjusted))
    return out, skipped
