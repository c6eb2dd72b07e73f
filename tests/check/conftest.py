"""Fixtures of the `slo check` tests: the examples' generated history and a way to run `slo`."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.check.example_data import SNAPSHOT_DAYS, ExampleData, build

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SNAPSHOT = EXAMPLES / "snapshot.json"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def slo(*args: str) -> Run:
    """Run `slo ARGS` in-process through the real entry point (exception -> exit code mapping)."""
    from slo_cli.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def check(*args: str) -> Run:
    """`slo check examples/ --from examples/snapshot.json ARGS`, the README's main job (the
    tests run from the repository root, see `_plain_env`)."""
    return slo("check", "examples/", "--from", "examples/snapshot.json", *args)


@pytest.fixture(scope="session")
def example_data() -> ExampleData:
    """The history examples/snapshot.json was recorded from (same seed, same 60 s scrapes)."""
    return build(days=SNAPSHOT_DAYS)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests run from the repository root and see no colour settings or terminal width from
    the developer's shell."""
    for var in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "SLO_PROMETHEUS_URL", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    yield
