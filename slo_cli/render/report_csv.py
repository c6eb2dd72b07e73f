"""`slo report --format csv`: one row per SLO per period (this one and the previous one), for
spreadsheets. Numbers unrounded (repr), empty cells for unknown values; the columns are the JSON
keys of the same figures."""

from __future__ import annotations

import csv
import io
from typing import Any

from slo_cli.render.adjustments import ADJUSTMENT_COLUMNS, adjustments_flat
from slo_cli.render.composite import member_cells, member_json
from slo_cli.render.report_json import figures_record
from slo_cli.report.model import Report

COLUMNS = (
    "service",
    "name",
    "key",
    "period",
    "period_title",
    "start",
    "end",
    "objective_ratio",
    "window",
    "good_count",
    "total_count",
    "sli_ratio",
    "budget_consumed_ratio",
    "budget_consumed_count",
    "budget_consumed_minutes",
    "budget_remaining_ratio",
    "error_budget_count",
    "coverage_ratio",
    "status",
    "trend",
    "burn_event_count",
    "composite_method",
    "composite_members",
    "no_data_codes",
    "partial",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _codes(s: Any) -> str:
    """The no-data reason codes of one SLO, in one cell."""
    return "; ".join(n.code for n in s.no_data)


def render_report_csv(report: Report) -> str:
    """The CSV text: a header, then for each SLO its current and previous period rows."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    adjusted = any(s.adjustments or s.previous_adjustments for s in report.slos)
    columns = COLUMNS + (ADJUSTMENT_COLUMNS if adjusted else ())
    out.writerow(columns)
    p = report.period
    for s in report.slos:
        for which, title, fig, adj in (
            ("current", p.title, s.current, s.adjustments),
            ("previous", p.previous_title, s.previous, s.previous_adjustments),
        ):
            rec = {
                "service": s.service,
                "name": s.name,
                "key": s.key,
                "period": which,
                "period_title": title,
                "objective_ratio": s.objective,
                "window": s.window,
                # status, trend and events belong to the report's period only
                "status": s.status if which == "current" else None,
                "no_data_codes": _codes(s) if which == "current" else None,
                "partial": str(s.partial).lower() if which == "current" else None,
                "trend": s.trend if which == "current" else None,
                "burn_event_count": len(s.events) if which == "current" else None,
                **figures_record(fig),
                **_members(member_cells(member_json(s.composite))),
                **adjustments_flat(adj),
            }
            out.writerow([_cell(rec.get(c)) for c in columns])
    return buf.getvalue()


def _members(cells: dict[str, Any]) -> dict[str, Any]:
    """The composite columns as text (members joined with "; "), empty for other SLOs."""
    members = cells["composite_members"]
    return {**cells, "composite_members": None if members is None else "; ".join(members)}
