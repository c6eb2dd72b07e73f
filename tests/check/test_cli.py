"""`slo check` on the recorded examples: every format, every exit code, golden files, and the
numbers against the generator's truth (examples/snapshot.json was recorded from that history).

Regenerate the golden files after an intended change of the table or Markdown with
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/check/test_cli.py` and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from slo_cli.render.formats import CheckFormat
from slo_cli.render.json_out import SCHEMA_FILE
from tests.check.conftest import ROOT, check, slo
from tests.check.example_data import AT, ExampleData
from tests.check.truth import STORIES, assert_matches_truth

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _json(*args: str) -> tuple[int, dict]:
    run = check("--format", "json", *args)
    assert run.stdout, run.stderr
    return run.code, json.loads(run.stdout)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ the main job and its formats


def test_the_recorded_snapshot_still_replays() -> None:
    run = check("--format", "json")
    assert run.code != 3, (
        "examples/snapshot.json no longer matches the data path's queries; re-record it with "
        f"`.venv/bin/python scripts/record_examples.py` and review the golden files: {run.stderr}"
    )


def test_main_job_shows_every_status_and_fails_the_gate() -> None:
    run = check()
    assert run.code == 1, run.stderr
    for mark in ("✓ ok", "! warn", "✗ crit", "? no data"):
        assert mark in run.stdout
    assert "\x1b[" not in run.stdout  # not a terminal: no escape codes
    assert run.stderr == ""  # nothing but the result; no progress bar off a terminal
    _golden("table.txt", run.stdout)


def test_markdown_golden() -> None:
    run = check("--format", "markdown")
    assert run.code == 1
    _golden("check.md", run.stdout)


def test_details_show_every_window() -> None:
    run = check("--details", "--service", "payments")
    assert run.code == 1
    for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "window"):
        assert f" {w}" in run.stdout
    assert "page 1h/5m" in run.stdout


def test_json_is_schema_valid_and_tells_each_story() -> None:
    code, doc = _json()
    assert code == 1
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert doc["at"] == "2026-11-20T12:00:00Z" and doc["at_epoch_seconds"] == AT
    got = {s["key"]: (s["status"], s["alert"]) for s in doc["slos"]}
    for key, story in STORIES.items():
        assert got[key] == story, key
    assert doc["summary"]["exit_code"] == 1


def test_numbers_equal_the_generators_truth(example_data: ExampleData) -> None:
    _, doc = _json()
    assert_matches_truth(doc, example_data)


def test_csv_has_one_row_per_slo_with_unrounded_numbers() -> None:
    run = check("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    _, doc = _json()
    assert [r["key"] for r in rows] == [s["key"] for s in doc["slos"]]
    for row, s in zip(rows, doc["slos"], strict=True):
        if s["budget_remaining_ratio"] is not None:
            assert float(row["budget_remaining_ratio"]) == s["budget_remaining_ratio"]


def test_junit_lists_slos_as_tests() -> None:
    run = check("--format", "junit")
    assert run.code == 1
    root = ET.fromstring(run.stdout)
    cases = {f"{c.get('classname')[4:]}/{c.get('name')}": c for c in root.iter("testcase")}
    _, doc = _json()
    assert set(cases) == {s["key"] for s in doc["slos"]}
    for s in doc["slos"]:
        case = cases[s["key"]]
        assert (case.find("failure") is not None) == s["gate"]["breached"], s["key"]
        assert (case.find("error") is not None) == s["gate"]["unknown"], s["key"]
    assert int(root.get("failures") or 0) == doc["summary"]["breached_count"]


def test_every_format_is_exercised_here() -> None:
    exercised = {"table", "json", "markdown", "csv", "junit"}
    assert {f.value for f in CheckFormat} == exercised


# ------------------------------------------------------------------ exit codes, one by one


def test_exit_0_when_every_slo_is_within_the_gate() -> None:
    run = check("--service", "checkout")
    assert run.code == 0, run.stdout + run.stderr
    assert "gate: pass" in run.stdout


def test_exit_1_on_a_page() -> None:
    assert check("--service", "payments").code == 1


def test_exit_1_on_an_exhausted_budget_only_when_the_level_says_so() -> None:
    assert check("--select", "auth/availability").code == 1
    assert check("--select", "auth/availability", "--fail-on", "never").code == 0


def test_ticket_level_fails_the_slow_burn() -> None:
    assert check("--service", "search", "--select", "search/availability").code == 0
    assert check("--select", "search/availability", "--fail-on", "ticket").code == 1


def test_min_remaining_fails_a_healthy_budget_below_it() -> None:
    # checkout/availability keeps 79.9 % of its budget (tests/check/truth.py)
    assert check("--select", "checkout/availability", "--min-remaining", "75").code == 0
    run = check("--select", "checkout/availability", "--min-remaining", "85", "--format", "json")
    assert run.code == 1
    assert json.loads(run.stdout)["slos"][0]["gate"]["reasons"] == ["remaining below 85%"]


def test_spec_gate_policy_applies_and_the_command_line_overrides_it(tmp_path: Path) -> None:
    spec = (ROOT / "examples" / "payments.yaml").read_text(encoding="utf-8")
    lenient = tmp_path / "payments.yaml"
    lenient.write_text(spec.replace("fail_on: page", "fail_on: exhausted"), encoding="utf-8")
    args = ("check", str(lenient), "--from", "examples/snapshot.json")
    assert slo(*args).code == 0  # the spec says: only an exhausted budget fails
    assert slo(*args, "--fail-on", "page").code == 1


def test_exit_2_on_an_invalid_spec(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: slo/v1\nservice: x\nslos:\n  - name: a\n    objective: 101\n"
        "    window: 30d\n    sli: {ratio: {bad: 'a_total', total: 'b_total'}}\n",
        encoding="utf-8",
    )
    run = slo("check", str(bad), "--from", "examples/snapshot.json")
    assert run.code == 2
    assert run.stdout == ""
    assert f"{bad}:5:" in run.stderr and "objective" in run.stderr


def test_exit_2_on_usage_errors() -> None:
    assert check("--format", "xml").code == 2
    assert check("--fail-on", "sometimes").code == 2
    run = check("--select", "nothing/here")
    assert run.code == 2 and "no SLO matches --select nothing/here" in run.stderr
    run = check("--at", "2026-11-19T12:00:00Z")
    assert run.code == 2 and "replays only at that instant" in run.stderr


def test_exit_3_when_the_source_fails(tmp_path: Path) -> None:
    run = slo("check", "examples/", "--prometheus-url", "http://127.0.0.1:9", "--timeout", "2")
    assert run.code == 3, run.stderr
    assert run.stdout == "" and run.stderr.startswith("slo: error: ")
    broken = tmp_path / "snap.json"
    broken.write_text("{not json", encoding="utf-8")
    assert slo("check", "examples/", "--from", str(broken)).code == 3


def test_exit_4_on_no_data_unless_allowed() -> None:
    run = check("--service", "legacy-reports")
    assert run.code == 4
    # the reason, naming the selectors that matched nothing (the example's service is gone)
    out = " ".join(run.stdout.split())
    reason = 'no series matched http_requests_total{service="legacy-reports"}'
    assert f"? legacy-reports/availability: {reason}" in out
    assert check("--service", "legacy-reports", "--allow-no-data").code == 0
    # the gate never passes on an unknown answer, even when told never to fail
    assert check("--service", "legacy-reports", "--fail-on", "never").code == 4


# ------------------------------------------------------------------ --output


def test_output_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = check("--format", "json", "--output", str(out))
    assert run.code == 1 and run.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "slo/check/v1"
    assert f"wrote {out}" in run.stderr


def test_a_failed_run_never_truncates_an_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    out.write_text("earlier run\n", encoding="utf-8")
    run = slo(
        "check",
        "examples/",
        "--prometheus-url",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
        "--format",
        "junit",
        "--output",
        str(out),
    )
    assert run.code == 3
    assert out.read_text(encoding="utf-8") == "earlier run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]  # no temp file left behind


def test_output_into_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    run = check("--output", str(tmp_path / "no" / "such" / "dir.txt"))
    assert run.code == 2 and "--output" in run.stderr


def test_table_written_to_a_file_is_the_plain_100_column_table(tmp_path: Path) -> None:
    out = tmp_path / "table.txt"
    assert check("--output", str(out)).code == 1
    assert out.read_text(encoding="utf-8") == (GOLDEN / "table.txt").read_text(encoding="utf-8")
