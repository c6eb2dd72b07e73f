"""Fixtures of the `slo check` tests: the examples' generated history, a real Prometheus
holding it (session-scoped, shared by every test that checks the examples over HTTP) and a way
to run `slo`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.check.example_data import SNAPSHOT_DAYS, ExampleData, build
from tests.clirun import Run, slo
from tests.conftest import serving
from tests.promserver import Server

__all__ = [
    "EXAMPLES",
    "ROOT",
    "SNAPSHOT",
    "Run",
    "check",
    "example_data",
    "live_data",
    "live_prometheus",
    "slo",
]

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


@pytest.fixture(scope="session")
def live_data() -> ExampleData:
    """The same stories with two-minute scrapes (half the snapshot's samples): what
    `live_prometheus` holds."""
    return build(interval=120.0)


@pytest.fixture(scope="session")
def live_prometheus(
    live_data: ExampleData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real Prometheus holding `live_data`, started once for every test of the session that
    checks the examples over HTTP (fails when CI=true and it cannot start)."""
    with serving(live_data.dataset.openmetrics(), tmp_path_factory.mktemp("ex")) as server:
        yield server


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests run from the repository root and see no colour settings or terminal width from
    the developer's shell."""
    for var in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "SLO_PROMETHEUS_URL", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    yield
