"""Root typer app: one module per command, one place that maps exceptions to exit codes.

Command modules are imported here, so they must import heavy libraries (numpy, the Prometheus
client, matplotlib) inside their functions only: `slo --help` must start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import typer

from slo_cli import __version__
from slo_cli.cli.helptext import SloCommand, SloGroup
from slo_cli.exit_codes import ExitCode

app = typer.Typer(
    name="slo",
    cls=SloGroup,
    help="SLO error budgets from Prometheus: check, gate, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help: the rich help formatter costs ~200 ms of imports on every `slo --help`
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"slo {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    """slo: SLO error budgets from Prometheus."""


def _register() -> None:
    from slo_cli.cli import (
        backtest,
        budget,
        check,
        completion,
        examples,
        report,
        rules,
        schema,
        snapshot,
        validate,
    )

    for module in (
        check,
        report,
        validate,
        budget,
        snapshot,
        schema,
        rules,
        backtest,
        examples,
        completion,
    ):
        module.register(app)
    import inspect

    from slo_cli.cli.project import with_project_options

    for info in app.registered_commands:  # plain help without Python types, with examples
        info.cls = SloCommand
        if info.callback and "paths" in inspect.signature(info.callback).parameters:
            info.callback = with_project_options(info.callback)  # --config, --exclude


_register()


def exit_code_for(exc: BaseException) -> ExitCode:
    """The one mapping from our exceptions to exit codes (see README, "Exit codes")."""
    from slo_cli.errors import NoDataError, SloError, UsageError
    from slo_cli.sources.errors import SourceError
    from slo_specs.errors import SpecError

    if isinstance(exc, SpecError | UsageError):
        return ExitCode.USAGE
    if isinstance(exc, SourceError):
        return ExitCode.SOURCE_FAILED
    if isinstance(exc, NoDataError):
        return ExitCode.NO_DATA
    if isinstance(exc, SloError):
        return ExitCode.USAGE
    return ExitCode.INTERNAL


def error_lines(exc: BaseException) -> list[str]:
    """One line per problem, for stderr."""
    from slo_specs.errors import SpecError

    if isinstance(exc, SpecError):
        return [str(p) for p in exc.problems]
    text = str(exc).strip() or type(exc).__name__
    return [text.splitlines()[0]]


def run() -> None:
    """The `slo` executable (and `python -m slo_cli`): `main`, then the process ends without
    the interpreter's teardown, which frees every object one by one (≈ 0.1 s after a check of
    200 SLOs, benchmarks/README.md) when the OS reclaims the memory at once anyway. Only once
    everything is done: output flushed, atexit handlers run, no thread but this one left.
    Otherwise (a flush fails on a closed pipe, a thread still runs, an exit status that is not
    a number) the interpreter ends the process as usual."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
    if not isinstance(code, int) or isinstance(code, bool):
        raise SystemExit(code)
    import threading

    if any(t is not threading.current_thread() and not t.daemon for t in threading.enumerate()):
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the app, turn any exception into a message and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if "_SLO_COMPLETE" in os.environ:  # a completion script calling back (`slo completion`)
        from typer.completion import completion_init

        completion_init()
    try:
        app(args=args, prog_name="slo")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("slo: interrupted\n")
        raise SystemExit(130) from None
    except BaseException as exc:
        code = exit_code_for(exc)
        if debug:
            import traceback

            traceback.print_exc()
        prefix = "slo: error: " if code != ExitCode.INTERNAL else "slo: internal error: "
        for line in error_lines(exc):
            sys.stderr.write(f"{prefix}{line}\n")
        if code == ExitCode.INTERNAL and not debug:
            sys.stderr.write(
                f"slo: this is a bug ({type(exc).__name__}); "
                "run again with --debug for the traceback\n"
            )
        raise SystemExit(int(code)) from None
