"""The terminal view of `slo check`: one row per SLO, grouped by service, and a summary line.

Fits the console width: at 100 columns every column shows; in narrower terminals the least
important columns are dropped one by one (the bar first, the SLO name and status never).
Colour is the console's business (NO_COLOR, --no-color, pipes): every cell reads without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slo_cli.render.common import (
    STATUS_LOOK,
    TABLE_BURN_WINDOWS,
    bar,
    burn_short,
    by_service,
    coverage_text,
    iso,
    objective_text,
    pct,
    since_text,
    sli_text,
    status_text,
    summary,
    tte_text,
)
from slo_cli.render.composite import member_values, members_text
from slo_cli.render.console import PLAIN, Terminal, console_text
from slo_cli.render.units import human_duration, number
from slo_cli.results import BURN_WINDOWS, CompositeInfo, CompositeMember, Evaluation, SLOResult

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text


@dataclass(frozen=True)
class Column:
    """A table column: header, how to fill a cell, alignment, and its rank when space is short
    (columns with the lowest `keep` are dropped first; None = never dropped)."""

    name: str
    header: str
    cell: Callable[[SLOResult], str]
    justify: str = "right"
    keep: int | None = None
    max_width: int | None = None


def _burn(window: str, fmt: Callable[[float], str] = burn_short) -> Callable[[SLOResult], str]:
    def cell(r: SLOResult) -> str:
        if not r.measured:
            return "—"
        return fmt(r.burn_rates.get(window, math.nan))

    return cell


def _remaining(r: SLOResult) -> str:
    if not r.measured:
        return "—"
    # a decimal only where it fits in 6 characters (-23.4%, but -147%)
    return pct(r.remaining, 1 if abs(r.remaining) < 0.995 else 0)


def _coverage(r: SLOResult) -> str:
    return coverage_text(r.coverage.get("window", math.nan))


def _sli(r: SLOResult) -> str:
    if not r.measured:
        return "—"
    # ≈: computed by Prometheus from a templated (raw) query, not from exact counts
    return ("" if r.exact else "≈") + sli_text(r.sli, r.objective)


COLUMNS: tuple[Column, ...] = (
    Column("slo", "SLO", lambda r: r.name, justify="left", max_width=24),
    # the window without its zone: the zone is in --details and every other output
    Column(
        "objective",
        "objective",
        lambda r: f"{objective_text(r.objective)} {r.window_short or r.window}",
        "left",
        8,
    ),
    Column("sli", "SLI", _sli, keep=10),
    Column("remaining", "budget", _remaining),
    Column("bar", "", lambda r: "" if not r.measured else bar(r.remaining), "left", 1),
    *(
        Column(f"burn_{w}", f"{'win' if w == 'window' else w}×", _burn(w), keep=k)
        for w, k in zip(TABLE_BURN_WINDOWS, (11, 4, 5, 3, 3), strict=True)
    ),
    Column("alert", "alert", lambda r: r.alert if r.measured else "—", "left", 12),
    Column("tte", "empty\nin", lambda r: tte_text(r, parts=1), keep=9),
    Column("coverage", "data", _coverage, keep=2),
    Column("status", "status", lambda r: _status(r), justify="left"),
)


def _gate_only(r: SLOResult) -> bool:
    """The SLO fails this run's gate although its status is not critical (a --min-remaining,
    or a ticket alert with --fail-on ticket): its row must not read ``✓ ok``."""
    return r.verdict is not None and r.verdict.breached and r.status != "CRITICAL"


def _status(r: SLOResult) -> str:
    # *: partial, evaluated over a history shorter than the window (said under the table)
    return ("✗ gate" if _gate_only(r) else status_text(r.status)) + ("*" if r.partial else "")


#: what the table's abbreviations mean, per column (shown under the table for the columns shown)
LEGEND: dict[str, str] = {
    "sli": "≈ approximate SLI",
    "remaining": "budget: error budget left",
    "burn": "burn rate (1 = on budget, .24 = 0.24)",
    "alert": "alert: worst burn-rate alert firing",
    "tte": "empty in: time to exhaustion at the 1h rate",
    "coverage": "data: share of the window with data",
}


def _style(col: Column, r: SLOResult) -> str:
    look = STATUS_LOOK[r.status][2]
    if col.name == "status" and _gate_only(r):
        return "bold red"
    if col.name in ("status", "bar", "remaining"):
        return look if r.status != "OK" or col.name != "remaining" else ""
    if col.name == "alert":
        return {"page": "bold red", "ticket": "yellow"}.get(r.alert, "dim")
    if col.name.startswith("burn_"):
        rate = r.burn_rates.get(col.name[5:], math.nan)
        return "bold" if not math.isnan(rate) and rate >= 1 else ""
    if col.name == "slo":
        return "bold" if r.verdict is not None and r.verdict.breached else ""
    return ""


def _legend(evaluation: Evaluation, columns: Sequence[Column]) -> str:
    """One line (wrapped) explaining the abbreviations of the columns shown."""
    names = [c.name for c in columns]
    burns = [c.header for c in columns if c.name.startswith("burn_")]
    parts = []
    for name in ("sli", "remaining", "burn", "alert", "tte", "coverage"):
        if name == "sli" and all(r.exact for r in evaluation.slos):
            continue
        if name == "burn" and burns:
            parts.append(f"{' '.join(burns)}: {LEGEND['burn']}")
        elif name in names:
            parts.append(LEGEND[name])
    if any(_gate_only(r) for r in evaluation.slos):
        parts.append("✗ gate: fails this run's gate, not critical")
    if any(r.partial for r in evaluation.slos):
        parts.append(PARTIAL_LEGEND)
    return " · ".join(parts)


#: the legend of the status marker of a partial result
PARTIAL_LEGEND = "*: partial, over a history shorter than the window"


def partial_lines(evaluation: Evaluation) -> list[str]:
    """``key: partial: history covers …`` for every partial result."""
    return [
        f"{r.key}: {r.history.message}"
        for r in evaluation.slos
        if r.partial and r.history is not None
    ]


def _build(
    evaluation: Evaluation, columns: Sequence[Column], widths: dict[str, int] | None = None
) -> Table:
    """The table of these columns; `widths` (column_widths, when the table fits) fixes each
    column's width instead of rich measuring every cell for it."""
    from rich import box
    from rich.table import Table

    # no padding: SIMPLE_HEAD's blank divider is the one-space gap between columns
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=0, show_edge=False)
    for col in columns:
        table.add_column(
            col.header,
            justify=col.justify,  # type: ignore[arg-type]
            no_wrap=True,
            overflow="ellipsis",
            max_width=col.max_width,
            width=None if widths is None else widths[col.name],
        )
    groups = by_service(evaluation.slos)
    for n, (service, results) in enumerate(groups):
        table.add_row(_cell(service, "bold underline"), *[""] * (len(columns) - 1))
        for i, r in enumerate(results):
            cells = []
            for col in columns:
                text = col.cell(r)
                if col.name == "slo":
                    text = " " + text
                cells.append(_cell(text, _style(col, r)))
            last = i == len(results) - 1 and n < len(groups) - 1
            if r.composite is None:
                table.add_row(*cells, end_section=last)
                continue
            table.add_row(*cells)
            for k, member in enumerate(r.composite.members):
                row = _member_row(r.composite, member, columns)
                table.add_row(*row, end_section=last and k == len(r.composite.members) - 1)
    return table


