"""Rendering of `slo budget` (the offline calculator): a rich text sheet or JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slo_cli.render.console import PLAIN, Terminal, console_text
from slo_cli.render.units import human_duration, number, percent

if TYPE_CHECKING:
    from rich.console import Console

    from slo_cli.engine.offline import BudgetSheet

BUDGET_JSON_SCHEMA_ID = "slo/budget/v1"


def budget_json(sheet: BudgetSheet) -> str:
    """JSON with units in key names and unrounded numbers (schema ``slo/budget/v1``)."""
    doc: dict[str, Any] = {
        "schema": BUDGET_JSON_SCHEMA_ID,
        "objective_ratio": sheet.objective,
        "window_seconds": sheet.window_s,
        "allowed_bad_ratio": sheet.allowed_bad_fraction,
        "allowed_bad_seconds_per_window": sheet.allowed_bad_s_per_window,
        "downtime": [
            {"period": d.period, "period_seconds": d.period_s, "allowed_bad_seconds": d.allowed_s}
            for d in sheet.downtime
        ],
        "alerts": [
            {
                "severity": a.severity,
                "burn_rate": a.burn_rate,
                "long_window_seconds": a.long_s,
                "short_window_seconds": a.short_s,
                "budget_consumed_ratio": a.budget_consumed,
                "time_to_exhaustion_seconds": a.time_to_exhaustion_s,
            }
            for a in sheet.alerts
        ],
        "burn_rates": [
            {
                "burn_rate": b.burn_rate,
                "error_ratio": b.error_rate,
                "time_to_exhaustion_seconds": b.time_to_exhaustion_s,
            }
            for b in sheet.burn_rates
        ],
        "events": None
        if sheet.events is None
        else {
            "events_per_window": sheet.events.events_per_window,
            "allowed_bad_events_per_window": sheet.events.allowed_bad_per_window,
            "allowed_bad_events_per_day": sheet.events.allowed_bad_per_day,
        },
    }
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def budget_text(sheet: BudgetSheet, terminal: Terminal = PLAIN) -> str:
    """The sheet as rich tables laid out for `terminal` (colour escapes only when it takes
    them)."""
    return console_text(terminal, lambda console: _draw(sheet, console))


def _draw(sheet: BudgetSheet, console: Console) -> None:
    from rich import box
    from rich.table import Table

    win = human_duration(sheet.window_s)
    console.print(
        f"[bold]Objective {percent(sheet.objective, 6)}[/] over {win}: "
        f"error budget {percent(sheet.allowed_bad_fraction, 6)} of events, "
        f"or [bold]{human_duration(sheet.allowed_bad_s_per_window)}[/] of full downtime per window"
    )
    if sheet.events is not None:
        ev = sheet.events
        console.print(
            f"At {number(ev.events_per_window, 2)} events per window: "
            f"[bold]{number(ev.allowed_bad_per_window, 2)}[/] bad events allowed per window "
            f"({number(ev.allowed_bad_per_day, 2)} per day)"
        )

    t = Table(title="Allowed downtime", box=box.SIMPLE_HEAD, title_justify="left")
    t.add_column("period")
    t.add_column("allowed bad time", justify="right")
    t.add_column("seconds", justify="right")
    for d in sheet.downtime:
        t.add_row(d.period, human_duration(d.allowed_s), number(d.allowed_s, 3))
    console.print(t)

    t = Table(
        title=f"Multi-window burn-rate alerts for a {win} window (SRE Workbook table 5-8)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for name in ("severity", "burn rate", "long window", "short window"):
        t.add_column(name, justify="right" if name != "severity" else "left")
    t.add_column("budget spent\nwhen it fires", justify="right")
    t.add_column("time to exhaustion", justify="right")
    for a in sheet.alerts:
        t.add_row(
            a.severity,
            number(a.burn_rate) + "×",
            human_duration(a.long_s),
            human_duration(a.short_s),
            percent(a.budget_consumed, 3),
            human_duration(a.time_to_exhaustion_s),
        )
    console.print(t)

    t = Table(
        title="Time to exhaustion by burn rate (SRE Workbook table 5-4)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    t.add_column("burn rate", justify="right")
    t.add_column("error rate", justify="right")
    t.add_column("time to exhaustion", justify="right")
    for b in sheet.burn_rates:
        t.add_row(
            number(b.burn_rate) + "×",
            percent(b.error_rate, 4),
            human_duration(b.time_to_exhaustion_s),
        )
    console.print(t)
