"""`slo backtest [PATHS…] --days 90`: replay the SLOs' alert rules over history (docs/rules.md).

Reads the server (or a snapshot recorded with `slo snapshot --backtest-days N`) through the
same planner, source and engine as `slo check`. stdout carries only the result. Exit codes: 0,
2 bad flags or specs, 3 the source failed (also when only some SLOs' queries failed: the result
is written with those SLOs marked as not replayed, each named on stderr, then the run exits 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from slo_cli.cli.common import (
    ADJUSTMENTS_OPTION,
    PATHS_ARGUMENT,
    PROGRESS_NO_COLOR_OPTION,
    at_option,
    format_option,
    output_option,
)
from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.exit_codes import ExitCode
from slo_cli.render.formats import BacktestFormat


def register(app: typer.Typer) -> None:
    @app.command("backtest")
    @connection_options
    def backtest(
        paths: Optional[list[Path]] = PATHS_ARGUMENT,
        days: float = typer.Option(
            90.0, "--days", min=0.0, max=400.0, help="How many days of history to replay."
        ),
        at: Optional[str] = at_option("End of the replay"),
        for_: str = typer.Option(
            "0s", "--for", metavar="DURATION", help="`for` of the alerts (as in `slo rules`)."
        ),
        fmt: BacktestFormat = format_option(BacktestFormat.table),
        output: Optional[Path] = output_option("Write to FILE (atomically)."),
        adjustments: Optional[Path] = ADJUSTMENTS_OPTION,
        select: Optional[list[str]] = SELECT_OPTION,
        service: Optional[list[str]] = SERVICE_OPTION,
        no_color: bool = PROGRESS_NO_COLOR_OPTION,
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Replay the alert rules over history: pages, tickets, detection delays, misses."""
        from slo_cli.cli import common
        from slo_cli.cli.rules import _seconds
        from slo_cli.errors import UsageError
        from slo_cli.render.formats import render
        from slo_cli.rules.backtest import backtest as run

        if days <= 0:
            raise UsageError("--days must be more than 0")
        for_s = _seconds(for_, "--for")
        now = common.now()
        specs = common.load_specs(paths, select, service, adjustments)
        n_slos = sum(len(s.slos) for s in specs)
        with common.open_source(connection) as (settings, source):
            instant = common.resolve_instant(at, source, now, settings.lag_s)
            with common.fetch_progress(n_slos, no_color=no_color) as progress:
                result = run(specs, source, instant, days=days, for_s=for_s, progress=progress)

        def summary() -> str:
            pages = sum(len(s.pages) for s in result.slos)
            tickets = sum(len(s.tickets) for s in result.slos)
            return f"{len(result.slos)} SLOs, {pages} pages, {tickets} tickets"

        common.emit(render(fmt, result), output, summary)
        if common.report_slo_errors(result.slos):  # written, but these SLOs failed: exit 3
            raise typer.Exit(int(ExitCode.SOURCE_FAILED))
