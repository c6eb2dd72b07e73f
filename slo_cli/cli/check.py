"""`slo check [PATHS…]`: evaluate every SLO found, show it, and gate on it (exit 0/1/4).

stdout carries only the result (table, JSON, …); messages and the progress bar go to stderr.
Exit codes: 0 pass, 1 an SLO breaches the gate, 2 bad flags or specs, 3 the source failed,
4 an SLO has no data (unless --allow-no-data). Heavy imports stay inside the command so
`slo --help` starts fast.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.render.common import CheckFormat

if TYPE_CHECKING:
    from rich.console import Console

    from slo_cli.results import Evaluation
    from slo_cli.sources.model import Source
    from slo_specs.model import ServiceSpec

#: more SLOs than this get a progress bar on stderr (when stderr is a terminal)
PROGRESS_MIN_SLOS = 5
#: the width the table is laid out for when stdout is not a terminal (and COLUMNS is unset)
PIPE_WIDTH = 100


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
        paths: Optional[list[Path]] = typer.Argument(
            None, help="Spec files or directories (default: the current directory)."
        ),
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
            help="Write the result to FILE (atomically) instead of stdout.",
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
        select: Optional[list[str]] = SELECT_OPTION,
        service: Optional[list[str]] = SERVICE_OPTION,
        allow_no_data: bool = typer.Option(
            False,
            "--allow-no-data",
            help="SLOs without data do not fail the run (exit 0 instead of 4).",
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Evaluate SLOs: budget left, burn rates, alerts; exit 1 when one fails the gate."""
        import time

        from slo_cli.cli.connection import make_source
        from slo_cli.cli.selection import select_slos
        from slo_cli.gate import apply_gate, exit_code
        from slo_specs import load_paths

        now = time.time()
        specs = select_slos(load_paths(paths or [Path(".")]), select or [], service or [])
        n_slos = sum(len(s.slos) for s in specs)
        settings = connection.settings()
        source = make_source(settings)
        try:
            instant = _instant(at, source, now, settings.lag_s)
            evaluation = _run(specs, source, now, instant, n_slos, no_color)
        finally:
            source.close()
        evaluation = apply_gate(
            evaluation,
            fail_on=fail_on.value if fail_on is not None else None,
            min_remaining=None if min_remaining is None else min_remaining / 100.0,
        )
        code = exit_code(evaluation, allow_no_data=allow_no_data)
        _emit(evaluation, fmt, output, int(code), details, no_color, allow_no_data)
        raise typer.Exit(int(code))


def _instant(at: str | None, source: Source, now: float, lag_s: float) -> float:
    """The evaluation instant: --at, else a snapshot's own instant, else now (minus the lag)."""
    from slo_cli.cli.connection import parse_at
    from slo_cli.errors import UsageError

    recorded = getattr(source, "at", None)
    if recorded is None:
        return float(parse_at(at, now, lag_s=lag_s))
    if at is None:
        return float(recorded)
    wanted = float(parse_at(at, now, lag_s=lag_s))
    if abs(wanted - float(recorded)) > 1e-6:
        from slo_cli.render.common import iso

        raise UsageError(
            f"--at {at}: the snapshot was recorded at {iso(float(recorded))} "
            "and replays only at that instant"
        )
    return wanted


def _run(
    specs: Sequence[ServiceSpec],
    source: Source,
    now: float,
    instant: float,
    n_slos: int,
    no_color: bool,
) -> Evaluation:
    """Evaluate, with a progress bar on stderr when it is a terminal and there are many SLOs."""
    from slo_cli.evaluate import evaluate

    if n_slos <= PROGRESS_MIN_SLOS or not sys.stderr.isatty():
        return evaluate(specs, source, now, at=instant)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr, stderr=True, no_color=no_color or None)
    with Progress(
        TextColumn("fetching SLOs"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("fetch", total=n_slos)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return evaluate(specs, source, now, at=instant, progress=progress)


def _stdout_console(no_color: bool) -> Console:
    from rich.console import Console

    tty = sys.stdout.isatty()
    width = None if tty else int(os.environ.get("COLUMNS") or PIPE_WIDTH)
    return Console(
        file=sys.stdout,
        width=width,
        no_color=no_color or None,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )


def _file_console(buffer: object) -> Console:
    from rich.console import Console

    return Console(
        file=buffer,  # type: ignore[arg-type]
        width=PIPE_WIDTH,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    )


def render(
    evaluation: Evaluation,
    fmt: CheckFormat,
    *,
    exit_code: int,
    details: bool = False,
    allow_no_data: bool = False,
    console: Console | None = None,
) -> str | None:
    """Render `evaluation` as text; for the table with a console, print to it (returns None)."""
    if fmt is CheckFormat.table:
        from io import StringIO

        from slo_cli.render.table import render_table

        if console is not None:
            render_table(evaluation, console, details=details)
            return None
        buf = StringIO()
        render_table(evaluation, _file_console(buf), details=details)
        return buf.getvalue()
    if fmt is CheckFormat.json:
        from slo_cli.render.json_out import render_json

        return render_json(evaluation, exit_code)
    if fmt is CheckFormat.markdown:
        from slo_cli.render.markdown import render_markdown

        return render_markdown(evaluation)
    if fmt is CheckFormat.csv:
        from slo_cli.render.csv_out import render_csv

        return render_csv(evaluation)
    if fmt is CheckFormat.junit:
        from slo_cli.render.junit import render_junit

        return render_junit(evaluation, allow_no_data=allow_no_data)
    raise AssertionError(f"no renderer for {fmt}")


def _emit(
    evaluation: Evaluation,
    fmt: CheckFormat,
    output: Path | None,
    code: int,
    details: bool,
    no_color: bool,
    allow_no_data: bool,
) -> None:
    """Write the result to --output (atomically) or stdout."""
    if output is None:
        console = _stdout_console(no_color) if fmt is CheckFormat.table else None
        text = render(
            evaluation,
            fmt,
            exit_code=code,
            details=details,
            allow_no_data=allow_no_data,
            console=console,
        )
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    text = render(evaluation, fmt, exit_code=code, details=details, allow_no_data=allow_no_data)
    assert text is not None
    from slo_cli.files import write_atomically
    from slo_cli.render.common import summary

    write_atomically(output, text)

    sys.stderr.write(f"slo: wrote {output}: {summary(evaluation)}\n")
