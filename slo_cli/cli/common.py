"""The plumbing every command that reads data shares, defined once so the same mistake gets the
same message and exit code in every command.

- `PATHS_ARGUMENT`, `load_specs(paths, select, service)`: the spec files a run covers.
- `MIN_COVERAGE_OPTION`: `--min-coverage PCT` (check, report).
- The option set `slo report` and `slo backtest` share (declared once): `at_option(lead)`,
  `format_option(default)`, `output_option(help)`, `ADJUSTMENTS_OPTION`,
  `PROGRESS_NO_COLOR_OPTION` (with `SELECT_OPTION`/`SERVICE_OPTION` of `cli.selection` and the
  connection flags of `cli.connection.connection_options`).
- `now()`: the one clock read; commands pass the instant down (docs/design.md).
- `open_source(connection)`: the data source (a snapshot for `--from FILE`, else Prometheus),
  closed when the block ends.
- `resolve_instant(at, source, now, lag_s)`: the instant a run is about (`--at`).
- `fetch_progress(n_slos)`: a progress bar on stderr while many SLOs are fetched (and requests).
- `stdout_terminal()`: what stdout is (width, colour), for renderers that lay text out.
- `emit(text, output, summary)`: the result to stdout or, atomically, to `--output FILE`
  (`-o -` is stdout, as everywhere on the command line).
- `colour_environ()`: the environment as rich should read it (`FORCE_COLOR=0` forces nothing).
- `report_slo_errors(rows)`: one `slo: error:` line per SLO whose queries failed (check,
  report, backtest).

Nothing heavy is imported at module level: `slo --help` must start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from slo_cli.cli.connection import ConnectionOptions
    from slo_cli.render.console import Terminal
    from slo_cli.sources.http import QueryLog
    from slo_cli.sources.model import Source
    from slo_cli.sources.settings import ConnectionSettings
    from slo_specs.model import ServiceSpec

#: more SLOs than this get a fetch progress bar on stderr (when stderr is a terminal)
PROGRESS_MIN_SLOS = 5
#: the width text is laid out for when stdout is not a terminal (and COLUMNS is unset)
PIPE_WIDTH = 100

#: a progress callback: (done, total)
Progress = Callable[[int, int], None]


#: the PATHS argument of the commands that read specs (declared once)
PATHS_ARGUMENT = typer.Argument(
    None, help="Spec files or directories (default: the current directory)."
)

#: `--min-coverage PCT` of the commands that judge SLOs (check, report): for every SLO, over
#: the spec's `min_coverage` (None: each SLO's own, else the default; slo_cli.nodata)
MIN_COVERAGE_OPTION = typer.Option(
    None,
    "--min-coverage",
    metavar="PCT",
    min=0.0,
    max=100.0,
    help="Evaluate an SLO only when data covers at least PCT percent of its window (else: no "
    "data, with the reason); a young SLO at or above it is evaluated over its history, marked "
    "partial. Replaces every spec's min_coverage. Default: the spec's, else 50.",
)

#: `--adjustments FILE` of check, report and backtest (slo_specs.adjustments_file)
ADJUSTMENTS_OPTION = typer.Option(
    None,
    "--adjustments",
    metavar="FILE",
    help="Budget adjustments from FILE (a YAML or JSON list, e.g. written by incident "
    "tooling): periods whose events count neither as good nor as bad, added to the specs' own.",
)


#: `--no-color` of the commands whose only colour is the fetch progress bar (report, backtest)
PROGRESS_NO_COLOR_OPTION = typer.Option(
    False,
    "--no-color",
    help="No colour in the progress bar (also: the NO_COLOR environment variable).",
)


def at_option(lead: str) -> Any:
    """`--at TIME` (report, backtest): `lead` says what the instant is."""
    return typer.Option(
        None,
        "--at",
        metavar="TIME",
        help=f"{lead}: RFC 3339 or epoch seconds (default: now; with --from, the snapshot's "
        "instant).",
    )


def format_option(default: Any) -> Any:
    """`--format`/`-f` with the command's own choices (an enum) and `default`."""
    return typer.Option(default, "--format", "-f", help="Output format.")


def output_option(help_text: str) -> Any:
    """`--output`/`-o FILE`: the result written atomically (`-` is stdout)."""
    return typer.Option(None, "--output", "-o", metavar="FILE", help=help_text)


def load_specs(
    paths: Sequence[Path] | None,
    select: Sequence[str] | None,
    service: Sequence[str] | None,
    adjustments: Path | None = None,
) -> list[ServiceSpec]:
    """The specs under `paths` (default: the current directory), with the entries of
    --adjustments FILE attached (matched against every spec read), narrowed by --select and
    --service; SpecError (exit 2) for bad specs, UsageError when nothing is selected."""
    from slo_cli.cli.project import scan_filter
    from slo_cli.cli.selection import select_slos
    from slo_specs.errors import SpecError
    from slo_specs.loader import check_paths

    report = check_paths(list(paths or [Path(".")]), where=scan_filter())
    if report.problems:
        raise SpecError(list(report.problems))
    if report.skipped:
        # a directory scan met YAML that is clearly not a spec (docker-compose, Kubernetes)
        names = ", ".join(p.path for p in report.skipped[:3])
        more = f" and {len(report.skipped) - 3} more" if len(report.skipped) > 3 else ""
        sys.stderr.write(
            f"slo: note: skipped {len(report.skipped)} file(s) that are not SLO specs: "
            f"{names}{more} (`slo validate --strict` lists them as errors)\n"
        )
    specs = list(report.specs)
    if adjustments is not None:
        from slo_specs.adjustments_file import attach, load_adjustments

        specs = attach(specs, load_adjustments(str(adjustments)))
    return select_slos(specs, select or [], service or [])


