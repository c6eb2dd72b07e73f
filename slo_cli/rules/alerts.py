"""The alerting rules of one SLO: one multi-window burn-rate alert per alert rule, and the
optional "budget exhausted" alert, with severity labels and annotations."""

from __future__ import annotations

from typing import Any

from slo_cli.engine.alerting import AlertRule, format_window
from slo_cli.rules import build as B


def _objective(slo: Any) -> str:
    pct = f"{float(slo.objective) * 100:.6f}".rstrip("0").rstrip(".")
    return f"{pct}% over {slo.window.label}"


def group_text(slo: Any) -> str:
    """A grouped SLO's group as the alert's template writes it, the name `slo check` gives
    the group: ``{instance="{{ $labels.instance }}"}``; "" for an ungrouped SLO."""
    if not slo.group_by:
        return ""
    return "{" + ", ".join(f'{k}="{{{{ $labels.{k} }}}}"' for k in slo.group_by) + "}"


def _remaining_annotation(slo: Any, sel: str) -> str:
    query = f"{B.REMAINING}{sel}"
    if slo.group_by:  # the alert's own group: its label values put into the selector
        query = query[:-1].replace("%", "%%") + "".join(f",{k}=%q" for k in slo.group_by) + "}"
        args = " ".join(f"$labels.{k}" for k in slo.group_by)
        head = f"{{{{ with printf `{query}` {args} | query }}}}"
    else:
        head = f"{{{{ with query `{query}` }}}}"
    return head + "{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}"


def _common(spec: Any, slo: Any, sel: str, calendar: bool) -> dict[str, str]:
    out = {
        "slo": f"{slo.key}{group_text(slo)}: {_objective(slo)}",
        "budget_remaining": _remaining_annotation(slo, sel),
    }
    runbook = getattr(slo, "runbook_url", None)
    if runbook:
        out["runbook_url"] = runbook
    return out


def burn_alert(spec: Any, slo: Any, rule: AlertRule, options: Any, calendar: bool) -> B.Rule:
    """Fires when the burn rate over both of the rule's windows is at least its factor."""
    base = B.matchers({"slo_service": spec.service, "slo_name": slo.name})
    factor = B.factor_expr(slo, rule)
    long_w, short_w = format_window(rule.long_s), format_window(rule.short_s)

    def burn(window: str) -> str:
        sel = B.matchers({"slo_service": spec.service, "slo_name": slo.name, "slo_window": window})
        return f"{B.BURN}{sel} >= {factor}"

    expr = f"{burn(long_w)}\nand ignoring(slo_window)\n{burn(short_w)}"
    if rule.budget_share is not None and not calendar:
        share = f"{rule.budget_share * 100:g}% of the budget in {long_w}, "
    else:
        share = ""
    what = slo.description or slo.key
    if slo.group_by:
        what += f" ({group_text(slo)[1:-1]})"
    annotations = {
        "summary": (
            f"{slo.key}{group_text(slo)}: error budget burning "
            f'{{{{ $value | printf "%.1f" }}}}x as fast as the SLO allows ({rule.label})'
        ),
        "description": (
            f"{what}. The burn rate over {long_w} and over {short_w} is at least "
            f"{factor if not calendar else 'the threshold'} ({share}{rule.severity})."
        ),
        "burn_rate": '{{ $value | printf "%.2f" }}',
        **_common(spec, slo, base, calendar),
    }
    labels = {
        **B.alert_labels(spec, slo),
        "slo_service": spec.service,
        "slo_name": slo.name,
        "severity": rule.severity,
        "slo_alert": rule.label,
    }
    return B.Rule(
        alert=B.BURN_ALERT,
        expr=expr,
        for_s=options.for_s,
        labels=labels,
        annotations=annotations,
    )


def exhausted_alert(spec: Any, slo: Any, options: Any) -> B.Rule:
    """Fires while the SLO window's budget is spent (remaining ≤ 0, the engine's CRITICAL)."""
    sel = B.matchers({"slo_service": spec.service, "slo_name": slo.name})
    group = group_text(slo)
    annotations = {
        "summary": f"{slo.key}{group}: error budget exhausted",
        "description": (
            f"{slo.description or slo.key}{f' ({group[1:-1]})' if group else ''}. "
            f"Every bad event now breaks the objective ({_objective(slo)})."
        ),
        **_common(spec, slo, sel, False),
    }
    labels = {
        **B.alert_labels(spec, slo),
        "slo_service": spec.service,
        "slo_name": slo.name,
        "severity": "page",
        "slo_alert": "budget exhausted",
    }
    return B.Rule(
        alert=B.EXHAUSTED_ALERT,
        expr=f"{B.REMAINING}{sel} <= 0",
        for_s=options.for_s,
        labels=labels,
        annotations=annotations,
    )
