"""The notes of a report's SLO, with a composite's members first (Markdown and HTML)."""

from __future__ import annotations

from slo_cli.render.composite import members_text
from slo_cli.report.model import Report, SLOReport


def notes_of(s: SLOReport) -> tuple[str, ...]:
    """``s.notes``, after ``composite: weighted events of a ×1 (80% of burn), …``."""
    head = () if s.composite is None else (f"composite: {members_text(s.composite)}",)
    return head + s.notes


def noted(report: Report) -> list[tuple[SLOReport, tuple[str, ...]]]:
    """The report's SLOs that have notes, each with them."""
    return [(s, notes_of(s)) for s in report.slos if notes_of(s)]
