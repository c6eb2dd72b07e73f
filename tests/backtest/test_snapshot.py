"""`slo snapshot --backtest-days N` records what `slo backtest --days N` needs (docs/backtest.md):
replayed offline from the file, members and composites give the live server's JSON document;
another --days is exit 3 naming the missing answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.backtest import data as D
from tests.backtest.conftest import History
from tests.clirun import slo

pytestmark = pytest.mark.prometheus


def test_a_recorded_backtest_replays_as_the_server(
    history: History, composite_doc: dict[str, Any], tmp_path: Path
) -> None:
    snap = tmp_path / "bt.json"
    at = f"{D.END:.0f}"
    run = slo(
        "snapshot", str(history.composite_spec), "--out", str(snap), "--at", at,
        "--backtest-days", "1", "--prometheus-url", history.server.url,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    args = ("backtest", str(history.composite_spec), "--from", str(snap))
    run = slo(*args, "--days", "1", "-f", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == composite_doc
    run = slo(*args, "--days", "2")
    assert run.code == 3 and run.stdout == "" and "snapshot" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
