"""`slo snapshot`: record the raw server answers needed to evaluate SLOs at one instant.

The file replays offline with `--from FILE` on every command that reads data; it holds no URL,
header, token or password. It always holds what `slo check` needs at the instant; with
`--period P` (repeatable) and `--timezone TZ` it also holds what `slo report --period P
--timezone TZ` needs at that instant (the report's own query plan, docs/design.md §5).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from slo_cli.cli.common import ADJUSTMENTS_OPTION
from slo_cli.cli.connection import (
    ConnectionOptions,
    connection_options,
    parse_at,
    run_deadline,
    system_clock,
)


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    @connection_options(replay=False)
    def snapshot(
        paths: list[Path] = typer.Argument(..., metavar="PATHS", help="Spec files or directories."),
        out: Optional[Path] = typer.Option(
            None, "--out", "-o", metavar="FILE", help="Snapshot file to write (required)."
        ),
        at: Optional[str] = typer.Option(
            None,
            "--at",
            metavar="TIME",
            help="Evaluation instant: epoch seconds or ISO 8601 (default: a minute ago).",
        ),
        periods: Optional[list[str]] = typer.Option(
            None,
            "--period",
            "-p",
            metavar="PERIOD",
            help="Also record what `slo report --period PERIOD` needs at this instant "
            "(repeatable: 7d, Nd, week, month, quarter).",
        ),
        timezone: str = typer.Option(
            "UTC",
            "--timezone",
            "--tz",
            metavar="ZONE",
            help="IANA zone of the recorded report periods (as `slo report --timezone`).",
        ),
        since: Optional[str] = typer.Option(
            None,
            "--since",
            metavar="TIME",
            help="Also record what `slo check --since TIME` needs (a deploy instant).",
        ),
        backtest_days: Optional[float] = typer.Option(
            None,
            "--backtest-days",
            metavar="DAYS",
            min=0.0,
            max=400.0,
            help="Also record what `slo backtest --days DAYS` needs at this instant.",
        ),
        adjustments: Optional[Path] = ADJUSTMENTS_OPTION,
        dry_run: bool = typer.Option(
            False,
            "--dry-run",
            help="List the queries the recording would start with (text, start, end, step per "
            "SLO) without sending them or writing a file; needs no server.",
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Record what `slo check --from FILE` (and, with --period, `slo report --from FILE`)
        needs to evaluate these SLOs at one instant."""
        from slo_cli.cli.common import load_specs, now
        from slo_cli.errors import UsageError
        from slo_cli.report.period import check_timezone, resolve_period
        from slo_cli.sources.http import Recorder
        from slo_cli.sources.recorded import write_snapshot

        settings = connection.settings()
        if settings.from_file:
            raise UsageError("slo snapshot records from a server; --from cannot be used here")
        check_timezone(timezone)
        instant = parse_at(at, now(), lag_s=settings.lag_s)
        # every period is resolved before any query, so a bad one is a usage error (exit 2)
        report_periods = [
            resolve_period(p, instant, timezone) for p in dict.fromkeys(periods or ())
        ]
        # --exclude and the project config apply; --adjustments: their edges are in the plan
        specs = load_specs(paths, None, None, adjustments)
        parts = _requests(specs, instant, since, report_periods, backtest_days)
        check_reqs = parts[0][1]
        if dry_run:
            from slo_cli.cli.explain import dry_run_listing

            dry_run_listing(check_reqs, parts[1:], instant, settings)
            return
        if out is None:
            raise UsageError("--out FILE is required (or --dry-run to list the queries)")
        recorder = Recorder()
        _fetch(settings, [r for _, reqs in parts for r in reqs], recorder)
        n = write_snapshot(
            out,
            recorder,
            at=instant,
            recorded_at=now(),
            engine=settings.engine,
            max_points=settings.max_points,
        )
        also = ""
        if report_periods:
            names = ", ".join(p.label for p in report_periods)
            also = f" (and reports for {names}, time zone {timezone})"
        typer.echo(
            f"slo: recorded {n} answers for {len(check_reqs)} SLOs at {_iso(instant)}{also} "
            f"into {out}",
            err=True,
        )


def _requests(
    specs: list[Any], instant: float, since: str | None, periods: list[Any], days: float | None
) -> list[tuple[str, list[Any]]]:
    """What the recording fetches, by purpose: the check's requests first (label ""), then
    --since's, each report period's and the backtest's (answers shared are stored once)."""
    from slo_cli.cli.common import now
    from slo_cli.plan import check_needs, plan, report_needs, requests

    parts = [("", requests(plan(specs, check_needs(instant))))]
    # --details (and --explain) also need the bounds of the hours before the instant as edges
    parts.append(("details", requests(plan(specs, check_needs(instant, details=True)))))
    if since is not None:  # the deploy's minute is an edge: its bins are recorded too
        from slo_cli.cli.since import check_since, parse_since

        start = check_since(parse_since(since, instant, now()), instant)
        parts.append((f"since {since}", requests(plan(specs, check_needs(instant, start)))))
        parts.append(
            (f"since {since}, details", requests(plan(specs, check_needs(instant, start, True))))
        )
    # the report's grids differ from the check's (period bounds are edges, hourly bins far
    # back): each period adds its own requests
    parts += [(f"report {p.label}", requests(plan(specs, report_needs(p)))) for p in periods]
    if days:
        from slo_cli.rules.backtest import backtest_plan

        parts.append(("backtest", requests(backtest_plan(specs, instant, days))))
    return parts


def _fetch(settings: Any, reqs: list[Any], recorder: Any) -> None:
    """Fetch every request from the server, each answer kept by `recorder`; a progress line
    on stderr when it is a terminal."""
    from slo_cli.sources.prometheus import PrometheusSource

    clock = system_clock()
    source = PrometheusSource(
        settings,
        clock=clock,
        run_deadline=run_deadline(settings, clock),
        workers=settings.workers,
        allow_partial=settings.allow_partial,
        recorder=recorder,
    )
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            sys.stderr.write(f"\rslo: fetched {done}/{total} requests")
            sys.stderr.flush()

    try:
        source.fetch(reqs, progress)
    finally:
        source.close()
        if tty:
            sys.stderr.write("\n")


def _iso(t: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat().replace("+00:00", "Z")
