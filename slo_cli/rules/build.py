"""Specs -> rule groups (format-free): one group per SLO, evaluated every E seconds.

Per SLO (docs/rules.md has the full table):

* `slo:sli_events_total:increase<E>` and `slo:sli_events_bad:increase<E>`: events of the last
  interval (t − E, t], from `rules.sli`;
* `slo:burn_rate{slo_window="<w>"}` for every distinct window of the SLO's alert rules:
  (bad ÷ total over the last w) ÷ (1 − objective), the window summed with `sum_over_time` over
  a range of w − E/2, which holds exactly the w ÷ E evaluations ending at t on every
  Prometheus version (2.x ranges include their left end, 3.x ranges do not);
* `slo:error_budget_remaining` (rolling windows): 1 − the burn rate over the SLO window;
* one alert per alert rule (the rule table and factor of `engine.alerting`, the SLO's own
  windows when its spec has them), and optionally a "budget exhausted" alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slo_cli.engine.alerting import (
    DEFAULT_ALERT_RULES,
    AlertRule,
    allowed_share,
    burn_factor,
    format_window,
)
from slo_cli.errors import UsageError
from slo_cli.rules import calendar as cal
from slo_cli.rules.sli import sli_exprs, slice_interval

TOTAL = "slo:sli_events_total:increase"
BAD = "slo:sli_events_bad:increase"
BURN = "slo:burn_rate"
REMAINING = "slo:error_budget_remaining"
BURN_ALERT = "SLOErrorBudgetBurn"
EXHAUSTED_ALERT = "SLOErrorBudgetExhausted"
_LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"


@dataclass(frozen=True)
class Options:
    """How rules are generated (the `slo rules` flags)."""

    interval_s: float = 60.0
    lookback_s: float = 3600.0
    for_s: float = 0.0
    exhausted_alert: bool = False


@dataclass(frozen=True)
class Rule:
    """One rule: `record` or `alert` is set; labels and annotations in insertion order."""

    expr: str
    record: str | None = None
    alert: str | None = None
    for_s: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """One rule group: one SLO's rules, evaluated every `interval_s`."""

    name: str
    interval_s: float
    rules: tuple[Rule, ...]
    slo_key: str
    exact: bool
    notes: tuple[str, ...] = ()
    #: what the command warns about (an approximate calendar zone), one line each
    warnings: tuple[str, ...] = ()


def duration(seconds: float) -> str:
    """A PromQL duration in compound units: 3570 -> '59m30s', 0.5 -> '500ms', 0 -> '0s'.

    >>> [duration(s) for s in (3570, 300, 86400, 0.5, 0, 90.25)]
    ['59m30s', '5m', '1d', '500ms', '0s', '1m30s250ms']
    """
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        n, ms = divmod(ms, size)
        if n:
            parts.append(f"{n}{unit}")
    if ms:
        parts.append(f"{ms}ms")
    return "".join(parts)


def matchers(labels: dict[str, str]) -> str:
    import json

    return "{" + ",".join(f"{k}={json.dumps(v)}" for k, v in labels.items()) + "}"


def alert_rules_of(slo: Any) -> tuple[AlertRule, ...]:
    """The SLO's own alert rules (the ones `slo check` evaluates), or the engine's defaults
    (an empty tuple when the spec turns alerting off)."""
    from slo_cli.plan import alert_rules

    rules = alert_rules(slo)
    return DEFAULT_ALERT_RULES if rules is None else tuple(rules)


def _check_multiple(slo: Any, what: str, seconds: float, interval_s: float) -> None:
    ratio = seconds / interval_s
    if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
        raise UsageError(
            f"{slo.key}: {what} {format_window(seconds)} is not a multiple of the rule "
            f"interval {format_window(interval_s)} (choose --interval to divide it)"
        )


def allowed_literal(objective: float) -> str:
    """``1 − objective`` as a PromQL number, exact to the objective's decimal: the engine's
    `allowed_share` (0.99 → 0.01, where float subtraction gives 0.010000000000000009), so a
    window exactly as bad as the objective allows burns exactly 1×, as in `slo check`.

    >>> allowed_literal(0.99), allowed_literal(0.999), allowed_literal(0.9995)
    ('0.01', '0.001', '0.0005')
    """
    return repr(allowed_share(float(objective)))


