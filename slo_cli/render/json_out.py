"""`slo check --format json`: the versioned machine output (schema ``slo/check/v1``).

The schema is published as `slo_cli/render/schema/check-v1.schema.json`. Rules: units in key
names (`_seconds`, `_ratio`, `_count`), numbers unrounded, NaN and infinity as null (JSON has
neither). Adding a key is a minor change; renaming or removing one needs `slo/check/v2`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from slo_cli import __version__
from slo_cli.render.common import iso
from slo_cli.render.composite import member_json
from slo_cli.results import BURN_WINDOWS, Evaluation, History, Since, SLOError, SLOResult

CHECK_JSON_SCHEMA_ID = "slo/check/v1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "check-v1.schema.json"


def _num(x: float) -> float | None:
    """A finite float as is; NaN and ±inf as None."""
    return x if math.isfinite(x) else None


def slo_record(r: SLOResult) -> dict[str, Any]:
    """One SLO as a JSON object (also the source of the CSV columns)."""
    verdict = r.verdict
    record: dict[str, Any] = {
        "key": r.key,
        "service": r.service,
        "name": r.name,
        "description": r.description,
        "spec_path": r.source_path,
        "objective_ratio": r.objective,
        "window": r.window,
        "window_seconds": r.window_s,
        "window_start": iso(r.window_start),
        "window_start_epoch_seconds": r.window_start,
        "window_end": iso(r.window_end),
        "window_end_epoch_seconds": r.window_end,
        "budgeting": r.budgeting,
        "sli_kind": r.sli_kind,
        "exact": r.exact,
        "count_unit": r.count_unit,
        "good_count": _num(r.good),
        "total_count": _num(r.total),
        "sli_ratio": _num(r.sli),
        "error_budget_count": _num(r.allowed_bad),
        "error_budget_minutes": _num(r.budget_minutes),
        "budget_consumed_ratio": _num(r.consumed),
        "budget_remaining_ratio": _num(r.remaining),
        "burn_rates": {w: _num(r.burn_rates.get(w, math.nan)) for w in BURN_WINDOWS},
        "coverage_ratios": {w: _num(r.coverage.get(w, math.nan)) for w in BURN_WINDOWS},
        "alert": r.alert,
        "alerts_firing": list(r.alerts_firing),
        # inf (not burning) has no JSON spelling: null, with the reason in time_to_exhaustion
        "time_to_exhaustion_seconds": _num(r.time_to_exhaustion_s),
        "status": r.status,
        "data_error": r.data_error,
        "notes": list(r.notes),
        "spec_line": r.source_line,
        "error": error_record(r.error),
        "composite": member_json(r.composite),
        "gate": {
            "fail_on": r.gate.fail_on,
            "min_remaining_ratio": r.gate.min_remaining,
            "origin": r.gate.origin,
            "max_burn_since": r.gate.max_burn_since,
            "max_spent_since_ratio": r.gate.max_spent_since,
            "breached": None if verdict is None else verdict.breached,
            "unknown": None if verdict is None else verdict.unknown,
            "reasons": [] if verdict is None else list(verdict.reasons),
        },
        # after the gate: CSV columns of earlier versions keep their places
        "no_data": [{"code": n.code, "message": n.message} for n in r.no_data],
        "partial": r.partial,
        "history": history_record(r.history),
        "min_coverage_ratio": r.min_coverage,
        "min_coverage_origin": r.min_coverage_origin,
    }
    if r.since is not None:
        record["since"] = since_record(r.since)
    if r.adjustments is not None:
        from slo_cli.render.adjustments import adjustments_record

        record["adjustments"] = adjustments_record(r.adjustments)
    return record


def history_record(h: History | None) -> dict[str, Any] | None:
    """A young SLO's history (slo_cli.nodata), as a JSON object; None when it has a full one."""
    if h is None:
        return None
    return {
        "first_data": iso(h.first_data),
        "first_data_epoch_seconds": h.first_data,
        "covered_seconds": h.covered_s,
        "covered_ratio": _num(h.covered_ratio),
        "window_full_at": iso(h.window_full_at),
        "window_full_at_epoch_seconds": h.window_full_at,
        "message": h.message,
    }


def since_record(s: Since) -> dict[str, Any]:
    """The figures since `slo check --since`, as a JSON object."""
    return {
        "start": iso(s.start),
        "start_epoch_seconds": s.start,
        "end": iso(s.end),
        "end_epoch_seconds": s.end,
        "good_count": _num(s.good),
        "total_count": _num(s.total),
        "bad_count": _num(s.bad),
        "sli_ratio": _num(s.sli),
        "budget_consumed_ratio": _num(s.consumed),
        "burn_rate": _num(s.burn_rate),
        "coverage_ratio": _num(s.coverage),
    }


def error_record(e: SLOError | None) -> dict[str, Any] | None:
    """Why an SLO with status ERROR has no numbers; None for every other SLO (also the
    `error` of `slo backtest`'s JSON)."""
    if e is None:
        return None
    return {
        "message": e.message,
        "type": e.kind,
        "spec_query": e.spec_query,
        "query_sent": e.query_sent,
        "hint": e.hint,
    }


def check_document(evaluation: Evaluation, exit_code: int | None = None) -> dict[str, Any]:
    """The whole JSON document as Python objects."""
    counts = evaluation.counts()
    since: dict[str, Any] = {}
    if evaluation.since is not None:
        since = {"since": iso(evaluation.since), "since_epoch_seconds": evaluation.since}
    return {
        "schema": CHECK_JSON_SCHEMA_ID,
        "generator": f"slo {__version__}",
        "at": iso(evaluation.at),
        "at_epoch_seconds": evaluation.at,
        **since,
        "summary": {
            "slo_count": len(evaluation.slos),
            "service_count": len({r.service for r in evaluation.slos}),
            "status_counts": dict(counts),
            "breached_count": len(evaluation.breached),
            "unknown_count": len(evaluation.unknown),
            "exit_code": exit_code,
        },
        "slos": [slo_record(r) for r in evaluation.slos],
    }


def render_json(evaluation: Evaluation, exit_code: int | None = None) -> str:
    """The JSON text (indented, one trailing newline)."""
    doc = check_document(evaluation, exit_code)
    return json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
