"""`slo report --format markdown` (the default): GitHub-flavoured Markdown for people.

A summary on top (SLOs per status, out of budget or close, top burners), then one table per
service, then each SLO's burn events (most budget first) with an empty postmortem cell to fill
in. With `chart_links`, each SLO links its chart image (written by `--charts DIR`).
"""

from __future__ import annotations

import math

from slo_cli.render.common import objective_text, pct, sli_text
from slo_cli.render.report_common import (
    by_service,
    change_text,
    consumed_text,
    find,
    local_time,
    span_text,
    status_cell,
    status_summary,
)
from slo_cli.render.units import human_duration
from slo_cli.report.model import Report, SLOReport

#: burn events listed per SLO (the JSON has them all)
MAX_EVENTS = 10


def _esc(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _remaining(share: float) -> str:
    if not math.isfinite(share):
        return "—"
    return pct(share, 1) + (" (overspent)" if share <= 0 else "")


def _slo_row(s: SLOReport) -> str:
    c = s.current
    cells = [
        f"**{_esc(s.name)}**",
        f"{objective_text(s.objective)} / {_esc(s.window)}",
        sli_text(c.sli, s.objective),
        consumed_text(c.consumed, c.consumed_count, c.consumed_minutes, s.count_unit),
        _remaining(c.remaining),
        pct(s.previous.consumed, 1),
        change_text(s),
        status_cell(s),
        str(len(s.events)),
    ]
    return "| " + " | ".join(cells) + " |"


def render_report_markdown(report: Report, chart_links: dict[str, str] | None = None) -> str:
    """The Markdown text; `chart_links` maps SLO keys to chart image paths (relative)."""
    p = report.period
    out: list[str] = [
        f"# SLO report: {p.title}",
        "",
        f"**Period:** {span_text(report, p.start, p.end)} ({p.timezone}) · "
        f"**previous:** {p.previous_title} ({span_text(report, p.previous_start, p.previous_end)})",
        "",
        "## Summary",
        "",
        f"- **{status_summary(report)}** (status at the period's end)",
    ]
    summary = report.summary
    if summary.exhausted:
        items = ", ".join(
            f"`{k}` ({pct(find(report, k).current.remaining, 1)} left)" for k in summary.exhausted
        )
        out.append(f"- **Out of budget:** {items}")
    if summary.at_risk:
        items = ", ".join(
            f"`{k}` ({pct(find(report, k).current.remaining, 1)} left)" for k in summary.at_risk
        )
        out.append(f"- **Close to it** (less than {summary.at_risk_below * 100:g} % left): {items}")
    if not summary.exhausted and not summary.at_risk:
        out.append("- No SLO is out of budget or close to it.")
    if summary.top_burners:
        out += [
            "",
            "**Top burners this period**",
            "",
            "| SLO | budget consumed | previous period | change | remaining |",
            "|---|--:|--:|---|--:|",
        ]
        for k in summary.top_burners:
            s = find(report, k)
            out.append(
                f"| `{_esc(k)}` | {pct(s.current.consumed, 1)} | {pct(s.previous.consumed, 1)} | "
                f"{change_text(s)} | {_remaining(s.current.remaining)} |"
            )
    out += ["", "## SLOs", ""]
    out.append(
        "Budget consumed is this period's share of the SLO window's error budget, in bad "
        "events and in time; remaining is what is left of the window's budget at the period's "
        "end; change compares the budget consumed with the previous period "
        "(pp = percentage points)."
    )
    for service, slos in by_service(report):
        out += [
            "",
            f"### {_esc(service)}",
            "",
            "| SLO | objective / window | SLI | budget consumed | remaining | previous | change "
            "| status | events |",
            "|---|---|--:|--:|--:|--:|---|---|--:|",
        ]
        out += [_slo_row(s) for s in slos]
    noted = [s for s in report.slos if s.notes]
    if noted:
        out += ["", "**Notes**", ""]
        out += [f"- `{_esc(s.key)}`: {_esc(note)}" for s in noted for note in s.notes]
    out += ["", "## Burn events", ""]
    out.append(
        f"Spans where the hourly burn rate stayed at or above {report.burn_threshold:g}×, "
        "most budget first. Fill in the postmortem column."
    )
    for s in (s for _, slos in by_service(report) for s in slos):
        if not s.events and not (chart_links and s.key in chart_links):
            continue
        out += ["", f"### {_esc(s.key)}", ""]
        if chart_links and s.key in chart_links:
            out += [f"![{_esc(s.key)}: budget burn-down and burn rate]({chart_links[s.key]})", ""]
        if not s.events:
            out.append("No burn events in this period.")
            continue
        out += [
            "| start | end | duration | peak burn rate | budget consumed | postmortem |",
            "|---|---|--:|--:|--:|---|",
        ]
        for e in s.events[:MAX_EVENTS]:
            start = local_time(report, e.start) + (" (or before)" if e.clipped_start else "")
            end = local_time(report, e.end) + (" (ongoing?)" if e.clipped_end else "")
            out.append(
                f"| {start} | {end} | {human_duration(e.duration_s, parts=2)} | "
                f"{e.peak_burn_rate:.1f}× | "
                f"{consumed_text(e.consumed, e.consumed_count, e.consumed_minutes, s.count_unit)}"
                " |  |"
            )
        if len(s.events) > MAX_EVENTS:
            out.append(f"\n…and {len(s.events) - MAX_EVENTS} smaller events (see the JSON report).")
    if not any(s.events for s in report.slos):
        out += ["", "No burn events in this period."]
    out += [
        "",
        "---",
        f"_Generated by slo at {local_time(report, report.generated_at)} ({p.timezone}) for "
        f"the report instant {local_time(report, report.at)}._",
        "",
    ]
    return "\n".join(out)
