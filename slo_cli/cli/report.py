"""`slo report [PATHS…]`: an error-budget report for people over a period.

`--period 7d|week|month|quarter|Nd` (calendar periods in `--timezone`: the last complete one
before `--at`), Markdown (default), HTML, JSON or CSV on stdout or `--output FILE` (atomic);
`--charts DIR` writes one SVG per SLO and links them from the Markdown. Exit codes: 0 written,
2 bad flags or specs, 3 the source failed (also when only some SLOs' queries failed: the report
is written with those SLOs marked ERROR, each named on stderr, then the run exits 3). SLOs
without data are reported, not failed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from slo_cli.cli.common import (
    ADJUSTMENTS_OPTION,
    MIN_COVERAGE_OPTION,
    PATHS_ARGUMENT,
    PROGRESS_NO_COLOR_OPTION,
    at_option,
    format_option,
    output_option,
)
from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.exit_codes import ExitCode
from slo_cli.render.formats import ReportFormat

if TYPE_CHECKING:
    from slo_cli.report.model import Report


def register(app: typer.Typer) -> None:
    @app.command("report")
    @connection_options
    def report(
        paths: Optional[list[Path]] = PATHS_ARGUMENT,
        period: str = typer.Option(
            "7d",
            "--period",
            "-p",
            metavar="PERIOD",
            help="week, month or quarter (the last complete one, in --timezone), or N days "
            "ending at --at (7d, 28d).",
        ),
        timezone: str = typer.Option(
            "UTC",
            "--timezone",
            "--tz",
            metavar="ZONE",
            help="IANA zone for calendar periods and times shown.",
        ),
        at: Optional[str] = at_option("Report as of this instant"),
        fmt: ReportFormat = format_option(ReportFormat.markdown),
        output: Optional[Path] = output_option(
            "Write to FILE (atomically) instead of stdout (- is stdout)."
        ),
        charts: Optional[Path] = typer.Option(
            None,
            "--charts",
            metavar="DIR",
            help="Write one SVG chart per SLO into DIR (created) and link them from the Markdown.",
        ),
        min_coverage: Optional[float] = MIN_COVERAGE_OPTION,
        select: Optional[list[str]] = SELECT_OPTION,
        service: Optional[list[str]] = SERVICE_OPTION,
        no_color: bool = PROGRESS_NO_COLOR_OPTION,
        incidents: Optional[Path] = typer.Option(
            None,
            "--incidents",
            metavar="FILE",
            help="Incidents (YAML/JSON list: id, title, start, end, url, services): link each "
            "burn event to the incidents overlapping it and list unexplained burn.",
        ),
        adjustments: Optional[Path] = ADJUSTMENTS_OPTION,
        generated_at: Optional[str] = typer.Option(
            None,
            "--generated-at",
            metavar="TIME",
            help="The generation time printed in the report (default: now); fix it for "
            "byte-identical reports.",
        ),
        *,
        connection: ConnectionOptions,
    ) -> None:
        """Report budgets for people: spent this period vs the last, what is left, burn events."""
        from slo_cli.cli import common
        from slo_cli.report.build import build_report
        from slo_cli.report.period import check_timezone, resolve_period
        from slo_cli.sources.errors import SnapshotError

        now = common.now()
        check_timezone(timezone)
        generated = now if generated_at is None else _generated(generated_at, now)
        specs = common.load_specs(paths, select, service, adjustments)
        known = None
        if incidents is not None:
            from slo_cli.report.incidents import load_incidents

            known = load_incidents(str(incidents))
        n_slos = sum(len(s.slos) for s in specs)
        with common.open_source(connection) as (settings, source):
            instant = common.resolve_instant(at, source, now, settings.lag_s)
            the_period = resolve_period(period, instant, timezone)
            try:
                with common.fetch_progress(n_slos, no_color=no_color) as progress:
                    result = build_report(
                        specs,
                        source,
                        the_period,
                        at=instant,
                        generated_at=generated,
                        progress=progress,
                        min_coverage=None if min_coverage is None else min_coverage / 100.0,
                    )
            except SnapshotError as exc:
                raise _for_report(exc, settings.from_file, period, timezone, instant) from None
        if known is not None:
            from slo_cli.report.incidents import link

            result = link(result, known)
        _emit(result, fmt, output, charts)
        if common.report_slo_errors(result.slos):  # written, but these SLOs failed: exit 3
            raise typer.Exit(int(ExitCode.SOURCE_FAILED))


def _for_report(exc: Exception, path: str | None, period: str, tz: str, at: float) -> Exception:
    """A snapshot lacking the report's answers, said in report terms (still exit 3)."""
    from slo_cli.render.common import iso
    from slo_cli.sources.errors import SnapshotError

    if path is None or "has no answer" not in str(exc):
        return exc
    return SnapshotError(
        f"snapshot {path} has no answers for `slo report --period {period}` "
        f"(time zone {tz}) at {iso(at)}",
        hint=f"record it with `slo snapshot PATHS --out {path} --at {iso(at)} "
        f"--period {period} --timezone {tz}` (a snapshot replays only what it was recorded for)",
    )


def _generated(text: str, now: float) -> float:
    from slo_cli.cli.connection import parse_at

    return float(parse_at(text, now, option="--generated-at"))


def _emit(report: Report, fmt: ReportFormat, output: Path | None, charts: Path | None) -> None:
    """Render, write the charts (when asked), and write the report to --output or stdout."""
    from slo_cli.cli import common
    from slo_cli.render.formats import RenderOptions, render

    links: dict[str, str] = {}
    svgs: dict[str, str] | None = None
    if charts is not None:
        from slo_cli.render.report_charts import chart_file_names

        svgs = _write_charts(report, charts)
        base = output.parent if common.to_file(output) and output is not None else Path(".")
        names = chart_file_names(list(report.slos))
        for s in report.slos:
            if s.key in svgs:
                rel = os.path.relpath(charts / names[s.key], base)
                links[s.key] = Path(rel).as_posix()
    text = render(fmt, report, RenderOptions(chart_links=links, charts=svgs))
    common.emit(text, output, lambda: f"{len(report.slos)} SLOs, {report.period.title}")


def _write_charts(report: Report, directory: Path) -> dict[str, str]:
    """One SVG per SLO with data into `directory` (each written atomically)."""
    from slo_cli.errors import UsageError
    from slo_cli.files import write_atomically
    from slo_cli.render.report_charts import chart_file_names, chart_svgs

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--charts {directory}: {exc.strerror}") from None
    with_data = [s for s in report.slos if s.current.total > 0]
    out = chart_svgs(report, with_data)
    names = chart_file_names(list(report.slos))
    for s in with_data:
        write_atomically(directory / names[s.key], out[s.key], option="--charts")
    return out
