"""`slo backtest` results as text: a table, JSON (`slo/backtest/v1`, published as
`slo_cli/render/schema/backtest-v1.schema.json`) and Markdown. A composite SLO reads like any
other, marked as one with its method and members."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from slo_cli.render.common import iso
from slo_cli.render.units import human_duration

SCHEMA = "slo/backtest/v1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "backtest-v1.schema.json"


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def to_json(bt: Any) -> str:
    """Unrounded, units in key names, times as RFC 3339 UTC."""
    slos = []
    for s in bt.slos:
        alerts = [
            {
                "severity": a.severity,
                "start": iso(a.start),
                "end": iso(a.end),
                "duration_seconds": a.duration_s,
                "ongoing": a.ongoing,
                "rules": list(a.rules),
            }
            for a in (*s.pages, *s.tickets)
        ]
        alerts.sort(key=lambda a: (a["start"], a["severity"]))
        events = [
            {
                "start": iso(e.start),
                "end": iso(e.end),
                "peak_burn_rate": e.peak_burn_rate,
                "budget_consumed_ratio": _num(e.budget_consumed),
                "alerted": e.first_alert is not None,
                "first_alert": None if e.first_alert is None else iso(e.first_alert),
                "first_alert_severity": e.first_severity,
                "detection_delay_seconds": e.detection_delay_s,
                "budget_consumed_before_alert_ratio": _num(e.budget_before_alert),
            }
            for e in s.events
        ]
        slos.append(
            {
                "key": s.key,
                "objective_ratio": s.objective,
                "window": s.window,
                "rules": list(s.rules),
                "pages": len(s.pages),
                "tickets": len(s.tickets),
                "burn_events": len(s.events),
                "burn_events_never_alerted": len(s.missed),
                "alerts": alerts,
                "events": events,
                "exact": s.exact,
                "notes": list(s.notes),
                "composite": _composite_json(s),
                "error": _error_json(s),
                **_adjustments_key(s),
            }
        )
    doc = {
        "schema": SCHEMA,
        "start": iso(bt.start),
        "end": iso(bt.end),
        "days": bt.days,
        "for_seconds": bt.for_s,
        "slos": slos,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _composite_json(s: Any) -> dict[str, Any] | None:
    """A composite's method and members (None for an SLO)."""
    if not getattr(s, "composite", False):
        return None
    members = [
        {"slo": m.key, "weight": m.weight, "objective_ratio": m.objective} for m in s.members
    ]
    return {"method": s.method, "members": members}


def _error_json(s: Any) -> dict[str, Any] | None:
    """Why an SLO was not replayed (its queries, or a composite's members', failed), as
    `slo check`'s JSON says it, with where its spec is; None for one replayed."""
    from slo_cli.render.json_out import error_record

    record = error_record(getattr(s, "error", None))
    if record is None:
        return None
    return {**record, "spec_path": s.source_path, "spec_line": s.error.spec_line}


def error_text(s: Any) -> str | None:
    """``source error: FILE:LINE: message; spec query: …`` of an SLO not replayed (else
    None), as `slo report` notes it."""
    if getattr(s, "error", None) is None:
        return None
    return f"source error: {s.error.describe(s.source_path)}"


def composite_text(s: Any) -> str | None:
    """``composite: weighted events of a/x ×1, b/y ×2`` (None for an SLO)."""
    if not getattr(s, "composite", False):
        return None
    from slo_cli.render.composite import METHOD_TEXT

    weighted = s.method != "least_healthy"  # least_healthy ignores weights
    parts = [f"{m.key} ×{m.weight:g}" if weighted else m.key for m in s.members]
    return f"composite: {METHOD_TEXT.get(s.method, s.method)} of {', '.join(parts)}"


def _adjustments_key(s: Any) -> dict[str, Any]:
    """``adjustments`` of an SLO whose budget adjustments applied in the replay (else none)."""
    if getattr(s, "adjustments", None) is None:
        return {}
    from slo_cli.render.adjustments import adjustments_record

    return {"adjustments": adjustments_record(s.adjustments)}


def _adjustment_lines(s: Any) -> list[str]:
    """The replay ran on adjusted counts: say which adjustments and what they took out."""
    if getattr(s, "adjustments", None) is None:
        return []
    from slo_cli.render.adjustments import adjustment_lines, adjustments_text

    head = f"adjustments (excluded from the replay): {adjustments_text(s.adjustments)}"
    return [head, *(f"  {line}" for line in adjustment_lines(s.adjustments))]


