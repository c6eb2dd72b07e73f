"""How composite SLOs and their members read in every `slo check` / `slo report` output.

A composite is a result like any other (its own row, budget, burn rates, gate); these helpers
add its members: the table's indented member rows, one-line descriptions for Markdown, CSV,
JUnit and the details, and the JSON ``composite`` object.
"""

from __future__ import annotations

import math
from typing import Any

from slo_cli.render.common import pct, sli_text, status_text
from slo_cli.results import CompositeInfo, CompositeMember

#: what each method means, for people
METHOD_TEXT = {
    "weighted": "weighted events",
    "least_healthy": "least healthy member",
    "weighted_burn": "weighted burn rates (OpenSLO)",
}


def weight_text(info: CompositeInfo, m: CompositeMember) -> str:
    """``×2`` for a weighted method (least_healthy ignores weights): ``""``."""
    return "" if info.method == "least_healthy" else f"×{m.weight:g}"


def share_text(m: CompositeMember) -> str:
    """The member's share of the composite's burn: ``62% of burn``, or ``""`` when none."""
    if math.isnan(m.burn_share):
        return ""
    return f"{m.burn_share * 100:.0f}% of burn"


def member_values(info: CompositeInfo, m: CompositeMember) -> dict[str, str]:
    """A member's row under its composite, by check-table column name: its key, weight, own
    SLI, budget left and status (its own window and objective); other cells empty."""
    measured = m.status not in ("NO_DATA", "ERROR")
    return {
        "slo": f"↳ {m.key}",
        "objective": weight_text(info, m),
        "sli": sli_text(m.sli, m.objective) if measured else "—",
        "remaining": pct(m.remaining, 1) if measured else "—",
        "status": status_text(m.status),
    }


def members_text(info: CompositeInfo) -> str:
    """``weighted events of search/availability ×1, checkout/availability ×2``."""
    parts = []
    for m in info.members:
        part = " ".join(x for x in (m.key, weight_text(info, m)) if x)
        share = share_text(m)
        parts.append(f"{part} ({share})" if share else part)
    return f"{METHOD_TEXT.get(info.method, info.method)} of {', '.join(parts)}"


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def member_json(info: CompositeInfo | None) -> dict[str, Any] | None:
    """The JSON ``composite`` object (numbers unrounded, NaN as null); None for other SLOs."""
    if info is None:
        return None
    return {
        "method": info.method,
        "members": [
            {
                "slo": m.key,
                "weight": m.weight,
                "status": m.status,
                "objective_ratio": m.objective,
                "sli_ratio": _num(m.sli),
                "budget_remaining_ratio": _num(m.remaining),
                "burn_share_ratio": _num(m.burn_share),
            }
            for m in info.members
        ],
    }


def member_cells(info: dict[str, Any] | None) -> dict[str, Any]:
    """The CSV columns of a JSON ``composite`` object: method and ``key×weight`` members."""
    if info is None:
        return {"composite_method": None, "composite_members": None}
    members = [f"{m['slo']}×{m['weight']:g}" for m in info["members"]]
    return {"composite_method": info["method"], "composite_members": members}
