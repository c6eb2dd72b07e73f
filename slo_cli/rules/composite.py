"""Rules of `weighted` composite SLOs (docs/rules.md): the composite's events per interval are
Σ w × each member's recorded per-interval counts, its burn rates, budget left and alerts those
of an SLO with the composite's objective, window and alert rules. Other methods and calendar
windows are skipped (the command warns, the file header names them)."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from slo_cli.engine.alerting import format_window
from slo_cli.rules import build as B


def _skip(c: Any, why: str) -> str:
    return f"{c.key}: composite skipped: {why}"


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


def _counts(c: Any, which: str, interval: float) -> str:
    """Σ w × each member's count of its latest interval: the sum over the last E less 1 ms of
    the member's per-interval series holds its one latest sample whatever the two groups'
    evaluation offsets (unless the composite's group runs within 1 ms after the member's)."""
    rng = B.duration(interval - 0.001)
    terms = []
    for key, weight in zip(c.member_keys, c.weights, strict=True):
        service, name = key.split("/", 1)
        sel = B.matchers({"slo_service": service, "slo_name": name})
        terms.append(f"{float(weight)!r} * sum(sum_over_time({which}{sel}[{rng}]))")
    return " + ".join(terms)


def composite_group(spec: Any, c: Any, interval: float, options: B.Options) -> B.Group:
    """The rule group of one weighted, rolling-window composite: its own per-interval counts
    (the members', weighted), then burn rates, budget left and alerts as an SLO's."""
    from slo_cli.rules.alerts import burn_alert, exhausted_alert

    view = _view(c)
    rules = B.alert_rules_of(c)
    e = B.duration(interval)
    total_name, bad_name = B.TOTAL + e, B.BAD + e
    base = {"slo_service": c.service, "slo_name": c.name}
    sel = B.matchers(base)
    allowed = f"(1 - {float(c.objective)!r})"
    out = [
        B.Rule(record=total_name, expr=_counts(c, total_name, interval), labels=dict(base)),
        B.Rule(record=bad_name, expr=_counts(c, bad_name, interval), labels=dict(base)),
    ]

    def ratio(seconds: float) -> str:
        rng = B.duration(seconds - interval / 2)
        return f"(sum_over_time({bad_name}{sel}[{rng}]) / sum_over_time({total_name}{sel}[{rng}]))"

    for w in B.windows_of(rules):
        labels = {**base, "slo_window": format_window(w)}
        out.append(B.Rule(record=B.BURN, expr=f"{ratio(w)} / {allowed}", labels=labels))
    remaining = f"1 - {ratio(c.window.seconds)} / {allowed}"
    out.append(B.Rule(record=B.REMAINING, expr=remaining, labels=dict(base)))
    out.extend(burn_alert(spec, view, rule, options, False) for rule in rules)
    if options.exhausted_alert:
        out.append(exhausted_alert(spec, view, options))
    members = ", ".join(f"{w:g} × {k}" for k, w in zip(c.member_keys, c.weights, strict=True))
    return B.Group(
        name=f"slo:{c.key}",
        interval_s=interval,
        rules=tuple(out),
        slo_key=c.key,
        exact=True,
        notes=(
            f"weighted composite of {members}: their recorded counts, up to one interval "
            "after their groups record them",
        ),
    )


def composite_groups(
    specs: Sequence[Any], groups: Sequence[B.Group], options: B.Options
) -> tuple[list[B.Group], list[str]]:
    """The groups of the weighted composites whose members have groups with one interval, and
    a line per composite skipped (`key: composite skipped: why`)."""
    intervals = {g.slo_key: g.interval_s for g in groups}
    out: list[B.Group] = []
    skipped: list[str] = []
    for spec in specs:
        for c in spec.composites:
            found = {intervals.get(k) for k in c.member_keys}
            if c.method != "weighted":
                skipped.append(_skip(c, f"`slo rules` writes no rules for {c.method} yet"))
            elif getattr(c.window, "calendar", None) is not None:
                skipped.append(_skip(c, "`slo rules` writes no rules for calendar composites yet"))
            elif None in found:
                skipped.append(_skip(c, "a member has no rules"))
            elif len(found) != 1:
                skipped.append(_skip(c, "its members' rules differ in interval"))
            else:
                out.append(composite_group(spec, c, float(found.pop() or 0.0), options))
    return out, skipped