def _delay(e: Any) -> str:
    return "never" if e.detection_delay_s is None else human_duration(e.detection_delay_s)


def _pct(x: float | None) -> str:
    return "—" if x is None or math.isnan(x) else f"{x * 100:.1f}%"


def _rows(s: Any) -> list[list[str]]:
    rows = []
    for e in s.events:
        rows.append(
            [
                iso(e.start),
                human_duration(e.end - e.start),
                f"{e.peak_burn_rate:.1f}",
                _pct(e.budget_consumed),
                e.first_severity or "—",
                _delay(e),
                _pct(e.budget_before_alert),
            ]
        )
    return rows


_EVENT_HEAD = ["burn event", "lasted", "peak", "spent", "alert", "delay", "spent before"]


def _summary(s: Any) -> str:
    if getattr(s, "error", None) is not None:
        return "not replayed (source error)"
    durations = [a.duration_s for a in (*s.pages, *s.tickets)]
    longest = f", longest {human_duration(max(durations))}" if durations else ""
    return (
        f"{len(s.pages)} pages, {len(s.tickets)} tickets{longest}; {len(s.events)} burn events, "
        f"{len(s.missed)} never alerted"
    )


def to_table(bt: Any) -> str:
    lines = [f"Backtest {iso(bt.start)} .. {iso(bt.end)} ({bt.days:g} days)", ""]
    for s in bt.slos:
        lines.append(f"{s.key}  {s.objective * 100:g}% over {s.window}: {_summary(s)}")
        if error_text(s):
            lines.append(f"  {error_text(s)}")
        if composite_text(s):
            lines.append(f"  {composite_text(s)}")
        for a in (*s.pages, *s.tickets):
            tail = " (still firing)" if a.ongoing else ""
            lines.append(
                f"  {a.severity:<6} {iso(a.start)}  {human_duration(a.duration_s):>8}  "
                f"{', '.join(a.rules)}{tail}"
            )
        rows = _rows(s)
        if rows:
            widths = [max(len(r[i]) for r in [_EVENT_HEAD, *rows]) for i in range(len(rows[0]))]
            for r in [_EVENT_HEAD, *rows]:
                lines.append(
                    "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                )
        lines += [f"  {line}" for line in _adjustment_lines(s)]
        if not s.exact:
            lines.append("  approximate: " + "; ".join(s.notes))
        lines.append("")
    return "\n".join(lines)


def to_markdown(bt: Any) -> str:
    lines = [f"# Backtest {iso(bt.start)} .. {iso(bt.end)} ({bt.days:g} days)", ""]
    lines += ["| SLO | pages | tickets | burn events | never alerted |", "|---|---|---|---|---|"]
    for s in bt.slos:
        key = f"{s.key} (composite)" if getattr(s, "composite", False) else s.key
        if getattr(s, "error", None) is not None:  # not replayed: no count is known
            lines.append(f"| {key} | ! error | — | — | — |")
            continue
        lines.append(
            f"| {key} | {len(s.pages)} | {len(s.tickets)} | {len(s.events)} | {len(s.missed)} |"
        )
    for s in bt.slos:
        lines += ["", f"## {s.key} ({s.objective * 100:g}% over {s.window})", ""]
        if composite_text(s):
            lines += [f"{composite_text(s)}", ""]
        if error_text(s):
            lines.append(f"**Not replayed:** {error_text(s)}")
            continue
        alerts = (*s.pages, *s.tickets)
        if alerts:
            lines += ["| alert | start | lasted | rules |", "|---|---|---|---|"]
            for a in alerts:
                lasted = human_duration(a.duration_s) + (" (still firing)" if a.ongoing else "")
                lines.append(f"| {a.severity} | {iso(a.start)} | {lasted} | {', '.join(a.rules)} |")
            lines.append("")
        rows = _rows(s)
        if rows:
            lines.append("| " + " | ".join(_EVENT_HEAD) + " |")
            lines.append("|" + "---|" * len(_EVENT_HEAD))
            lines += ["| " + " | ".join(r) + " |" for r in rows]
        if not alerts and not rows:
            lines.append("No alerts and no burn events.")
        extra = _adjustment_lines(s)
        if extra:
            lines += ["", f"- {extra[0]}", *(f"  - {line.strip()}" for line in extra[1:])]
    return "\n".join(lines) + "\n"
