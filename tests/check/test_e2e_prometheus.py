"""End to end against a real Prometheus: the examples' history backfilled with promtool, then
`slo check` over HTTP; every number must equal the generator's truth (tests/check/truth.py).
The Prometheus is the session's `live_prometheus` (tests/check/conftest.py)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from slo_cli.render.json_out import SCHEMA_FILE
from tests.check.conftest import slo
from tests.check.example_data import AT, ExampleData
from tests.check.truth import assert_matches_truth
from tests.promserver import Server

pytestmark = pytest.mark.prometheus


def test_check_against_prometheus_equals_the_truth(
    live_prometheus: Server, live_data: ExampleData
) -> None:
    run = slo(
        "check",
        "examples/",
        "--prometheus-url",
        live_prometheus.url,
        "--at",
        "2026-11-20T12:00:00Z",
        "--format",
        "json",
    )
    assert run.code == 1, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert doc["at_epoch_seconds"] == AT
    assert_matches_truth(doc, live_data)


def test_gate_exit_codes_against_prometheus(live_prometheus: Server) -> None:
    base = ("check", "examples/", "--prometheus-url", live_prometheus.url, "--at", str(int(AT)))
    assert slo(*base, "--service", "checkout").code == 0
    assert slo(*base, "--service", "payments").code == 1
    assert slo(*base, "--service", "legacy-reports").code == 4
    assert slo(*base, "--service", "legacy-reports", "--allow-no-data").code == 0
