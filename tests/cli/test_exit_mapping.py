"""The one exception → exit-code mapping in slo_cli.cli.app (README, "Exit codes"), run
through the real entry point (tests/clirun.py).

Each code is produced by a real command elsewhere (tests/check, tests/specs, tests/cli); here the
mapper itself: every error class lands on its code, one line on stderr, no traceback unless
--debug. A bug (code 70) cannot be produced on demand by a real input, so a command is made to
raise one.
"""

from __future__ import annotations

import pytest
import typer

from slo_cli.cli import app as app_module
from slo_cli.errors import NoDataError, UsageError
from slo_cli.exit_codes import ExitCode
from slo_cli.sources.errors import SourceError
from slo_specs.errors import Problem, SpecError
from tests.clirun import slo


def test_exit_codes_are_the_documented_contract() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "GATE_BREACHED": 1,
        "USAGE": 2,
        "SOURCE_FAILED": 3,
        "NO_DATA": 4,
        "INTERNAL": 70,
    }


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (SpecError([Problem("a.yaml", 3, 5, "slos[0].objective", "bad")]), 2),
        (UsageError("bad flag"), 2),
        (SourceError("unreachable", hint="is it up?"), 3),
        (NoDataError("no data"), 4),
        (RuntimeError("boom"), 70),
        (ZeroDivisionError("division by zero"), 70),
    ],
    ids=["spec", "usage", "source", "no-data", "bug", "another-bug"],
)
def test_each_error_class_maps_to_its_code(exc: BaseException, code: int) -> None:
    assert app_module.exit_code_for(exc) == code


@pytest.fixture
def failing_app(monkeypatch: pytest.MonkeyPatch):
    """The real app with one extra command that raises what the test puts in `box`."""
    box: dict[str, BaseException] = {}

    @app_module.app.command("explode", hidden=True)
    def explode() -> None:
        raise box["exc"]

    yield box
    app_module.app.registered_commands[:] = [
        c for c in app_module.app.registered_commands if c.name != "explode"
    ]


def test_a_bug_exits_70_with_a_short_message_and_no_traceback(failing_app) -> None:
    failing_app["exc"] = RuntimeError("boom")
    run = slo("explode")
    assert run.code == 70
    err = run.stderr
    assert "Traceback" not in err
    assert err.splitlines() == [
        "slo: internal error: boom",
        "slo: this is a bug (RuntimeError); run again with --debug for the traceback",
    ]


def test_debug_shows_the_traceback(failing_app) -> None:
    failing_app["exc"] = RuntimeError("boom")
    run = slo("--debug", "explode")
    assert run.code == 70
    assert "Traceback (most recent call last)" in run.stderr


def test_spec_errors_print_one_line_per_problem(failing_app) -> None:
    failing_app["exc"] = SpecError(
        [Problem("a.yaml", 3, 5, "slos[0].objective", "too big"), Problem("b.yml", 1, 1, "", "x")]
    )
    run = slo("explode")
    assert run.code == 2
    assert run.stderr.splitlines() == [
        "slo: error: a.yaml:3:5: slos[0].objective: too big",
        "slo: error: b.yml:1:1: x",
    ]


def test_source_errors_exit_3_with_the_hint(failing_app) -> None:
    failing_app["exc"] = SourceError("connection refused", hint="is Prometheus up?")
    run = slo("explode")
    assert run.code == 3
    err = run.stderr
    assert len(err.splitlines()) == 1 and "hint: is Prometheus up?" in err


def test_usage_errors_from_the_parser_exit_2() -> None:
    assert slo("budget").code == 2  # missing OBJECTIVE
    assert slo("no-such-command").code == 2


def test_typer_exit_codes_pass_through(failing_app) -> None:
    failing_app["exc"] = typer.Exit(1)
    assert slo("explode").code == 1
