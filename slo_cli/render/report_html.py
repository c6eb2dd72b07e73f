"""`slo report --format html`: one self-contained file for browsers.

Inline CSS (light and dark through ``prefers-color-scheme``), each SLO's chart as inline SVG with
its own white background, no script, no external request (no fonts, images or style sheets
fetched). Same content as the Markdown report.
"""

from __future__ import annotations

import math
import re
from html import escape

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
from slo_cli.render.report_composite_notes import noted
from slo_cli.render.units import human_duration
from slo_cli.report.model import Report, SLOReport

CSS = """
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a;
  --line: #d0d7de; --head: #f6f8fa; --ok: #1a7f37; --warn: #9a6700; --crit: #cf222e;
  --nodata: #8250df; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d; --head: #161b22;
    --ok: #3fb950; --warn: #d29922; --crit: #ff7b72; --nodata: #bc8cff; }
}
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
p.meta, p.note, footer { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; vertical-align: top; }
th { background: var(--head); text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.OK { color: var(--ok); } .WARNING { color: var(--warn); }
.CRITICAL { color: var(--crit); font-weight: 600; }
.NO_DATA { color: var(--nodata); }
.worse { color: var(--crit); } .better { color: var(--ok); }
section.slo { margin: 1.5rem 0; }
figure { margin: .5rem 0; } figure svg { display: block; width: 100%; height: auto;
  background: #ffffff; border: 1px solid var(--line); border-radius: 4px; }
.chart-narrow { display: none; max-width: 30rem; }
@media (max-width: 52rem) { .chart-wide { display: none; } .chart-narrow { display: block; } }
.scroll { overflow-x: auto; max-width: 100%; }
body { overflow-wrap: anywhere; }
td, th { overflow-wrap: normal; white-space: nowrap; }
figcaption { color: var(--muted); font-size: .85rem; }
code { font-size: .9em; }
"""


def _remaining(share: float) -> str:
    if not math.isfinite(share):
        return "—"
    return pct(share, 1) + (" (overspent)" if share <= 0 else "")


