"""`slo backtest` of a composite, offline on the recorded fixture
(tests/rules/fixtures/backtest-snapshot.json): replayed and shown in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "rules" / "fixtures"
RULES = """    alerting:
      windows:
        - {severity: page, long: 10m, short: 5m, burn_rate: 5}
        - {severity: ticket, long: 30m, short: 10m, burn_rate: 2}
"""


@pytest.mark.parametrize("method", ["weighted", "least_healthy", "weighted_burn"])
def test_a_composite_is_replayed_and_marked_in_every_format(tmp_path: Path, method: str) -> None:
    """Two copies of the same SLO: every method gives back their alerts (weights 1 and 3 for
    weighted_burn scale the burn rate by 4, so it alerts at least as much)."""
    shop = (FIX / "shop.yaml").read_text(encoding="utf-8")
    copy = shop.split("slos:\n")[1].replace("name: availability", "name: availability-copy")
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        shop + copy + "composites:\n  - name: both\n    objective: 99\n    window: 7d\n"
        f"    method: {method}\n"
        "    members: [{slo: availability}, {slo: availability-copy, weight: 3}]\n" + RULES,
        encoding="utf-8",
    )
    args = ("backtest", str(spec), "--from", str(FIX / "backtest-snapshot.json"), "--days", "0.1")
    run = slo(*args, "--format", "json")
    assert run.code == 0 and run.stderr == "", run.stderr
    doc = {s["key"]: s for s in json.loads(run.stdout)["slos"]}
    assert list(doc) == ["shop/availability", "shop/availability-copy", "shop/both"]
    both, member = doc["shop/both"], doc["shop/availability"]
    assert both["composite"] == {
        "method": method,
        "members": [
            {"slo": "shop/availability", "weight": 1.0, "objective_ratio": 0.99},
            {"slo": "shop/availability-copy", "weight": 3.0, "objective_ratio": 0.99},
        ],
    }
    if method == "weighted_burn":
        assert both["pages"] >= member["pages"] >= 1
    else:  # the same counts twice: the member's own replay
        assert (both["alerts"], both["events"]) == (member["alerts"], member["events"])
    table = slo(*args).stdout
    assert "shop/both" in table and "  composite: " in table
    markdown = slo(*args, "-f", "markdown").stdout
    assert "| shop/both (composite) |" in markdown and "composite: " in markdown
