"""`slo backtest` flags and errors, offline on the recorded fixture
(tests/rules/fixtures/backtest-snapshot.json, `slo snapshot --backtest-days 0.1`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.rules.helpers import ROOT, run_slo

FIX = ROOT / "tests" / "rules" / "fixtures"
ARGS = ("backtest", str(FIX / "shop.yaml"), "--from", str(FIX / "backtest-snapshot.json"))


def test_replays_a_recorded_backtest_and_writes_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_slo(capsys, *ARGS, "--days", "0.1", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    [slo] = doc["slos"]
    assert slo["rules"] == ["page 10m/5m", "ticket 30m/10m"]
    assert slo["pages"] >= 1 and slo["tickets"] >= 1  # the incident is in the replay
    target = tmp_path / "bt.md"
    code, out, err = run_slo(capsys, *ARGS, "--days", "0.1", "-f", "markdown", "-o", str(target))
    assert code == 0 and out == "" and target.read_text().startswith("# Backtest ")
    assert err.startswith(f"slo: wrote {target}: 1 SLOs, ")


def test_days_not_recorded_or_not_positive_are_one_line_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_slo(capsys, *ARGS, "--days", "0.2")
    assert code == 3 and out == "" and len(err.strip().splitlines()) == 1
    assert "snapshot" in err
    code, _, err = run_slo(capsys, *ARGS, "--days", "0")
    assert code == 2 and err.strip() == "slo: error: --days must be more than 0"