def interval_for(slo: Any, options: Options) -> float:
    """The group interval: --interval, or the SLO's slice length when it has slices."""
    return slice_interval(slo) or options.interval_s


def _base_labels(spec: Any, slo: Any) -> dict[str, str]:
    return {"slo_service": spec.service, "slo_name": slo.name}


def _base_labels_of(slo: Any) -> dict[str, str]:
    return {"slo_service": slo.service, "slo_name": slo.name}


def alert_labels(spec: Any, slo: Any) -> dict[str, str]:
    import re

    labels = {**spec.labels, **slo.labels}
    for name in labels:
        if not re.match(_LABEL_NAME, name) or name.startswith("__"):
            raise UsageError(f"{slo.key}: label {name!r} is not a Prometheus label name")
    return {k: labels[k] for k in sorted(labels)}


#: labels the rules set themselves: a group_by label of that name would be overwritten
RESERVED_LABELS = ("slo_service", "slo_name", "slo_window", "severity", "slo_alert", "alertname")


def check_group_labels(spec: Any, slo: Any) -> None:
    """A grouped SLO's labels must survive into its series and alerts: none may be a label the
    rules set, nor a spec label (an alert's own label would replace the group's value)."""
    for name in slo.group_by:
        if name in RESERVED_LABELS or name in spec.labels or name in slo.labels:
            what = "a label the rules set" if name in RESERVED_LABELS else "also a spec label"
            raise UsageError(f"{slo.key}: group_by label {name!r} is {what}; rename one")


def group_note(slo: Any) -> str:
    """What a grouped SLO's rules hold (the header comment)."""
    by = ", ".join(slo.group_by)
    return (
        f"one series per group by ({by}), as `slo check` evaluates each group; "
        f"max_groups ({slo.max_groups}) is not enforced by the rules"
    )


def adjustment_count(spec: Any, slo: Any) -> int:
    """How many budget adjustments apply to `slo`: its service's and its own."""
    return len(getattr(spec, "adjustments", None) or ()) + len(
        getattr(slo, "adjustments", None) or ()
    )


def adjustments_warning(spec: Any, slo: Any) -> tuple[str, ...]:
    """The rules cannot apply budget adjustments (docs/rules.md): say so when there are any."""
    n = adjustment_count(spec, slo)
    if not n:
        return ()
    return (
        f"{n} budget adjustment{'s' if n > 1 else ''} not applied: the rules count every event "
        "(PromQL cannot drop their periods), so around them the burn rates, budget and alerts "
        "may differ from `slo check`; silence planned maintenance in Alertmanager",
    )


def windows_of(rules: Sequence[AlertRule]) -> list[float]:
    """Every distinct long and short window of the rules, shortest first."""
    return sorted({float(w) for r in rules for w in (r.long_s, r.short_s)})


def build_group(spec: Any, slo: Any, options: Options) -> Group:
    """The rule group of one SLO."""
    check_group_labels(spec, slo)
    if getattr(slo.window, "start", None) is not None:
        raise UsageError(
            f"{slo.key}: calendar periods anchored at a start time are not written as rules "
            "yet; `slo check` evaluates them"
        )
    interval = interval_for(slo, options)
    exprs = sli_exprs(slo, interval, options.lookback_s)
    rules = alert_rules_of(slo)
    windows = windows_of(rules)
    calendar = cal.is_calendar(slo)
    for w in windows:
        _check_multiple(slo, "alert window", w, interval)
    if not calendar:
        _check_multiple(slo, "SLO window", slo.window.seconds, interval)
    base = _base_labels(spec, slo)
    e = duration(interval)
    total_name, bad_name = TOTAL + e, BAD + e
    sel = matchers(base)
    out = [
        Rule(record=total_name, expr=exprs.total, labels=dict(base)),
        Rule(record=bad_name, expr=exprs.bad, labels=dict(base)),
    ]
    allowed = allowed_literal(slo.objective)
    for w in windows:
        rng = duration(w - interval / 2)
        expr = (
            f"(sum_over_time({bad_name}{sel}[{rng}]) / sum_over_time({total_name}{sel}[{rng}]))"
            f" / {allowed}"
        )
        out.append(Rule(record=BURN, expr=expr, labels={**base, "slo_window": format_window(w)}))
    notes = [exprs.note] if exprs.note else []
    if slo.group_by:
        notes.append(group_note(slo))
    warnings: tuple[str, ...] = adjustments_warning(spec, slo)
    notes.extend(warnings)
    exact = exprs.exact
    if calendar:
        zone = cal.zone_of(slo)
        notes.append(cal.note(slo, zone))
        if not zone.exact:
            exact, warnings = False, (*warnings, cal.approximate(slo, zone))
        out.extend(calendar_rules(slo, base, interval, zone, (total_name, bad_name), allowed))
    else:
        rng = duration(slo.window.seconds - interval / 2)
        expr = (
            f"1 - (sum_over_time({bad_name}{sel}[{rng}]) / sum_over_time({total_name}{sel}"
            f"[{rng}])) / {allowed}"
        )
        out.append(Rule(record=REMAINING, expr=expr, labels=dict(base)))
    from slo_cli.rules.alerts import burn_alert, exhausted_alert

    out.extend(burn_alert(spec, slo, rule, options, calendar) for rule in rules)
    if options.exhausted_alert:
        out.append(exhausted_alert(spec, slo, options))
    return Group(
        name=f"slo:{slo.key}",
        interval_s=interval,
        rules=tuple(out),
        slo_key=slo.key,
        exact=exact,
        notes=tuple(notes),
        warnings=warnings,
    )