def _member_row(info: CompositeInfo, m: CompositeMember, columns: Sequence[Column]) -> list[Text]:
    """A composite's member under it (dim): see render.composite.member_values."""
    values = member_values(info, m)
    return [_cell(values.get(col.name, ""), "dim") for col in columns]


def _cell(text: str, style: str) -> Text:
    """A cell's text with its style over all of it: what rich makes of the markup
    ``[style]text[/]`` (the text escaped), without parsing markup for every cell."""
    from rich.text import Span, Text

    return Text(text, spans=[Span(0, len(text), style)] if style else None)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _width(console: Console, table: Table) -> int:
    from rich.measure import Measurement

    options = console.options.update(width=10_000)
    return Measurement.get(console, options, table).maximum


def fitted_table(evaluation: Evaluation, console: Console) -> Table:
    """The widest table that fits the console: drop low-ranked columns until it does."""
    return _fit(evaluation, console)[0]


def _fit(evaluation: Evaluation, console: Console) -> tuple[Table, list[Column]]:
    """Drop columns by rank until the table fits, judged from the cells' widths measured once
    (a table of 10,000 SLOs is built and laid out once, not once per dropped column)."""
    columns = list(COLUMNS)
    widths = column_widths(evaluation, columns)
    while (over := sum(widths[c.name] for c in columns) + len(columns) - 1 > console.width) and (
        droppable := [c for c in columns if c.keep is not None]
    ):
        columns.remove(min(droppable, key=lambda c: c.keep or 0))
    # a table that fits is laid out at exactly these widths (rich's own measurement of every
    # cell, tests/check/test_table_fit.py): given to rich, it does not measure every cell again
    return _build(evaluation, columns, None if over else widths), columns