def now() -> float:
    """The current time, epoch seconds: the one place a command reads the clock."""
    import time

    return time.time()


@contextmanager
def open_source(
    connection: ConnectionOptions, query_log: QueryLog | None = None
) -> Iterator[tuple[ConnectionSettings, Source]]:
    """The connection settings and the source they describe (a `RecordedSource` for `--from
    FILE`, else a `PrometheusSource`), closed when the block ends. Bad settings raise
    UsageError (exit 2) before anything is fetched. With `query_log`, every call the source
    makes is logged there (`slo check --explain`)."""
    from slo_cli.cli.connection import make_source

    settings = connection.settings()
    source = make_source(settings, query_log, connection.cache_mode)
    try:
        yield settings, source
    finally:
        source.close()


def resolve_instant(at: str | None, source: Source, now: float, lag_s: float) -> float:
    """The instant a run is about: `--at`, else a snapshot's own instant, else now minus the lag.

    A snapshot replays only the instant it was recorded at: another `--at` is a usage error
    (exit 2) with the same message in every command.
    """
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


@contextmanager
def fetch_progress(
    n_slos: int, *, no_color: bool = False, requests: Callable[[], int] | None = None
) -> Iterator[Progress | None]:
    """A fetch progress bar on stderr while more than PROGRESS_MIN_SLOS SLOs are fetched (SLOs
    done / total, and the HTTP requests sent so far when `requests` counts them); None (no bar)
    when there are few or stderr is not a terminal. stdout carries only the result."""
    if n_slos <= PROGRESS_MIN_SLOS or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(
        file=sys.stderr, stderr=True, no_color=no_color or None, _environ=colour_environ()
    )
    with Progress(
        TextColumn("fetching SLOs"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[sent]}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("fetch", total=n_slos, sent="")

        def update(done: int, total: int) -> None:
            sent = "" if requests is None else f"{requests():,} requests"
            bar.update(task, completed=done, total=total, sent=sent)

        yield update


def stdout_terminal(*, no_color: bool = False, pipe_width: int | None = PIPE_WIDTH) -> Terminal:
    """What stdout is, as rich sees it (TTY, NO_COLOR, FORCE_COLOR, TERM, its width).

    When stdout is not a terminal the width is $COLUMNS, else `pipe_width` (None: rich's own
    default). `no_color` is the `--no-color` flag.
    """
    from rich.console import Console

    width = None
    if pipe_width is not None and not sys.stdout.isatty():
        width = int(os.environ.get("COLUMNS") or pipe_width)
    console = Console(
        file=sys.stdout, width=width, no_color=no_color or None, _environ=colour_environ()
    )
    from slo_cli.render.console import Terminal

    return Terminal(
        width=console.width,
        color_system=console.color_system,
        no_color=console.no_color,
        is_terminal=console.is_terminal,
    )


def to_file(output: Path | None) -> bool:
    """Whether `--output` names a file (not given, or `-`, is stdout)."""
    return output is not None and str(output) != "-"


#: FORCE_COLOR values that do not force colour (https://force-color.org: "0" is not a request)
_NO_FORCE = frozenset({"", "0", "false", "no", "off"})


def colour_environ() -> dict[str, str]:
    """os.environ for rich, without a FORCE_COLOR that asks for nothing: rich forces colour for
    any non-empty FORCE_COLOR, `0` included. NO_COLOR (any value) still wins over FORCE_COLOR."""
    env = dict(os.environ)
    if env.get("FORCE_COLOR", "").strip().lower() in _NO_FORCE:
        env.pop("FORCE_COLOR", None)
    return env


def emit(text: str, output: Path | None = None, summary: Callable[[], str] | None = None) -> None:
    """Write the result to stdout, or atomically to `output` and say so on stderr
    (``slo: wrote FILE: SUMMARY``). `-` is stdout."""
    if not to_file(output):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from slo_cli.files import write_atomically

    assert output is not None
    write_atomically(output, text)
    sys.stderr.write(f"slo: wrote {output}" + (f": {summary()}" if summary else "") + "\n")


#: SLOs whose queries failed named on stderr, one line each; beyond this many, a count
MAX_ERROR_LINES = 10


def report_slo_errors(rows: Sequence[Any]) -> int:
    """One `slo: error: KEY: file:line: …` line on stderr per row (an SLO or a composite of
    `slo check`, `slo report`, `slo backtest`) with an `error` (its own queries failed, or a
    composite's members'; `SLOError.describe` of its `source_path`), at most MAX_ERROR_LINES
    then a count, so a CI log shows why the run exits 3 whatever stdout holds (the rows, the
    JSON and the report say it too). Returns how many rows have one."""
    failed = [r for r in rows if r.error is not None]
    for r in failed[:MAX_ERROR_LINES]:
        sys.stderr.write(f"slo: error: {r.key}: {r.error.describe(r.source_path)}\n")
    if len(failed) > MAX_ERROR_LINES:
        more = len(failed) - MAX_ERROR_LINES
        sys.stderr.write(
            f"slo: error: and {more} more SLOs whose queries failed (the output has them)\n"
        )
    return len(failed)
