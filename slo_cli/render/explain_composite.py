"""`slo check --explain COMPOSITE` as text: what a composite read of its members over each
window and how its method combined that into its counts (`slo_cli.render.explain` prints the
rest, as for any SLO).

Every number is the engine's (`WindowFigures.members`, the composite's own figures); the
equations are those of `slo_cli.engine.formulas` (`Trace.equations`).
"""

from __future__ import annotations

from collections.abc import Sequence

from slo_cli.explanation import MemberFigures, Trace, WindowFigures
from slo_cli.render.common import objective_text
from slo_cli.render.composite import METHOD_TEXT
from slo_cli.results import SLOResult


def _count(x: float) -> str:
    from slo_cli.render.explain import count

    return count(x)


def _ratio(x: float) -> str:
    from slo_cli.render.explain import ratio

    return ratio(x)


def _terms(members: Sequence[MemberFigures], values: Sequence[float], fmt: str = "count") -> str:
    show = _count if fmt == "count" else _ratio
    return " + ".join(f"{m.weight:g} × {show(v)}" for m, v in zip(members, values, strict=True))


def head_lines(r: SLOResult, t: Trace) -> list[str]:
    """The method with its equation and the members (weight, objective, own status)."""
    eq, method = t.equations, t.method or ""
    how = {
        "weighted": f"{eq.get('weighted_events')} per bin (good likewise), on the bins every "
        "member has data in",
        "least_healthy": f"over each window {eq.get('least_healthy')}: that member's good, "
        "total and bad are the composite's",
        "weighted_burn": f"over each window {eq.get('weighted_burn')}, each burnᵢ against the "
        f"member's own objective; as events {eq.get('weighted_events')} and "
        f"{eq.get('equivalent_bad')}",
    }.get(method, "")
    lines = [f"  method {method} ({METHOD_TEXT.get(method, method)}): {how}"]
    if r.composite is not None:
        for m in r.composite.members:
            weight = "" if method == "least_healthy" else f" ×{m.weight:g}"
            lines.append(
                f"    member {m.key}{weight}: objective {objective_text(m.objective)} = "
                f"{_ratio(m.objective)}; its own status {m.status}"
            )
    return lines


def member_lines(r: SLOResult, t: Trace, w: WindowFigures, indent: str) -> list[str]:
    """What the composite read of each member over `w`, then how its method combined it."""
    method, members = t.method, w.members
    if not members:
        return []
    lines = []
    for m in members:
        weight = "" if method == "least_healthy" else f" ×{m.weight:g}"
        mark = "  ← least healthy" if m.picked else ""
        error = ""
        if method == "least_healthy":
            error = f"; bad ÷ total = {_ratio(m.error_ratio)}"
        lines.append(
            f"{indent}{m.key}{weight}: good {_count(m.good)}, total {_count(m.total)}, bad "
            f"{_count(m.bad)}{error}; burn = ({_count(m.bad)} ÷ {_count(m.total)}) ÷ "
            f"(1 − {_ratio(m.objective)}) = {_ratio(m.burn_rate)}; missing "
            f"{_count(m.missing_s)} s{mark}"
        )
    return lines + [indent + line for line in _combined(r, t, w, members)]


def _combined(
    r: SLOResult, t: Trace, w: WindowFigures, members: Sequence[MemberFigures]
) -> list[str]:
    """How the method made the composite's counts of its members' (the engine's results)."""
    eq = t.equations
    if t.method == "weighted":
        return [
            f"{eq['weighted_events']} = {_terms(members, [m.total for m in members])} = "
            f"{_count(w.total)}; good = {_terms(members, [m.good for m in members])} = "
            f"{_count(w.good)}"
        ]
    if t.method == "least_healthy":
        picked = next((m for m in members if m.picked), None)
        if picked is None:
            return ["no member has traffic in this window: the composite has none"]
        return [
            f"{eq['least_healthy']} = {picked.key}: its counts are the composite's "
            "(missing_s: the least covered member's)"
        ]
    burns = [m.burn_rate if m.total > 0 else 0.0 for m in members]
    return [
        f"{eq['weighted_burn']} = {_terms(members, burns, 'ratio')} = {_ratio(w.burn_rate)}",
        f"{eq['weighted_events']} = {_terms(members, [m.total for m in members])} = "
        f"{_count(w.total)}; {eq['equivalent_bad']} = {_ratio(w.burn_rate)} × "
        f"(1 − {_ratio(r.objective)}) × {_count(w.total)} = {_count(w.bad)} (missing_s: the "
        "least covered member's)",
    ]