def calendar_clock_rules(
    slo: Any, base: dict[str, str], interval: float, zone: cal.Zone
) -> list[Rule]:
    """A calendar window's local time, period start and period length (`rules.calendar`)."""
    sel = matchers(base)
    calendar = slo.window.calendar
    return [
        Rule(record=cal.LOCAL, expr=cal.local_expr(zone, interval), labels=dict(base)),
        Rule(record=cal.START, expr=cal.start_expr(calendar, sel), labels=dict(base)),
        Rule(record=cal.LENGTH, expr=cal.length_expr(zone, calendar, sel), labels=dict(base)),
    ]


def calendar_rules(
    slo: Any,
    base: dict[str, str],
    interval: float,
    zone: cal.Zone,
    counts: tuple[str, str],
    allowed: str,
) -> list[Rule]:
    """A calendar SLO's local time, period length, phase-labelled counts and budget left
    (`rules.calendar`)."""
    sel = matchers(base)
    calendar = slo.window.calendar
    phase = cal.current_phase(calendar, sel)
    e = duration(interval)
    out = calendar_clock_rules(slo, base, interval, zone)
    phased = []
    for count, which in zip(counts, ("total", "bad"), strict=True):
        name = f"slo:period_events_{which}:increase{e}"
        phased.append(name)
        expr = f"{count}{sel} + on() group_left(slo_phase) (({phase}) * 0)"
        out.append(Rule(record=name, expr=expr, labels=dict(base)))
    rng = duration(cal.LONGEST_DAYS[calendar] * 86400.0 + 86400.0 - interval / 2)
    total, bad = (f"sum_over_time({name}{sel}[{rng}])" for name in phased)
    expr = (
        f"sum without (slo_phase) ((1 - ({bad} / {total}) / {allowed}) and on(slo_phase) ({phase}))"
    )
    out.append(Rule(record=REMAINING, expr=expr, labels=dict(base)))
    return out


def factor_expr(slo: Any, rule: AlertRule) -> str:
    """The burn-rate threshold of `rule` for `slo` as PromQL: a number for rolling windows
    (`engine.alerting.burn_factor`, the same float `slo check` compares with), an expression
    of the current calendar period's length for calendar windows."""
    if not cal.is_calendar(slo) or rule.burn_rate is not None:
        return repr(burn_factor(rule, cal.window_seconds(slo)))
    return cal.factor_expr(slo, rule, matchers(_base_labels_of(slo)))


def build(specs: Sequence[Any], options: Options) -> list[Group]:
    """Every SLO's group, in spec order (a usage error when two SLOs share a key)."""
    groups: list[Group] = []
    seen: set[str] = set()
    for spec in specs:
        for slo in spec.slos:
            if slo.key in seen:
                raise UsageError(f"{slo.key}: defined twice (rule group names must be unique)")
            seen.add(slo.key)
            groups.append(build_group(spec, slo, options))
    return groups
