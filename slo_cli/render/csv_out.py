"""`slo check --format csv`: one row per SLO, the JSON record flattened, numbers unrounded.

Column names are the JSON keys (nested ones joined with ``_``: `burn_rate_1h`,
`coverage_ratio_1h`, `gate_fail_on`, with --since `since_burn_rate`); an empty cell is a JSON
null.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from slo_cli.render.composite import member_cells
from slo_cli.render.json_out import slo_record
from slo_cli.results import BURN_WINDOWS, Evaluation


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "burn_rates":
            out.update({f"burn_rate_{w}": value[w] for w in BURN_WINDOWS})
        elif key == "coverage_ratios":
            out.update({f"coverage_ratio_{w}": value[w] for w in BURN_WINDOWS})
        elif key in ("gate", "since"):
            out.update({f"{key}_{k}": v for k, v in value.items()})
        elif key == "composite":
            out.update(member_cells(value))
        elif key == "adjustments":
            continue  # columns from the results (render_csv), present when any SLO has them
        elif key == "error":
            names = ("message", "type", "spec_query", "query_sent", "hint")
            out.update({f"error_{k}": (value or {}).get(k) for k in names})
        elif key == "no_data":  # the codes and the messages, each list in one cell
            out["no_data_codes"] = [n["code"] for n in value]
            out["no_data_messages"] = [n["message"] for n in value]
        elif key == "history":
            fields = ("first_data", "covered_seconds", "covered_ratio", "window_full_at")
            out.update({f"history_{k}": (value or {}).get(k) for k in fields})
        else:
            out[key] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def render_csv(evaluation: Evaluation) -> str:
    """CSV text with a header row (RFC 4180 quoting, \\n line ends)."""
    rows = [_flat(slo_record(r)) for r in evaluation.slos]
    if any(r.adjustments is not None for r in evaluation.slos):
        from slo_cli.render.adjustments import adjustments_flat

        for row, r in zip(rows, evaluation.slos, strict=True):
            row.update(adjustments_flat(r.adjustments))
    buf = io.StringIO()
    rows_header = list(rows[0] if rows else _flat(_empty_record()))
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(rows_header)
    for row in rows:
        writer.writerow([_cell(row[k]) for k in rows_header])
    return buf.getvalue()


def _empty_record() -> dict[str, Any]:
    """The record keys with no SLO at hand (an empty selection still gets a header)."""
    from slo_cli.results import SLOResult

    blank = SLOResult(
        service="",
        name="",
        objective=0.0,
        window="",
        window_s=0.0,
        window_start=0.0,
        window_end=0.0,
        budgeting="occurrences",
        sli_kind="",
        good=0.0,
        total=0.0,
        sli=0.0,
        allowed_bad=0.0,
        budget_minutes=0.0,
        consumed=0.0,
        remaining=0.0,
        burn_rates={},
        coverage={},
        page=False,
        ticket=False,
        alerts_firing=(),
        time_to_exhaustion_s=0.0,
        status="NO_DATA",
    )
    return slo_record(blank)
