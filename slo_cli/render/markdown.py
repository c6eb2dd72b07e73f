"""`slo check --format markdown`: the table as GitHub-flavoured Markdown (for PR comments,
job summaries, wikis). Narrow enough for a pull-request comment: status and alert first, then
the SLO (service/name), the budget left, the objective, the SLI, the 1 h burn rate and the time
to exhaustion, the terminal table's cells; the rest is in `--format json` and `--details`."""

from __future__ import annotations

from slo_cli.render.common import by_service, iso, since_text, summary
from slo_cli.render.composite import member_values
from slo_cli.render.table import COLUMNS, LEGEND, PARTIAL_LEGEND, Column, partial_lines
from slo_cli.results import Evaluation

#: the columns of the Markdown table, in order (the terminal table's, fewer)
MARKDOWN_COLUMNS = ("status", "alert", "slo", "remaining", "objective", "sli", "burn_1h", "tte")


def _columns() -> list[Column]:
    by_name = {c.name: c for c in COLUMNS}
    return [by_name[name] for name in MARKDOWN_COLUMNS]


def _md(text: str) -> str:
    """A table cell: pipes escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(evaluation: Evaluation) -> str:
    """Heading, summary, one table row per SLO, then the gate's failures and unknowns."""
    columns = _columns()
    out = [f"## SLO check at {iso(evaluation.at)}", "", _md(summary(evaluation)), ""]
    if evaluation.slos:
        heads = [_md(c.header) for c in columns]
        aligns = ["---:" if c.justify == "right" else "---" for c in columns]
        out.append("| " + " | ".join(heads) + " |")
        out.append("| " + " | ".join(aligns) + " |")
        slo = MARKDOWN_COLUMNS.index("slo")
        for _, results in by_service(evaluation.slos):
            for r in results:
                cells = [r.key if c.name == "slo" else c.cell(r) for c in columns]
                if r.verdict is not None and r.verdict.breached:
                    cells[slo] = f"**{cells[slo]}**"
                out.append("| " + " | ".join(_md(c) for c in cells) + " |")
                for m in r.composite.members if r.composite is not None else ():
                    values = member_values(r.composite, m)  # type: ignore[arg-type]
                    row = [values.get(c.name, "") for c in columns]
                    out.append("| " + " | ".join(_md(c) for c in row) + " |")
        legend = [LEGEND["remaining"], f"1h×: {LEGEND['burn']}", LEGEND["tte"]]
        if any(r.partial for r in evaluation.slos):
            legend.append(PARTIAL_LEGEND)
        out += ["", "_" + _md(" · ".join(legend)) + "_", ""]
    if evaluation.since is not None:
        out += [f"**Since {iso(evaluation.since)}** (deploy):", ""]
        out += [f"- `{_md(r.key)}`: {_md(since_text(r))}" for r in evaluation.slos]
        out.append("")
    adjusted = [r for r in evaluation.slos if r.adjustments is not None]
    if adjusted:
        from slo_cli.render.adjustments import adjustment_lines, adjustments_text

        out += ["**Budget adjustments** (events excluded from the SLO window):", ""]
        for r in adjusted:
            assert r.adjustments is not None
            out.append(f"- `{_md(r.key)}`: {_md(adjustments_text(r.adjustments, r.count_unit))}")
            out += [f"  - {_md(line)}" for line in adjustment_lines(r.adjustments, r.count_unit)]
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
            out.append(f"- `{_md(r.key)}`: {_md('; '.join(r.verdict.reasons))}")
        out.append("")
    partial = partial_lines(evaluation)
    if partial:
        out += ["**Partial (history shorter than the window):**", ""]
        out += [f"- {_md(line)}" for line in partial]
        out.append("")
    return "\n".join(out)
