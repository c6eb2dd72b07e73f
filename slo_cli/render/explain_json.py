"""`slo check --explain SLO --format json` (schema ``slo/explain/v1``) and the query listings
of `slo check --show-queries` / `slo snapshot --dry-run` (text, and JSON ``slo/queries/v1``).

The same content as the text (`slo_cli.render.explain`), structured: unrounded numbers, NaN and
infinity as null, units in key names, each equation next to its figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from slo_cli.explanation import (
    Explained,
    MemberFigures,
    Planned,
    Query,
    QueryList,
    Trace,
    WindowFigures,
)
from slo_cli.render.common import iso
from slo_cli.render.explain import query_lines
from slo_cli.render.json_out import slo_record
from slo_cli.results import SLOResult

EXPLAIN_SCHEMA_ID = "slo/explain/v1"
QUERIES_SCHEMA_ID = "slo/queries/v1"


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def _window(w: WindowFigures) -> dict[str, Any]:
    return {
        "name": w.name,
        "start": iso(w.start),
        "start_epoch_seconds": w.start,
        "end": iso(w.end),
        "end_epoch_seconds": w.end,
        "good_count": _num(w.good),
        "bad_count": _num(w.bad),
        "total_count": _num(w.total),
        "missing_seconds": _num(w.missing_s),
        "span_seconds": _num(w.span_s),
        "coverage_ratio": _num(w.coverage),
        "burn_rate": _num(w.burn_rate),
        "bin_count": w.n_bins,
        "bins": [
            {"width_seconds": b.width_s, "count": b.count, "start": iso(b.start), "end": iso(b.end)}
            for b in w.bins
        ],
        "refined_bins": [
            {"start": iso(a), "end": iso(b), "counter": part} for a, b, part in w.refined
        ],
        **({"members": [_member(m) for m in w.members]} if w.members else {}),
    }


def _member(m: MemberFigures) -> dict[str, Any]:
    """What a composite read of one member over a window."""
    return {
        "slo": m.key,
        "weight": m.weight,
        "objective_ratio": m.objective,
        "good_count": _num(m.good),
        "bad_count": _num(m.bad),
        "total_count": _num(m.total),
        "missing_seconds": _num(m.missing_s),
        "error_ratio": _num(m.error_ratio),
        "burn_rate": _num(m.burn_rate),
        "least_healthy": m.picked,
    }


def _trace(t: Trace) -> dict[str, Any]:
    return {
        "equations": dict(t.equations),
        "grid": {"start": iso(t.grid_start), "bin_count": t.grid_bins},
        "slo_window": _window(t.slo_window),
        "windows": [_window(w) for w in t.windows],
        "alert_rules": [
            {
                **{k: _num(v) if isinstance(v, float) else v for k, v in asdict(rule).items()},
                "long_seconds": rule.long_s,
                "short_seconds": rule.short_s,
            }
            for rule in t.rules
        ],
        "time_to_exhaustion_basis": t.tte_basis,
        "composite_method": t.method,
    }


def _result(r: SLOResult) -> dict[str, Any]:
    record = slo_record(r)
    if r.trace is not None:
        record["explain"] = _trace(r.trace)
    if r.hourly_burn:
        record["hourly_burn_rates"] = [_num(x) for x in r.hourly_burn]
    return record


def query_record(q: Query) -> dict[str, Any]:
    """One call: kind, path, the PromQL and every parameter as sent."""
    return {"kind": q.kind, "path": q.path, "query": q.text, "params": dict(q.params)}


def _list(ql: QueryList) -> dict[str, Any]:
    return {
        "key": ql.key,
        "queries": [query_record(q) for q in ql.queries],
        "error": ql.error,
        "notes": list(ql.notes),
    }


def explain_json(e: Explained) -> str:
    """The explanation as one JSON document."""
    doc = {
        "schema": EXPLAIN_SCHEMA_ID,
        "at": iso(e.at),
        "at_epoch_seconds": e.at,
        "origin": e.origin,
        "exit_code": e.exit_code,
        "slos": [_result(r) for r in e.results],
        "queries": _list(e.queries),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def queries_json(p: Planned) -> str:
    """`--show-queries --format json`."""
    doc = {
        "schema": QUERIES_SCHEMA_ID,
        "at": iso(p.at),
        "at_epoch_seconds": p.at,
        "extra_params": dict(p.extra_params),
        "notes": list(p.notes),
        "slos": [_list(ql) for ql in p.lists],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def queries_text(p: Planned) -> str:
    """`--show-queries` as text: per SLO its calls, numbered, then what is not listed."""
    n = sum(len(ql.queries) for ql in p.lists)
    out = [f"Queries for {len(p.lists)} SLO(s) at {iso(p.at)}: {n} call(s), none sent"]
    for ql in p.lists:
        out += ["", f"{ql.key} ({len(ql.queries)}):", *query_lines(ql.queries)]
        if ql.error:
            out.append(f"  stopped: {ql.error}")
        out += [f"  note: {note}" for note in ql.notes]
    if p.extra_params:
        extra = " ".join(f"{k}={v}" for k, v in p.extra_params)
        out += ["", f"Every query also carries: {extra}"]
    out += ["", *(f"Note: {note}" for note in p.notes)]
    return "\n".join(out) + "\n"