def column_widths(evaluation: Evaluation, columns: Sequence[Column]) -> dict[str, int]:
    """Each column's width in the table `_build` makes: its widest cell (the header, a service
    row, an SLO's or a composite member's cell), capped at its max_width; the table is their
    sum plus one space between columns (SIMPLE_HEAD, no padding)."""
    from rich.cells import cell_len as one_line

    def cell_len(text: str) -> int:
        return max(one_line(line) for line in text.split("\n"))

    widths = {c.name: cell_len(c.header) for c in columns}
    first = columns[0].name
    for service, results in by_service(evaluation.slos):
        widths[first] = max(widths[first], cell_len(service))
        for r in results:
            for c in columns:
                text = c.cell(r)
                widths[c.name] = max(
                    widths[c.name], cell_len(" " + text if c.name == "slo" else text)
                )
            if r.composite is None:
                continue
            for member in r.composite.members:
                values = member_values(r.composite, member)
                for c in columns:
                    widths[c.name] = max(widths[c.name], cell_len(values.get(c.name, "")))
    return {
        c.name: widths[c.name] if c.max_width is None else min(widths[c.name], c.max_width)
        for c in columns
    }


def render_table(
    evaluation: Evaluation, terminal: Terminal = PLAIN, *, details: bool = False
) -> str:
    """The title, the table fitted to the terminal, (with `details`) every window of every SLO,
    and the summary line; colour escapes only when `terminal` takes them."""
    return console_text(terminal, lambda console: _draw(evaluation, console, details))


def _draw(evaluation: Evaluation, console: Console, details: bool) -> None:
    console.print(f"[bold]SLO check[/] at {iso(evaluation.at)}", highlight=False)
    if evaluation.slos:
        table, columns = _fit(evaluation, console)
        console.print(table)
        console.print(f"[dim]{_escape(_legend(evaluation, columns))}[/]", highlight=False)
    if details:
        for r in evaluation.slos:
            _details(r, console)
        _absent_bad(evaluation, console)
    if evaluation.since is not None:
        console.print(f"[bold]Since[/] {iso(evaluation.since)} (deploy):", highlight=False)
        for r in evaluation.slos:
            console.print(f"  {_escape(r.key)}: {_escape(since_text(r))}", highlight=False)
    _adjustments(evaluation, console)
    line = summary(evaluation)
    style = "bold red" if evaluation.breached else "yellow" if evaluation.unknown else "green"
    console.print(f"[{style}]{_escape(line)}[/]", highlight=False)
    for r in evaluation.breached:
        assert r.verdict is not None
        console.print(
            f"[bold red]✗[/] {_escape(r.key)}: {_escape(', '.join(r.verdict.reasons))} "
            f"({_escape(r.gate.describe())})",
            highlight=False,
        )
    for r in evaluation.errors:
        assert r.error is not None
        console.print(
            f"[bold red]![/] {_escape(r.key)}: {_escape(r.error.describe(r.source_path))}",
            highlight=False,
        )
    for r in evaluation.unknown:
        assert r.verdict is not None
        if r.error is not None:
            continue
        console.print(
            f"[magenta]?[/] {_escape(r.key)}: {_escape('; '.join(r.verdict.reasons))}",
            highlight=False,
        )
    for line in partial_lines(evaluation):
        console.print(f"[yellow]*[/] {_escape(line)}", highlight=False)


