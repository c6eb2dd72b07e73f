"""Fixtures of the `slo report` tests: a way to run `slo` and the recorded examples fixture."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
#: recorded from a real Prometheus by tests/report/record_fixture.py (7d and week at AT)
FIXTURE = DATA / "examples-report.json"
#: the generation time every golden report is written with
GENERATED_AT = "2026-11-20T12:05:00Z"


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


def report(*args: str) -> Run:
    """`slo report examples/ --from FIXTURE --generated-at GENERATED_AT ARGS`."""
    return slo("report", "examples/", "--from", str(FIXTURE), "--generated-at", GENERATED_AT, *args)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository root without the developer's Prometheus URL."""
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)
    monkeypatch.chdir(ROOT)
    yield
