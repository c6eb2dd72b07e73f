"""Where the "counted as 0" note of an absent error counter is shown (docs/check.md), on a
real Prometheus holding the shared history: `inventory_requests_total` has no 5xx series at
all (its error counter never fired, tests/datagen.add_gap_stories). A healthy SLO over it says
so once in `--details` (not in its block), always in `--explain` and JSON, not in the report;
an SLO whose `good` selector matched nothing (every event counted bad) says it on its own row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check.conftest import slo
from tests.datagen import END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

AT = str(int(END - 3600))
BAD = 'inventory_requests_total{service="inventory",code=~"5.."}'
SPEC = f"""\
version: slo/v1
service: inventory
slos:
  - name: availability
    objective: 99.9
    window: 7d
    sli:
      ratio:
        bad: '{BAD}'
        total: 'inventory_requests_total{{service="inventory"}}'
  - name: misspelt
    objective: 99.9
    window: 7d
    sli:
      ratio:
        good: '{BAD}'
        total: 'inventory_requests_total{{service="inventory"}}'
"""
NOTE = f"no series matched {BAD} over the queried range: counted as 0"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _run(server: Server, spec: Path, *args: str) -> tuple[int, str]:
    run = slo("check", str(spec), "--prometheus-url", server.url, "--at", AT, *args)
    assert run.stdout, run.stderr
    return run.code, run.stdout


def test_absent_error_counter_is_said_once_for_healthy_slos(
    prometheus: Server, shared_data: SharedData, spec: Path
) -> None:
    assert (
        shared_data.dataset.select("inventory_requests_total", lambda lb: lb["code"] != "200") == []
    )
    _, doc_text = _run(prometheus, spec, "--format", "json")
    doc = {s["name"]: s for s in json.loads(doc_text)["slos"]}
    assert doc["availability"]["status"] == "OK" and doc["availability"]["sli_ratio"] == 1.0
    assert doc["misspelt"]["status"] == "CRITICAL" and doc["misspelt"]["sli_ratio"] == 0.0
    # JSON keeps every fact, per SLO
    assert f"{NOTE} bad events" in doc["availability"]["notes"]
    assert f"{NOTE} good events" in doc["misspelt"]["notes"]
    _, text = _run(prometheus, spec, "--details")
    ok_block = text[text.index("inventory/availability ✓ ok") : text.index("inventory/misspelt ")]
    assert "counted as 0" not in ok_block  # the healthy SLO's block: no note
    bad_block = text[text.index("inventory/misspelt ") :]
    assert f"note: {NOTE} good events" in " ".join(bad_block.split())  # its own row says it
    once = " ".join(text.split())
    assert once.count("OK SLO(s) counted 0 bad events because their bad selector") == 1
    assert f"inventory/availability: {BAD}" in once
    assert once.count(f"{NOTE} bad events") == 0
    # --explain of the healthy SLO: every fact behind its figures, the note included
    _, explained = _run(prometheus, spec, "--explain", "inventory/availability")
    assert f"note: {NOTE} bad events" in explained


def test_absent_error_counter_is_no_report_note_of_a_healthy_slo(
    prometheus: Server, spec: Path
) -> None:
    run = slo("report", str(spec), "--prometheus-url", prometheus.url, "--at", AT,
              "--period", "7d", "--format", "json")  # fmt: skip
    assert run.stdout, run.stderr
    notes = {s["name"]: s["notes"] for s in json.loads(run.stdout)["slos"]}
    assert not any("counted as 0" in n for n in notes["availability"])
    assert f"{NOTE} good events" in notes["misspelt"]
