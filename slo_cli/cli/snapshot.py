"""`slo snapshot`: record the raw server answers needed to evaluate SLOs at one instant.

The file replays offline with `--from FILE` on every command that reads data; it holds no URL,
header, token or password.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from slo_cli.cli.connection import ConnectionOptions, connection_options, parse_at


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    @connection_options
    def snapshot(
        paths: list[Path] = typer.Argument(..., metavar="PATHS", help="Spec files or directories."),
        out: Path = typer.Option(
            ..., "--out", "-o", metavar="FILE", help="Snapshot file to write."
        ),
        at: Optional[str] = typer.Option(
            None,
            "--at",
            metavar="TIME",
            help="Evaluation instant: epoch seconds or ISO 8601 (default: a minute ago).",
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Record what `slo check --from FILE` needs to evaluate these SLOs at one instant."""
        import time

        from slo_cli.errors import UsageError
        from slo_cli.evaluate import plan, requests
        from slo_cli.sources.http import Recorder
        from slo_cli.sources.prometheus import PrometheusSource
        from slo_cli.sources.recorded import write_snapshot
        from slo_specs import load_paths

        settings = connection.settings()
        if settings.from_file:
            raise UsageError("slo snapshot records from a server; --from cannot be used here")
        instant = parse_at(at, time.time(), lag_s=settings.lag_s)
        specs = load_paths(paths)
        reqs = requests(plan(specs, instant))
        recorder = Recorder()
        source = PrometheusSource(
            settings,
            workers=settings.workers,
            allow_partial=settings.allow_partial,
            recorder=recorder,
        )
        tty = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if tty:
                sys.stderr.write(f"\rslo: fetched {done}/{total} SLOs")
                sys.stderr.flush()

        try:
            source.fetch(reqs, progress)
        finally:
            source.close()
            if tty:
                sys.stderr.write("\n")
        n = write_snapshot(
            out, recorder, at=instant, engine=settings.engine, max_points=settings.max_points
        )
        typer.echo(
            f"slo: recorded {n} answers for {len(reqs)} SLOs at {_iso(instant)} into {out}",
            err=True,
        )


def _iso(t: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat().replace("+00:00", "Z")
