"""`slo check --format markdown`: the table as GitHub-flavoured Markdown (for PR comments,
job summaries, wikis). Same cells as the terminal table, plus a service column."""

from __future__ import annotations

from slo_cli.render.common import by_service, iso, summary
from slo_cli.render.table import COLUMNS
from slo_cli.results import Evaluation


def _md(text: str) -> str:
    """A table cell: pipes escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(evaluation: Evaluation) -> str:
    """Heading, summary, one table row per SLO, then the gate's failures and unknowns."""
    columns = [c for c in COLUMNS if c.name != "bar"]
    out = [f"## SLO check at {iso(evaluation.at)}", "", _md(summary(evaluation)), ""]
    if evaluation.slos:
        heads = ["service", *[_md(c.header) for c in columns]]
        aligns = ["---", *["---:" if c.justify == "right" else "---" for c in columns]]
        out.append("| " + " | ".join(heads) + " |")
        out.append("| " + " | ".join(aligns) + " |")
        for service, results in by_service(evaluation.slos):
            for r in results:
                cells = [service, *[c.cell(r) for c in columns]]
                if r.verdict is not None and r.verdict.breached:
                    cells[1] = f"**{cells[1]}**"
                out.append("| " + " | ".join(_md(c) for c in cells) + " |")
        out.append("")
    if evaluation.breached:
        out.append("**Failing the gate:**")
        out.append("")
        for r in evaluation.breached:
            assert r.verdict is not None
            out.append(
                f"- `{_md(r.key)}`: {_md(', '.join(r.verdict.reasons))} ({r.gate.describe()})"
            )
        out.append("")
    if evaluation.errors:
        out.append("**Source errors:**")
        out.append("")
        for r in evaluation.errors:
            assert r.error is not None
            out.append(f"- `{_md(r.key)}`: {_md(r.error.describe(r.source_path))}")
        out.append("")
    unknown = [r for r in evaluation.unknown if r.error is None]
    if unknown:
        out.append("**Without an answer:**")
        out.append("")
        for r in unknown:
            assert r.verdict is not None
            out.append(f"- `{_md(r.key)}`: {_md(', '.join(r.verdict.reasons))}")
        out.append("")
    return "\n".join(out)
