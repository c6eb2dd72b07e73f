"""The README's offline report: `slo report examples/ --from examples/snapshot.json --period 7d`
(and `--period week`) works in every format, from the same snapshot `slo check` replays.

The snapshot is recorded by scripts/record_examples.py with `slo snapshot --period 7d --period
week`; the figures themselves are checked against the generator in test_truth.py and byte for
byte in test_golden.py. Here: every format exits 0 with the whole report and nothing on stderr.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from slo_cli.render.formats import ReportFormat
from tests.report.conftest import slo

#: the README's command, run from the repository root (tests/report/conftest.py)
COMMAND = ("report", "examples/", "--from", "examples/snapshot.json")
#: the examples hold 14 SLOs: auth 2, checkout 6, legacy-reports 1, payments 1, search 4, and
#: 2 composites (journey)
N_SLOS = 2 + 1 + 6 + 1 + 1 + 4 + 2  # catalog 1


@pytest.mark.parametrize("period", ["7d", "week"])
@pytest.mark.parametrize("fmt", list(ReportFormat), ids=lambda f: f.value)
def test_readme_report_runs_in_every_format(fmt: ReportFormat, period: str) -> None:
    run = slo(*COMMAND, "--period", period, "--format", fmt.value)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    text = run.stdout
    if fmt is ReportFormat.json:
        doc = json.loads(text)
        assert doc["schema"] == "slo/report/v1" and len(doc["slos"]) == N_SLOS
        # the snapshot answers every SLO of the period: only legacy-reports (no series) lacks data
        no_data = [s["key"] for s in doc["slos"] if s["status"] == "NO_DATA"]
        assert no_data == ["legacy-reports/availability"]
    elif fmt is ReportFormat.csv:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 2 * N_SLOS  # current and previous period per SLO
    elif fmt is ReportFormat.html:
        assert text.lstrip().lower().startswith("<!doctype html") and text.rstrip().endswith(
            "</html>"
        )
    else:
        title = "7 days to 2026-11-20 12:00" if period == "7d" else "2026-W46"
        assert text.startswith(f"# SLO report: {title}")


def test_readme_report_needs_no_at_and_is_as_of_the_snapshot_instant() -> None:
    doc = json.loads(slo(*COMMAND, "--period", "7d", "--format", "json").stdout)
    # 2026-11-20T12:00:00Z: the instant scripts/record_examples.py records at
    assert doc["period"]["end_epoch_seconds"] == 1_795_176_000
    assert doc["period"]["start_epoch_seconds"] == 1_795_176_000 - 7 * 86400


def test_a_period_the_snapshot_was_not_recorded_for_exits_3() -> None:
    run = slo(*COMMAND, "--period", "month")
    assert run.code == 3 and run.stdout == ""
    assert "has no answers for `slo report --period month`" in run.stderr
    assert run.stderr.count("\n") == 1


def test_select_and_service_narrow_the_report_as_in_check() -> None:
    run = slo(*COMMAND, "--service", "auth", "--select", "payments/*", "--format", "json")
    # --service keeps only auth's SLOs; --select then keeps the ones matching: none of auth's
    assert run.code == 2 and "no SLO matches" in run.stderr
    run = slo(*COMMAND, "--service", "auth", "--format", "json")
    assert run.code == 0, run.stderr
    assert [s["key"] for s in json.loads(run.stdout)["slos"]] == [
        "auth/availability",
        "auth/probe-uptime",
    ]
    run = slo(*COMMAND, "--select", "*/availability", "--format", "json")
    keys = sorted(s["key"] for s in json.loads(run.stdout)["slos"])
    assert keys == [
        "auth/availability",
        "catalog/availability",
        "checkout/availability",
        "legacy-reports/availability",
        "payments/availability",
        "search/availability",
    ]
