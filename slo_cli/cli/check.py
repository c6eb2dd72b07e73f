"""`slo check [PATHS…]`: evaluate every SLO found, show it, and gate on it (exit 0/1/4).

stdout carries only the result (table, JSON, …); messages and the progress bar go to stderr.
Exit codes: 0 pass, 1 an SLO breaches the gate, 2 bad flags or specs, 3 the source failed,
4 an SLO has no data (unless --allow-no-data). Heavy imports stay inside the command so
`slo --help` starts fast.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from slo_cli.cli.common import ADJUSTMENTS_OPTION, MIN_COVERAGE_OPTION, PATHS_ARGUMENT
from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.render.formats import CheckFormat

if TYPE_CHECKING:
    from slo_cli.cli.common import Progress
    from slo_cli.render.console import Terminal
    from slo_cli.results import Evaluation
    from slo_cli.sources.model import Source
    from slo_specs.model import ServiceSpec


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
        watch: Optional[float] = typer.Option(
            None,
            "--watch",
            metavar="[SECONDS]",
            help="Redraw the table every SECONDS (alone: 60; at least 5) until Ctrl-C, each "
            "refresh at the new instant over one connection; Ctrl-C exits with the last "
            "refresh's code. Piped: one table per refresh.",
        ),
        quiet: bool = typer.Option(
            False, "--quiet", "-q", help="No progress display on stderr (errors still show)."
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Evaluate SLOs: budget left, burn rates, alerts; exit 1 when one fails the gate."""
        from slo_cli.cli import common

        now = common.now()
        if watch is not None:
            from slo_cli.cli.watch import check_options

            check_options(
                watch,
                at=at,
                table=fmt is CheckFormat.table,
                output=output,
                explain=explain,
                show_queries=show_queries,
                from_file=connection.from_file,
            )
        run = CheckRun(
            limits=_limits(since, max_burn_since, max_spent_since),
            since=since,
            fail_on=fail_on,
            min_remaining=min_remaining,
            min_coverage=min_coverage,
            allow_no_data=allow_no_data,
            details=details,
            no_color=no_color,
            quiet=quiet,
        )
        specs = common.load_specs(paths, select, service, adjustments)
        if explain is not None:  # that one SLO only
            from slo_cli.cli.explain import narrow

            specs = narrow(specs, explain)
        if show_queries:  # nothing is sent, no server needed
            from slo_cli.cli.explain import show_queries as listing

            settings = connection.settings()
            listing(specs, at=at, since=since, fmt=fmt, output=output, settings=settings, now=now)
            return
        if watch is not None:
            from slo_cli.cli.watch import run_check

            raise typer.Exit(run_check(run, specs, connection, watch))
        log = None
        if explain is not None:  # the same pipeline for that SLO, every call logged
            from slo_cli.cli.explain import check_format
            from slo_cli.sources.http import QueryLog

            check_format("explain", fmt)
            log = QueryLog()
        with common.open_source(connection, log) as (settings, source):
            instant = common.resolve_instant(at, source, now, settings.lag_s)
            evaluation, code = run.once(specs, source, now, instant, detail=log is not None)
        if explain is not None and log is not None:
            from slo_cli.cli.explain import emit_explained

            emit_explained(evaluation, explain, log, settings, code, fmt, output)
            raise typer.Exit(code)
        from slo_cli.render.common import summary

        text = run.text(evaluation, code, fmt, to_file=common.to_file(output))
        common.emit(text, output, lambda: summary(evaluation))
        common.report_slo_errors(evaluation.slos)
        raise typer.Exit(code)


def _limits(
    since: str | None, max_burn: float | None, max_spent: float | None
) -> tuple[float | None, float | None]:
    from slo_cli.cli import since as scoped

    return scoped.gate_limits(since, max_burn, max_spent)


@dataclass(frozen=True)
class CheckRun:
    """The options of one evaluation, so a watch repeats exactly what a single run does."""

    limits: tuple[float | None, float | None]
    since: str | None
    fail_on: FailOnChoice | None
    min_remaining: float | None
    min_coverage: float | None
    allow_no_data: bool
    details: bool
    no_color: bool
    quiet: bool

    def once(
        self,
        specs: list[ServiceSpec],
        source: Source,
        now: float,
        instant: float,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> tuple[Evaluation, int]:
        """Evaluate and gate at `instant`: the evaluation and its exit code. Without
        `progress`, a progress bar on stderr when it is a terminal (not with --quiet)."""
        from contextlib import nullcontext

        from slo_cli.cli import common
        from slo_cli.cli import since as scoped
        from slo_cli.evaluate import evaluate
        from slo_cli.gate import apply_gate, exit_code

        start = None
        if self.since is not None:
            start = scoped.check_since(scoped.parse_since(self.since, instant, now), instant)
        n_slos = sum(len(s.slos) for s in specs)
        bar: Any = nullcontext(progress)
        if progress is None and not self.quiet:
            sent = getattr(source, "requests_sent", None)
            requests = None if sent is None else lambda: int(source.requests_sent)  # type: ignore[attr-defined]
            bar = common.fetch_progress(n_slos, no_color=self.no_color, requests=requests)
        with bar as shown:
            evaluation = evaluate(
                specs,
                source,
                now,
                at=instant,
                progress=shown,
                since=start,
                min_coverage=None if self.min_coverage is None else self.min_coverage / 100.0,
                detail=self.details or detail,
            )
        evaluation = apply_gate(
            evaluation,
            fail_on=self.fail_on.value if self.fail_on is not None else None,
            min_remaining=None if self.min_remaining is None else self.min_remaining / 100.0,
            max_burn_since=self.limits[0],
            max_spent_since=self.limits[1],
        )
        return evaluation, int(exit_code(evaluation, allow_no_data=self.allow_no_data))

    def text(
        self,
        evaluation: Evaluation,
        code: int,
        fmt: CheckFormat,
        *,
        to_file: bool = False,
        terminal: Terminal | None = None,
    ) -> str:
        """The result in `fmt`; the table laid out for stdout as it is (width, colour), or
        `terminal`, and plainly for a file or another format."""
        from slo_cli.cli import common
        from slo_cli.render.formats import PLAIN, RenderOptions, render

        if terminal is None:
            plain = to_file or fmt is not CheckFormat.table
            terminal = PLAIN if plain else common.stdout_terminal(no_color=self.no_color)
        options = RenderOptions(
            terminal=terminal,
            exit_code=code,
            details=self.details,
            allow_no_data=self.allow_no_data,
        )
        return render(fmt, evaluation, options)
