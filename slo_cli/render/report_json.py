"""`slo report --format json`: the versioned machine output (schema ``slo/report/v1``).

Same conventions as `slo check`'s JSON: units in key names (`_seconds`, `_ratio`, `_count`,
`_minutes`), numbers unrounded, NaN and infinity as null. Published as
`slo_cli/render/schema/report-v1.schema.json`. Adding a key is a minor change; renaming or
removing one needs `slo/report/v2`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from slo_cli import __version__
from slo_cli.engine.records import EVENT_BIN_S
from slo_cli.render.common import iso
from slo_cli.render.composite import member_json
from slo_cli.render.json_out import history_record
from slo_cli.report.model import BurnEvent, Incident, PeriodFigures, Report, SLOReport

REPORT_JSON_SCHEMA_ID = "slo/report/v1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "report-v1.schema.json"


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _instant(name: str, epoch: float) -> dict[str, Any]:
    return {name: iso(epoch), f"{name}_epoch_seconds": epoch}


def figures_record(f: PeriodFigures) -> dict[str, Any]:
    """One period's figures (also the source of the CSV columns)."""
    return {
        **_instant("start", f.start),
        **_instant("end", f.end),
        "good_count": _num(f.good),
        "total_count": _num(f.total),
        "sli_ratio": _num(f.sli),
        "budget_consumed_ratio": _num(f.consumed),
        "budget_consumed_count": _num(f.consumed_count),
        "budget_consumed_minutes": _num(f.consumed_minutes),
        "budget_remaining_ratio": _num(f.remaining),
        "error_budget_count": _num(f.budget_count),
        "coverage_ratio": _num(f.coverage),
        "window_coverage_ratio": _num(f.window_coverage),
    }


def event_record(e: BurnEvent, incident_ids: tuple[str, ...] | None = None) -> dict[str, Any]:
    """One burn event; `postmortem_url` is a slot for people to fill; with --incidents, the
    ids of the incidents overlapping it."""
    linked = {} if incident_ids is None else {"incident_ids": list(incident_ids)}
    return {
        **_instant("start", e.start),
        **_instant("end", e.end),
        "duration_seconds": e.duration_s,
        "peak_burn_rate": _num(e.peak_burn_rate),
        "budget_consumed_ratio": _num(e.consumed),
        "budget_consumed_count": _num(e.consumed_count),
        "budget_consumed_minutes": _num(e.consumed_minutes),
        "clipped_start": e.clipped_start,
        "clipped_end": e.clipped_end,
        "postmortem_url": None,
        **linked,
    }


def incident_record(x: Incident) -> dict[str, Any]:
    """One incident of `--incidents FILE`."""
    ongoing = math.isinf(x.end)
    return {
        "id": x.id,
        "title": x.title,
        **_instant("start", x.start),
        "end": None if ongoing else _instant("end", x.end)["end"],
        "end_epoch_seconds": None if ongoing else x.end,
        "url": x.url,
        "services": list(x.services),
    }


def _incident_keys(report: Report) -> dict[str, Any]:
    if report.incidents is None:
        return {}
    unexplained = sorted(
        ((s, e) for s in report.slos for e in s.unexplained), key=lambda p: -p[1].consumed
    )
    return {
        "incidents": [incident_record(x) for x in report.incidents],
        "unexplained_burn_events": [
            {
                "key": s.key,
                **_instant("start", e.start),
                **_instant("end", e.end),
                "budget_consumed_ratio": _num(e.consumed),
            }
            for s, e in unexplained
        ],
    }


def slo_record(s: SLOReport, linked: bool = False) -> dict[str, Any]:
    """One SLO of the report (`linked`: with each event's incident ids)."""
    return {
        "key": s.key,
        "service": s.service,
        "name": s.name,
        "description": s.description,
        "objective_ratio": s.objective,
        "window": s.window,
        "window_seconds": s.window_s,
        "budgeting": s.budgeting,
        "count_unit": s.count_unit,
        "error_budget_minutes": _num(s.budget_minutes),
        "status": s.status,
        "alert": s.alert,
        "exact": s.exact,
        "notes": list(s.notes),
        "composite": member_json(s.composite),
        "no_data": [{"code": n.code, "message": n.message} for n in s.no_data],
        "partial": s.partial,
        "history": history_record(s.history),
        "current": figures_record(s.current),
        "previous": figures_record(s.previous),
        "budget_consumed_change_ratio": _num(s.consumed_change),
        "trend": s.trend,
        "burn_events": [
            event_record(e, s.incident_ids(i) if linked else None) for i, e in enumerate(s.events)
        ],
        **_adjustments(s),
    }


def _adjustments(s: SLOReport) -> dict[str, Any]:
    """``adjustments``/``previous_adjustments`` of an SLO whose budget adjustments applied."""
    from slo_cli.render.adjustments import adjustments_record

    out = {}
    if s.adjustments is not None:
        out["adjustments"] = adjustments_record(s.adjustments)
    if s.previous_adjustments is not None:
        out["previous_adjustments"] = adjustments_record(s.previous_adjustments)
    return out


def report_document(report: Report) -> dict[str, Any]:
    """The whole JSON document as Python objects."""
    p = report.period
    summary = report.summary
    by_key = {s.key: s for s in report.slos}
    return {
        "schema": REPORT_JSON_SCHEMA_ID,
        "generator": f"slo {__version__}",
        **_instant("generated_at", report.generated_at),
        **_instant("at", report.at),
        "period": {
            "kind": p.kind,
            "label": p.label,
            "timezone": p.timezone,
            "title": p.title,
            **_instant("start", p.start),
            **_instant("end", p.end),
            "length_seconds": p.end - p.start,
        },
        "previous_period": {
            "title": p.previous_title,
            **_instant("start", p.previous_start),
            **_instant("end", p.previous_end),
            "length_seconds": p.previous_end - p.previous_start,
        },
        "burn_event_threshold_burn_rate": report.burn_threshold,
        "burn_event_bin_seconds": EVENT_BIN_S,
        "summary": {
            "slo_count": len(report.slos),
            "service_count": len({s.service for s in report.slos}),
            "status_counts": dict(summary.status_counts),
            "top_burners": [
                {"key": k, "budget_consumed_ratio": _num(by_key[k].current.consumed)}
                for k in summary.top_burners
            ],
            "exhausted": list(summary.exhausted),
            "at_risk": list(summary.at_risk),
        },
        "slos": [slo_record(s, report.incidents is not None) for s in report.slos],
        **_incident_keys(report),
    }


def render_report_json(report: Report) -> str:
    """The JSON text (indented, one trailing newline)."""
    return json.dumps(report_document(report), indent=2, allow_nan=False, ensure_ascii=False) + "\n"
