"""The published schema of `slo backtest --format json` (slo/backtest/v1) holds for real output:
composites and their members and calendar SLOs replayed on a real Prometheus, and a replay of
the recorded snapshot with a budget adjustment (the `adjustments` object)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slo_cli.render.backtest import SCHEMA, SCHEMA_FILE
from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "rules" / "fixtures"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == SCHEMA
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.prometheus
def test_server_output_follows_the_schema(
    composite_doc: dict[str, Any], calendar_doc: dict[str, Any]
) -> None:
    v = _validator()
    for doc in (composite_doc, calendar_doc):
        v.validate(doc)
    kinds = {s["composite"]["method"] for s in composite_doc["slos"] if s["composite"]}
    assert kinds == {"weighted", "least_healthy", "weighted_burn"}


def test_snapshot_replay_with_adjustments_follows_the_schema(tmp_path: Path) -> None:
    adjustments = tmp_path / "adj.yaml"
    adjustments.write_text(
        "- reason: planned maintenance\n  start: 2025-12-31T21:10:00Z\n"
        "  end: 2025-12-31T21:20:00Z\n",
        encoding="utf-8",
    )
    run = slo(
        "backtest", str(FIX / "shop.yaml"), "--from", str(FIX / "backtest-snapshot.json"),
        "--days", "0.1", "-f", "json", "--adjustments", str(adjustments),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    _validator().validate(doc)
    [s] = doc["slos"]
    assert s["adjustments"]["applied"][0]["reason"] == "planned maintenance"
    # the schema is strict: an unknown key is an error
    s["unknown"] = 1
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(doc)
