"""Fixtures of the `slo check` tests: the examples' generated history and a way to run `slo`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.check.example_data import SNAPSHOT_DAYS, ExampleData, build
from tests.clirun import Run, slo

__all__ = ["EXAMPLES", "ROOT", "SNAPSHOT", "Run", "check", "example_data", "slo"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SNAPSHOT = EXAMPLES / "snapshot.json"


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
