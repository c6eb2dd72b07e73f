"""What budget adjustments took out, in words and as JSON: shared by every renderer of `slo
check`, `slo report` and `slo backtest` (the figures are `results.AdjustmentFigures`)."""

from __future__ import annotations

import math
from typing import Any

from slo_cli.render.common import iso
from slo_cli.results import AdjustmentFigures


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _span(a: float, b: float) -> str:
    return f"{iso(a)}–{iso(b)}"


def adjustments_record(fig: AdjustmentFigures) -> dict[str, Any]:
    """The JSON object (``adjustments`` of an SLO in check, report and backtest documents)."""
    return {
        "start": iso(fig.start),
        "start_epoch_seconds": fig.start,
        "end": iso(fig.end),
        "end_epoch_seconds": fig.end,
        "excluded_count": _num(fig.events),
        "excluded_bad_count": _num(fig.bad),
        "budget_returned_ratio": _num(fig.returned),
        "budget_consumed_without_ratio": _num(fig.consumed_without),
        "excluded_without_data_seconds": fig.unknown_s,
        "exact": not fig.partial,
        "applied": [
            {
                "reason": u.reason,
                "kind": u.kind,
                "rule": u.rule,
                "origin": u.origin,
                "intervals": [
                    {
                        "start": iso(a),
                        "start_epoch_seconds": a,
                        "end": iso(b),
                        "end_epoch_seconds": b,
                    }
                    for a, b in u.intervals
                ],
                "excluded_count": _num(u.events),
                "excluded_bad_count": _num(u.bad),
            }
            for u in fig.applied
        ],
    }


def adjustments_flat(fig: AdjustmentFigures | None) -> dict[str, Any]:
    """CSV columns (``adjustments_…``); empty cells for an SLO without adjustments."""
    if fig is None:
        return dict.fromkeys(ADJUSTMENT_COLUMNS)
    return {
        "adjustments_reasons": "; ".join(u.reason for u in fig.applied),
        "adjustments_intervals": "; ".join(
            _span(a, b) for u in fig.applied for a, b in u.intervals
        ),
        "adjustments_excluded_count": _num(fig.events),
        "adjustments_excluded_bad_count": _num(fig.bad),
        "adjustments_budget_returned_ratio": _num(fig.returned),
    }


ADJUSTMENT_COLUMNS = (
    "adjustments_reasons",
    "adjustments_intervals",
    "adjustments_excluded_count",
    "adjustments_excluded_bad_count",
    "adjustments_budget_returned_ratio",
)


def adjustments_text(fig: AdjustmentFigures, unit: str = "events") -> str:
    """One phrase: ``weekly maintenance (2 intervals): excluded 7,200 events (3,600 bad),
    gave back 59.4 points of budget``."""
    from slo_cli.render.units import number

    parts = []
    for u in fig.applied:
        n = len(u.intervals)
        parts.append(f"{u.reason} ({n} interval{'s' if n != 1 else ''})")
    text = (
        f"{', '.join(parts)}: excluded {number(fig.events, 4)} {unit} "
        f"({number(fig.bad, 4)} bad), gave back {points(fig.returned)} of budget"
    )
    if fig.partial:
        text += " (approximate: an edge is not a whole minute)"
    return text


def points(ratio: float) -> str:
    """A share of the budget as percentage points: ``59.4 points``."""
    if not math.isfinite(ratio):
        return "n/a points"
    return f"{ratio * 100:.3g} points"


def adjustment_lines(fig: AdjustmentFigures, unit: str = "events") -> list[str]:
    """One line per adjustment: reason, rule, where written, intervals, what it excluded."""
    from slo_cli.render.units import number

    out = []
    for u in fig.applied:
        spans = ", ".join(_span(a, b) for a, b in u.intervals[:6])
        if len(u.intervals) > 6:
            spans += f", … ({len(u.intervals) - 6} more)"
        where = f" [{u.origin}]" if u.origin else ""
        out.append(
            f"{u.reason} ({u.kind}: {u.rule}){where}: {spans}; excluded "
            f"{number(u.events, 4)} {unit}, {number(u.bad, 4)} bad"
        )
    return out
