"""Fixtures of the `slo report` tests: a way to run `slo` and the recorded examples snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import Run, slo

__all__ = ["FIXTURE", "GENERATED_AT", "GOLDEN", "ROOT", "Run", "report", "slo"]

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
#: the README's snapshot: recorded from a real Prometheus by scripts/record_examples.py, for
#: `slo check` and for `slo report --period 7d` / `--period week` (UTC) at its instant
FIXTURE = ROOT / "examples" / "snapshot.json"
#: the generation time every golden report is written with
GENERATED_AT = "2026-11-20T12:05:00Z"


def report(*args: str) -> Run:
    """`slo report examples/ --from FIXTURE --generated-at GENERATED_AT ARGS`."""
    return slo("report", "examples/", "--from", str(FIXTURE), "--generated-at", GENERATED_AT, *args)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository root without the developer's Prometheus URL."""
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)
    monkeypatch.chdir(ROOT)
    yield
