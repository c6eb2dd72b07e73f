"""End to end against a real Prometheus: the examples' history backfilled with promtool, then
`slo check` over HTTP; every number must equal the generator's truth (tests/check/truth.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from slo_cli.render.json_out import SCHEMA_FILE
from tests.check.conftest import slo
from tests.check.example_data import AT, ExampleData, build
from tests.check.truth import assert_matches_truth
from tests.promserver import Server, prometheus_or_skip

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def live_data() -> ExampleData:
    # two-minute scrapes: half the samples of the recorded snapshot, the same stories
    return build(interval=120.0)


@pytest.fixture(scope="module")
def live_prometheus(
    live_data: ExampleData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    server = prometheus_or_skip(live_data.dataset.openmetrics(), tmp_path_factory.mktemp("ex"))
    try:
        yield server
    finally:
        server.stop()


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
