"""`slo check --explain SLO` as text: every figure of one SLO with its equation and the numbers
put into it, the alert rules against their thresholds, the gate's decision and every query the
counts took.

The figures are the engine's (an `Explained` from `slo_cli.tracing`); the equations are the
ones `slo_cli.engine.formulas` states (`Trace.equations`). Nothing here computes a figure: the
numbers substituted into an equation are its inputs as the engine got them, and the result is
the engine's. Counts print whole (or with up to 15 significant digits), ratios with 10.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from slo_cli.explanation import Explained, Query, QueryList, RuleFigures, Trace, WindowFigures
from slo_cli.render.common import iso, objective_text
from slo_cli.render.explain_composite import head_lines, member_lines
from slo_cli.render.units import human_duration
from slo_cli.results import SLOResult


def count(x: float) -> str:
    """An event count exactly (thousands separated); NaN and ∞ spelled out.

    >>> count(129609013.0), count(6400.0), count(1234.5625), count(float("nan"))
    ('129,609,013', '6,400', '1,234.5625', 'NaN')
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.15g}"


def ratio(x: float) -> str:
    """A ratio with 10 significant digits.

    >>> ratio(0.9997986405), ratio(14.4), ratio(float("inf")), ratio(float("nan"))
    ('0.9997986405', '14.4', '∞', 'NaN')
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:.10g}"


def _span(start: float, end: float) -> str:
    return f"[{iso(start)}, {iso(end)}]"


def bins_text(w: WindowFigures) -> str:
    """``390 bins: 30 × 1h, 360 × 1m`` (and how many were counted again from raw samples)."""
    parts = ", ".join(f"{b.count} × {human_duration(b.width_s)}" for b in w.bins)
    text = f"{w.n_bins} bins: {parts}"
    if w.refined:
        text += f"; {len(w.refined)} counted again from raw samples"
    return text


def _head(r: SLOResult, e: Explained) -> list[str]:
    lines = [f"{r.key} — explained at {iso(e.at)} ({e.origin})"]
    if r.description:
        lines.append(f"  {r.description}")
    where = r.source_path or "<spec>"
    if r.source_line:
        where += f":{r.source_line}"
    kind = r.sli_kind + (f", budgeting {r.budgeting}" if r.budgeting_note else "")
    approx = "" if r.exact else " (approximate: evaluated by the server)"
    lines += [
        f"  spec {where}; SLI {kind}{approx}; counts in {r.count_unit}",
        f"  objective {objective_text(r.objective)} = {ratio(r.objective)}; "
        f"1 − objective = {ratio(1 - r.objective)}",
    ]
    return lines


def _slo_window(r: SLOResult, t: Trace) -> list[str]:
    w, eq, unit = t.slo_window, t.equations, r.count_unit
    obj = ratio(r.objective)
    return [
        f"SLO window {r.window}: {_span(w.start, w.end)}, the budget spread over "
        f"{human_duration(r.window_s)} ({count(r.window_s)} s)",
        f"  {bins_text(w)} (grid: {t.grid_bins} bins from {iso(t.grid_start)})",
        *member_lines(r, t, w, "  "),
        f"  good {count(w.good)} {unit}, total {count(w.total)} {unit}, "
        f"bad = total − good = {count(w.bad)}",
        f"  {eq['coverage']} = 1 − {count(w.missing_s)} ÷ {count(w.span_s)} = "
        f"{ratio(w.coverage)} (status needs ≥ {ratio(r.min_coverage)})",
        f"  {eq['sli']} = {count(r.good)} ÷ {count(r.total)} = {ratio(r.sli)}",
        f"  {eq['error_budget']} = (1 − {obj}) × {count(r.total)} = {count(r.allowed_bad)} {unit}",
        f"  {eq['budget_minutes']} = {count(r.window_s)} × (1 − {obj}) ÷ 60 = "
        f"{ratio(r.budget_minutes)} min ({human_duration(r.budget_minutes * 60)})",
        f"  {eq['consumed']} = {count(w.bad)} ÷ {count(r.allowed_bad)} = {ratio(r.consumed)} "
        f"({ratio(r.consumed * 100)} %)",
        f"  {eq['remaining']} = 1 − {ratio(r.consumed)} = {ratio(r.remaining)} "
        f"({ratio(r.remaining * 100)} %; WARNING below {ratio(r.warn_remaining)})",
    ]


def _windows(r: SLOResult, t: Trace) -> list[str]:
    obj = ratio(r.objective)
    lines = [f"Burn-rate windows, ending {iso(r.window_end)}: {t.equations['burn_rate']}"]
    for w in t.windows:
        lines += [
            f"  {w.name:>5} {_span(w.start, w.end)} {bins_text(w)}",
            *member_lines(r, t, w, "        "),
            f"        good {count(w.good)}, total {count(w.total)}, bad {count(w.bad)}; "
            f"coverage 1 − {count(w.missing_s)} ÷ {count(w.span_s)} = {ratio(w.coverage)}",
            f"        burn = ({count(w.bad)} ÷ {count(w.total)}) ÷ (1 − {obj}) = "
            f"{ratio(w.burn_rate)}",
        ]
    return lines


def _rule(rule: RuleFigures, r: SLOResult, t: Trace) -> str:
    long_name, short_name = human_duration(rule.long_s), human_duration(rule.short_s)
    if rule.fixed_burn_rate is not None:
        threshold = f"threshold {ratio(rule.threshold)} (a fixed burn rate)"
    else:
        threshold = (
            f"threshold = {ratio(rule.budget_share or 0.0)} × {count(r.window_s)} ÷ "
            f"{count(rule.long_s)} = {ratio(rule.threshold)}"
        )

    def side(name: str, burn: float) -> str:
        ok = not math.isnan(burn) and burn >= rule.threshold
        return f"{name} {ratio(burn)} {'≥' if ok else '<'} {ratio(rule.threshold)}"

    if rule.blind:
        verdict = "cannot be evaluated (a window without data)"
    else:
        verdict = "FIRES" if rule.firing else "does not fire"
    sides = side(long_name, rule.long_burn)
    if rule.short_s != rule.long_s:
        sides += f" and {side(short_name, rule.short_burn)}"
    return f"  {rule.label}: {threshold}; {sides} → {verdict}"


def _alerts(r: SLOResult, t: Trace) -> list[str]:
    eq = t.equations
    lines = [f"Alert rules: {eq['threshold']}; {eq['fires']}"]
    lines += [_rule(rule, r, t) for rule in t.rules] or ["  none (the spec has no alerts)"]
    basis = t.window(t.tte_basis)
    burn = basis.burn_rate if basis is not None else r.burn_rates.get(t.tte_basis, math.nan)
    tte = r.time_to_exhaustion_s
    left = "∞ (not burning)" if math.isinf(tte) else f"{ratio(tte)} s"
    if math.isfinite(tte):
        left += f" ({human_duration(tte)})"
    if tte == 0 and r.remaining <= 0:
        left += ": the budget is already spent (remaining ≤ 0)"
    elif math.isnan(tte):
        left += f" (unknown: no data in the {t.tte_basis} window, or no traffic in the SLO's)"
    lines += [
        f"Time to exhaustion at the {t.tte_basis} burn rate: {eq['time_to_exhaustion']}",
        f"  = {ratio(r.remaining)} × {count(r.window_s)} ÷ {ratio(burn)} = {left}",
    ]
    return lines


def _since(r: SLOResult, t: Trace) -> list[str]:
    """`--since`: the stretch since the deploy, as the engine summed it."""
    since = r.since
    if since is None:
        return []
    eq, obj = t.equations, ratio(r.objective)
    return [
        "",
        f"Since {iso(since.start)} (--since): {_span(since.start, since.end)}",
        f"  good {count(since.good)}, total {count(since.total)}, bad {count(since.bad)}; "
        f"coverage {ratio(since.coverage)}; SLI {ratio(since.sli)}",
        f"  burn = ({count(since.bad)} ÷ {count(since.total)}) ÷ (1 − {obj}) = "
        f"{ratio(since.burn_rate)} (average); spent {count(since.bad)} ÷ {count(r.allowed_bad)}"
        f" = {ratio(since.consumed)} of the SLO window's budget ({eq['consumed']})",
    ]


def _decision(r: SLOResult, e: Explained) -> list[str]:
    firing = ", ".join(r.alerts_firing) or "none"
    lines = [f"Status {r.status} (alerts firing: {firing})"]
    if r.alerts_blind:
        lines.append(f"  not evaluated (no data in a window): {', '.join(r.alerts_blind)}")
    v = r.verdict
    gate = f"Gate: {r.gate.describe()} ({r.gate.origin})"
    if v is not None:
        if v.unknown:
            gate += " → no answer: " + ", ".join(v.reasons)
        elif v.breached:
            gate += " → fails: " + ", ".join(v.reasons)
        else:
            gate += " → passes"
    lines.append(gate + f"; exit code {e.exit_code}")
    lines += [f"  note: {n}" for n in r.notes]
    if r.data_error:
        lines.append("  note: good events exceed total events in some bin (counted as equal)")
    return lines


def query_lines(queries: Iterable[Query]) -> list[str]:
    """Each call: its number, kind, path and time parameters exactly as sent (with their
    instants in UTC), then the PromQL on its own line, exactly as sent."""
    lines = []
    for n, q in enumerate(queries, 1):
        sent = " ".join(f"{k}={v}" for k, v in q.params if k not in ("query", "match[]"))
        start, end, step, at = (q.param(k) for k in ("start", "end", "step", "time"))
        when = ""
        if start is not None and end is not None and step is not None:
            points = round((float(end) - float(start)) / float(step)) + 1
            when = f" ({points} points {iso(float(start))} … {iso(float(end))})"
        elif start is not None and end is not None:
            when = f" ({iso(float(start))} … {iso(float(end))})"
        elif at is not None:
            when = f" ({iso(float(at))})"
        lines += [f"  {n}. {q.kind} {q.path} {sent}{when}", f"     {q.text}"]
    return lines


def _queries(e: Explained) -> list[str]:
    ql: QueryList = e.queries
    lines = [f"Queries ({len(ql.queries)}, {e.origin}):"]
    lines += query_lines(ql.queries) or ["  none"]
    if ql.error:
        lines.append(f"  stopped: {ql.error}")
    return lines


def explain_text(e: Explained) -> str:
    """The whole explanation, one block per result (a grouped SLO has one per group)."""
    out: list[str] = []
    for r in e.results:
        t: Trace = r.trace
        if out:
            out.append("")
        out += _head(r, e)
        if t is not None and t.method is not None:
            out += head_lines(r, t)
        if r.error is not None:
            out.append(f"  error: {r.error.describe(r.source_path)}")
        elif t is not None:
            for block in (_slo_window(r, t), _windows(r, t), _alerts(r, t)):
                out += ["", *block]
            out += _since(r, t)
        out += ["", *_decision(r, e)]
    out += ["", *_queries(e)]
    return "\n".join(out) + "\n"
