"""`slo check [PATHS…]`: evaluate every SLO found, show it, and gate on it (exit 0/1/4).

stdout carries only the result (table, JSON, …); messages and the progress bar go to stderr.
Exit codes: 0 pass, 1 an SLO breaches the gate, 2 bad flags or specs, 3 the source failed,
4 an SLO has no data (unless --allow-no-data). Heavy imports stay inside the command so
`slo --help` starts fast.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from slo_cli.cli.common import ADJUSTMENTS_OPTION, MIN_COVERAGE_OPTION, PATHS_ARGUMENT
from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.render.formats import CheckFormat


class FailOnChoice(str, enum.Enum):
    """`--fail-on`: the least severe condition that fails the gate."""

    exhausted = "exhausted"
    page = "page"
    ticket = "ticket"
    never = "never"


def register(app: typer.Typer) -> None:
    @app.command("check")
    @connection_options
    def check(
        paths: Optional[list[Path]] = PATHS_ARGUMENT,
        at: Optional[str] = typer.Option(
            None,
            "--at",
            metavar="TIME",
            help="Evaluate at this instant: RFC 3339 (2026-11-20T12:00:00Z) or epoch seconds "
            "(default: now; with --from, the snapshot's instant).",
        ),
        fmt: CheckFormat = typer.Option(CheckFormat.table, "--format", "-f", help="Output format."),
        output: Optional[Path] = typer.Option(
            None,
            "--output",
            "-o",
            metavar="FILE",
            help="Write the result to FILE (atomically) instead of stdout (- is stdout).",
        ),
        details: bool = typer.Option(
            False, "--details", help="Table: also show every burn-rate window and the counts."
        ),
        no_color: bool = typer.Option(
            False, "--no-color", help="No colour (also: the NO_COLOR environment variable)."
        ),
        fail_on: Optional[FailOnChoice] = typer.Option(
            None,
            "--fail-on",
            help="Fail (exit 1) when a budget is exhausted, or also on a page alert, or also on "
            "a ticket alert, or never. Default: each SLO's gate policy, else page.",
        ),
        min_remaining: Optional[float] = typer.Option(
            None,
            "--min-remaining",
            metavar="PCT",
            min=0.0,
            max=100.0,
            help="Also fail when less than PCT percent of an SLO's budget remains.",
        ),
        min_coverage: Optional[float] = MIN_COVERAGE_OPTION,
        select: Optional[list[str]] = SELECT_OPTION,
        service: Optional[list[str]] = SERVICE_OPTION,
        allow_no_data: bool = typer.Option(
            False,
            "--allow-no-data",
            help="SLOs without data do not fail the run (exit 0 instead of 4).",
        ),
        since: Optional[str] = typer.Option(
            None,
            "--since",
            metavar="TIME",
            help="Also show each SLO's events, SLI, budget spent and average burn rate since "
            "TIME (a deploy): RFC 3339, epoch seconds, or back from the evaluation instant "
            "(-2h). Floored to the minute.",
        ),
        max_burn_since: Optional[float] = typer.Option(
            None,
            "--max-burn-since",
            metavar="X",
            min=0.0,
            help="Fail (exit 1) when an SLO burned faster than X on average since --since, "
            "whatever --fail-on says.",
        ),
        adjustments: Optional[Path] = ADJUSTMENTS_OPTION,
        max_spent_since: Optional[float] = typer.Option(
            None,
            "--max-spent-since",
            metavar="PCT",
            min=0.0,
            help="Fail (exit 1) when an SLO spent more than PCT percent of its budget since "
            "--since, whatever --fail-on says.",
        ),
        explain: Optional[str] = typer.Option(
            None,
            "--explain",
            metavar="SLO",
            help="Explain one SLO (service/name, or a unique name): every figure with its "
            "formula and inputs, the alert rules against their thresholds, the gate's decision "
            "and every query sent. Text, or JSON with --format json.",
        ),
        show_queries: bool = typer.Option(
            False,
            "--show-queries",
            help="List the queries the check would send (text, start, end, step per SLO) "
            "without sending them; needs no server.",
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Evaluate SLOs: budget left, burn rates, alerts; exit 1 when one fails the gate."""
        from slo_cli.cli import common
        from slo_cli.cli import since as scoped
        from slo_cli.evaluate import evaluate
        from slo_cli.gate import apply_gate, exit_code

        now = common.now()
        limits = scoped.gate_limits(since, max_burn_since, max_spent_since)
        specs = common.load_specs(paths, select, service, adjustments)
        if explain is not None:  # that one SLO only
            from slo_cli.cli.explain import narrow

            specs = narrow(specs, explain)
        if show_queries:  # nothing is sent, no server needed
            from slo_cli.cli.explain import show_queries as listing

            settings = connection.settings()
            listing(specs, at=at, since=since, fmt=fmt, output=output, settings=settings, now=now)
            return
        log = None
        if explain is not None:  # the same pipeline for that SLO, every call logged
            from slo_cli.cli.explain import check_format
            from slo_cli.sources.http import QueryLog

            check_format("explain", fmt)
            log = QueryLog()
        n_slos = sum(len(s.slos) for s in specs)
        with common.open_source(connection, log) as (settings, source):
            instant = common.resolve_instant(at, source, now, settings.lag_s)
            start = None
            if since is not None:
                start = scoped.check_since(scoped.parse_since(since, instant, now), instant)
            with common.fetch_progress(n_slos, no_color=no_color) as progress:
                evaluation = evaluate(
                    specs,
                    source,
                    now,
                    at=instant,
                    progress=progress,
                    since=start,
                    min_coverage=None if min_coverage is None else min_coverage / 100.0,
                    detail=details or log is not None,
                )
        evaluation = apply_gate(
            evaluation,
            fail_on=fail_on.value if fail_on is not None else None,
            min_remaining=None if min_remaining is None else min_remaining / 100.0,
            max_burn_since=limits[0],
            max_spent_since=limits[1],
        )
        code = int(exit_code(evaluation, allow_no_data=allow_no_data))
        if explain is not None and log is not None:
            from slo_cli.cli.explain import emit_explained

            emit_explained(evaluation, explain, log, settings, code, fmt, output)
            raise typer.Exit(code)
        from slo_cli.render.common import summary
        from slo_cli.render.formats import PLAIN, RenderOptions, render

        options = RenderOptions(
            # the table is laid out for stdout as it is (width, colour), for a file plainly
            terminal=PLAIN
            if common.to_file(output) or fmt is not CheckFormat.table
            else common.stdout_terminal(no_color=no_color),
            exit_code=code,
            details=details,
            allow_no_data=allow_no_data,
        )
        common.emit(render(fmt, evaluation, options), output, lambda: summary(evaluation))
        raise typer.Exit(code)