def _inline_svg(svg: str) -> str:
    """matplotlib's SVG without its XML prolog and doctype, ready to inline."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _slo_row(s: SLOReport) -> str:
    c = s.current
    spent = consumed_text(c.consumed, c.consumed_count, c.consumed_minutes, s.count_unit)
    cells = [
        f"<td><a href='#{_anchor(s)}'>{escape(s.name)}</a></td>",
        f"<td>{escape(objective_text(s.objective))} / {escape(s.window)}</td>",
        f"<td class='num'>{escape(sli_text(c.sli, s.objective))}</td>",
        f"<td class='num'>{escape(spent)}</td>",
        f"<td class='num'>{escape(_remaining(c.remaining))}</td>",
        f"<td class='num'>{escape(pct(s.previous.consumed, 1))}</td>",
        f"<td class='{s.trend}'>{escape(change_text(s))}</td>",
        f"<td class='{s.status}'>{escape(status_cell(s))}</td>",
        f"<td class='num'>{len(s.events)}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _anchor(s: SLOReport) -> str:
    return "slo-" + re.sub(r"[^A-Za-z0-9_-]+", "-", s.key)


def render_report_html(
    report: Report,
    charts: dict[str, str] | None = None,
    narrow: dict[str, str] | None = None,
) -> str:
    """The HTML text. `charts` maps SLO keys to the wide SVG charts, `narrow` to the phone-width
    ones (None: draw them with matplotlib)."""
    with_data = [s for s in report.slos if s.current.total > 0]
    if charts is None or narrow is None:
        from slo_cli.render.report_charts import NARROW, WIDE, chart_sets

        wanted = (NARROW,) if charts is not None else (WIDE, NARROW)
        drawn = chart_sets(report, with_data, wanted)
        charts = drawn["wide"] if charts is None else charts
        narrow = drawn["narrow"]
    h = _head(report) + _summary(report) + _slo_tables(report)
    h.append("<h2>Burn-down and burn events</h2>")
    h.append(
        f"<p class='note'>Burn events: spans where the hourly burn rate stayed at or above "
        f"{report.burn_threshold:g}×, most budget first, marked on each chart (▼ and a band at "
        "least a few pixels wide, however short the event). The shaded band on each chart is "
        "the report period.</p>"
    )
    for s in (s for _, slos in by_service(report) for s in slos):
        h += _slo_section(report, s, charts.get(s.key), narrow.get(s.key))
    h += _unexplained(report)
    p = report.period
    h += [
        f"<footer>Generated by slo at {escape(local_time(report, report.generated_at))} "
        f"({escape(p.timezone)}) for the report instant {escape(local_time(report, report.at))}."
        "</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(h)


def _head(report: Report) -> list[str]:
    p = report.period
    return [
        "<!DOCTYPE html>",
        "<html lang='en'>",
        "<head>",
        "<meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<meta name='color-scheme' content='light dark'>",
        f"<title>SLO report: {escape(p.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>SLO report: {escape(p.title)}</h1>",
        f"<p class='meta'>Period: {escape(span_text(report, p.start, p.end))} "
        f"({escape(p.timezone)})"
        f" · previous: {escape(p.previous_title)} "
        f"({escape(span_text(report, p.previous_start, p.previous_end))})</p>",
    ]


def _summary(report: Report) -> list[str]:
    summary = report.summary
    h = [
        "<h2>Summary</h2>",
        "<ul>",
        f"<li><strong>{escape(status_summary(report))}</strong> (status at the period's end)</li>",
    ]
    if summary.exhausted:
        items = ", ".join(
            f"<code>{escape(k)}</code> ({escape(pct(find(report, k).current.remaining, 1))} left)"
            for k in summary.exhausted
        )
        h.append(f"<li class='CRITICAL'>Out of budget: {items}</li>")
    if summary.at_risk:
        items = ", ".join(
            f"<code>{escape(k)}</code> ({escape(pct(find(report, k).current.remaining, 1))} left)"
            for k in summary.at_risk
        )
        h.append(
            "<li class='WARNING'>Close to it "
            f"(less than {summary.at_risk_below * 100:g} % left): {items}</li>"
        )
    if not summary.exhausted and not summary.at_risk:
        h.append("<li>No SLO is out of budget or close to it.</li>")
    h.append("</ul>")
    if summary.top_burners:
        h += [
            "<h3>Top burners this period</h3>",
            "<div class='scroll'><table><thead><tr><th>SLO</th><th>budget consumed</th>"
            "<th>previous period</th><th>change</th><th>remaining</th></tr></thead><tbody>",
        ]
        for k in summary.top_burners:
            s = find(report, k)
            h.append(
                f"<tr><td><code>{escape(k)}</code></td>"
                f"<td class='num'>{escape(pct(s.current.consumed, 1))}</td>"
                f"<td class='num'>{escape(pct(s.previous.consumed, 1))}</td>"
                f"<td class='{s.trend}'>{escape(change_text(s))}</td>"
                f"<td class='num'>{escape(_remaining(s.current.remaining))}</td></tr>"
            )
        h.append("</tbody></table></div>")
    return h


def _slo_tables(report: Report) -> list[str]:
    h = [
        "<h2>SLOs</h2>",
        "<p class='note'>Budget consumed is this period's share of the SLO window's error budget, "
        "in bad events and in time; remaining is what is left of the window's budget at the "
        "period's end; change compares the budget consumed with the previous period "
        "(pp = percentage points).</p>",
    ]
    for service, slos in by_service(report):
        h += [
            f"<h3>{escape(service)}</h3>",
            "<div class='scroll'><table><thead><tr><th>SLO</th><th>objective / window</th>"
            "<th>SLI</th><th>budget consumed</th><th>remaining</th><th>previous</th>"
            "<th>change</th><th>status</th><th>events</th></tr></thead><tbody>",
            *[_slo_row(s) for s in slos],
            "</tbody></table></div>",
        ]
    with_notes = noted(report)
    if with_notes:
        h.append("<p><strong>Notes</strong></p><ul>")
        h += [
            f"<li><code>{escape(s.key)}</code>: {escape(n)}</li>"
            for s, ns in with_notes
            for n in ns
        ]
        h.append("</ul>")
    return h + _adjustments(report)


def _adjustments(report: Report) -> list[str]:
    """Which budget adjustments applied this period, and the budget they gave back."""
    from slo_cli.render.adjustments import adjustment_lines, adjustments_text

    adjusted = [s for s in report.slos if s.adjustments is not None]
    if not adjusted:
        return []
    h = [
        "<p><strong>Budget adjustments</strong> (events excluded this period; the figures "
        "above exclude them)</p><ul>"
    ]
    for s in adjusted:
        assert s.adjustments is not None
        lines = adjustment_lines(s.adjustments, s.count_unit)
        inner = "".join(f"<li>{escape(x)}</li>" for x in lines)
        text = escape(adjustments_text(s.adjustments, s.count_unit))
        h.append(f"<li><code>{escape(s.key)}</code>: {text}<ul>{inner}</ul></li>")
    h.append("</ul>")
    return h


def _slo_section(report: Report, s: SLOReport, wide: str | None, narrow: str | None) -> list[str]:
    h = [
        f"<section class='slo' id='{_anchor(s)}'>",
        f"<h3>{escape(s.key)} <span class='{s.status}'>{escape(status_cell(s))}</span></h3>",
    ]
    if s.description:
        h.append(f"<p class='note'>{escape(s.description)}</p>")
    if wide:
        figures = f"<div class='chart-wide'>{_inline_svg(wide)}</div>"
        if narrow:
            figures += f"<div class='chart-narrow'>{_inline_svg(narrow)}</div>"
        h.append(
            "<figure>" + figures + f"<figcaption>{escape(s.key)}: error budget "
            "remaining over the SLO window (top) and hourly burn rate (bottom).</figcaption>"
            "</figure>"
        )
    else:
        h.append("<p class='note'>No data: no chart.</p>")
    if not s.events:
        h.append("<p class='note'>No burn events in this period.</p>")
        return [*h, "</section>"]
    linked = report.incidents is not None
    h.append(
        "<div class='scroll'><table><thead><tr><th>start</th><th>end</th><th>duration</th>"
        "<th>peak burn rate</th><th>budget consumed</th>"
        + ("<th>incidents</th>" if linked else "")
        + "<th>postmortem</th></tr></thead><tbody>"
    )
    for i, e in enumerate(s.events):
        start = local_time(report, e.start) + (" (or before)" if e.clipped_start else "")
        end = local_time(report, e.end) + (" (ongoing?)" if e.clipped_end else "")
        spent = consumed_text(e.consumed, e.consumed_count, e.consumed_minutes, s.count_unit)
        cell = f"<td>{_incident_cell(report, s.incident_ids(i))}</td>" if linked else ""
        h.append(
            f"<tr><td>{escape(start)}</td><td>{escape(end)}</td>"
            f"<td class='num'>{escape(human_duration(e.duration_s, parts=2))}</td>"
            f"<td class='num'>{e.peak_burn_rate:.1f}×</td>"
            f"<td class='num'>{escape(spent)}</td>{cell}<td></td></tr>"
        )
    return [*h, "</tbody></table></div>", "</section>"]


def _incident_cell(report: Report, ids: tuple[str, ...]) -> str:
    """Linked incidents (id linked to its URL, then its title), or "unexplained"."""
    if not ids:
        return "<strong>unexplained</strong> (postmortem candidate)"
    parts = []
    for x in (report.incident(i) for i in ids):
        label = escape(x.id)
        if x.url:
            label = f"<a href='{escape(x.url, quote=True)}'>{label}</a>"
        parts.append(f"{label} {escape(x.title)}")
    return "; ".join(parts)


def _unexplained(report: Report) -> list[str]:
    """With --incidents: burn events no incident overlaps (postmortem candidates)."""
    if report.incidents is None:
        return []
    rows = report.unexplained()
    h = ["<h2>Unexplained burn — postmortem candidates</h2>"]
    if not rows:
        return [*h, "<p class='note'>Every burn event overlaps an incident.</p>"]
    h.append(
        "<div class='scroll'><table><thead><tr><th>SLO</th><th>start</th><th>end</th>"
        "<th>budget consumed</th></tr></thead><tbody>"
    )
    for s, e in rows:
        spent = consumed_text(e.consumed, e.consumed_count, e.consumed_minutes, s.count_unit)
        h.append(
            f"<tr><td>{escape(s.key)}</td><td>{escape(local_time(report, e.start))}</td>"
            f"<td>{escape(local_time(report, e.end))}</td>"
            f"<td class='num'>{escape(spent)}</td></tr>"
        )
    return [*h, "</tbody></table></div>"]