def _details(r: SLOResult, console: Console) -> None:
    """Every burn-rate window with its coverage, the counts behind the numbers, the gate."""
    from rich import box
    from rich.table import Table

    console.print()
    head = f"[bold]{_escape(r.key)}[/] {status_text(r.status)}"
    if r.description:
        head += f" — {_escape(r.description)}"
    console.print(head, highlight=False)
    # the spec's own label ("30d", "month (Europe/Berlin)"): the from/to below give its extent
    window = r.window
    kind = r.sli_kind + (f", {r.budgeting_note}" if r.budgeting_note else "")
    unit = r.count_unit
    lines = [
        f"objective {objective_text(r.objective)} over {window}, from {iso(r.window_start)}"
        f" to {iso(r.window_end)}; SLI {kind}" + ("" if r.exact else " (approximate)"),
        f"good {number(r.good, 3)} of {number(r.total, 3)} {unit}; SLI {pct(r.sli, 5)}",
        f"error budget {number(r.allowed_bad, 3)} bad {unit} "
        f"({human_duration(r.budget_minutes * 60)} of full downtime); "
        f"consumed {pct(r.consumed, 2)}, remaining {pct(r.remaining, 2)}",
        f"alerts firing: {', '.join(r.alerts_firing) or 'none'}; exhausted in {tte_text(r)}",
        f"gate: {r.gate.describe()} ({r.gate.origin})"
        + (
            ""
            if r.verdict is None
            else " → "
            + (
                "no answer: " + ", ".join(r.verdict.reasons)
                if r.verdict.unknown
                else "fails: " + ", ".join(r.verdict.reasons)
                if r.verdict.breached
                else "passes"
            )
        ),
    ]
    if r.composite is not None:
        lines.append(f"composite: {members_text(r.composite)}")
    if r.source_path:
        lines.append(f"spec: {r.source_path}")
    lines += [f"no data: {n.message}" for n in r.no_data]
    if r.partial and r.history is not None:
        lines.append(r.history.message)
    if r.measured and r.hourly_burn:
        from slo_cli.render.sparkline import burn_sparkline_line

        lines.append(burn_sparkline_line(r.hourly_burn))
    lines += [f"note: {n}" for n in r.shown_notes]
    if r.data_error:
        lines.append("note: good events exceed total events; check the SLI queries")
    for line in lines:
        console.print("  " + _escape(line), highlight=False)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
    t.add_column("  window", justify="left", no_wrap=True)
    for w in BURN_WINDOWS:
        t.add_column(w, justify="right", no_wrap=True)
    t.add_row("  burn rate ×", *[_burn(w, lambda x: number(x, 2))(r) for w in BURN_WINDOWS])
    t.add_row("  data", *[coverage_text(r.coverage.get(w, math.nan)) for w in BURN_WINDOWS])
    console.print(t)


def _absent_bad(evaluation: Evaluation, console: Console) -> None:
    """Once for every healthy SLO whose `bad` selector matched no series (not per SLO)."""
    quiet = [(r.key, sel) for r in evaluation.slos if r.status == "OK" for sel, _ in r.absent_bad]
    if not quiet:
        return
    console.print()
    console.print(
        f"[dim]note: {len(quiet)} OK SLO(s) counted 0 bad events because their bad selector "
        "matched no series over the queried range (an error counter that never fired has none; "
        "if the service did fail, check the selector):[/]",
        highlight=False,
    )
    for key, sel in quiet:
        console.print(f"[dim]  {_escape(key)}: {_escape(sel)}[/]", highlight=False)


def _adjustments(evaluation: Evaluation, console: Console) -> None:
    """Which budget adjustments applied in each SLO window and what they gave back."""
    adjusted = [r for r in evaluation.slos if r.adjustments is not None]
    if not adjusted:
        return
    from slo_cli.render.adjustments import adjustment_lines, adjustments_text

    console.print("[bold]Budget adjustments[/] (excluded from the SLO window):", highlight=False)
    for r in adjusted:
        assert r.adjustments is not None
        text = adjustments_text(r.adjustments, r.count_unit)
        console.print(f"  {_escape(r.key)}: {_escape(text)}", highlight=False)
        for line in adjustment_lines(r.adjustments, r.count_unit):
            console.print(f"    {_escape(line)}", highlight=False)
