"""`slo validate` and `slo schema` from the outside: formats, exit codes, the published schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]
NATIVE_EXAMPLES = [str(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]

BAD = """\
version: slo/v1
service: checkout
slos:
  - name: availability
    objective: 101
    window: 30d
    sli:
      ratio: {bad: 'e{code=~"5.."}', total: t}
"""
BAD_LINE = "slos[0].objective: must be between 0 and 100 (exclusive), got 101"


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad, spec.yaml"  # a comma, which GitHub annotations must escape
    path.write_text(BAD, encoding="utf-8")
    return path


def test_valid_examples_exit_0_with_a_summary() -> None:
    result = slo("validate", *NATIVE_EXAMPLES)
    assert result.code == 0, result.stderr
    # 7 files: checkout (2 SLOs), search (1), payments (1), auth (2), legacy-reports (1),
    # journey (2 composites of search and checkout SLOs), catalog (1)
    assert result.stdout == "7 file(s) valid: 7 service(s), 8 SLO(s), 2 composite(s)\n"


def test_text_format_lists_each_problem_with_its_place_and_exits_2(bad_file: Path) -> None:
    result = slo("validate", str(bad_file), NATIVE_EXAMPLES[0])
    assert result.code == 2
    assert result.stdout.splitlines() == [
        f"{bad_file}:5:16: {BAD_LINE}",
        "1 problem(s) in 1 of 2 file(s)",
    ]


def test_json_format_is_a_versioned_report(bad_file: Path) -> None:
    result = slo("validate", "--format", "json", str(bad_file))
    assert result.code == 2
    report = json.loads(result.stdout)
    assert report == {
        "schema": "slo/validate/v1",
        "valid": False,
        "files": [str(bad_file)],
        "services": [],
        "slos": [],
        "composites": [],
        "problems": [
            {
                "path": str(bad_file),
                "line": 5,
                "col": 16,
                "loc": "slos[0].objective",
                "message": "must be between 0 and 100 (exclusive), got 101",
            }
        ],
        "warnings": [],
        "skipped": [],
    }


def test_json_format_of_a_valid_set_lists_its_slos() -> None:
    result = slo("validate", "-f", "json", NATIVE_EXAMPLES[0])
    assert result.code == 0
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["problems"] == []
    assert report["slos"] == ["auth/availability", "auth/probe-uptime"]


def test_github_format_gives_escaped_error_annotations(bad_file: Path) -> None:
    result = slo("validate", "--format", "github", str(bad_file))
    assert result.code == 2
    escaped = str(bad_file).replace(",", "%2C")
    assert result.stdout.splitlines()[0] == (
        f"::error file={escaped},line=5,col=16,title=slo validate::{BAD_LINE}"
    )


def test_unknown_format_is_a_usage_error() -> None:
    result = slo("validate", "--format", "xml", NATIVE_EXAMPLES[0])
    assert result.code == 2


def test_default_path_is_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "only.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = slo("validate")
    assert result.code == 2
    assert result.stdout.splitlines()[0] == f"only.yaml:5:16: {BAD_LINE}"


@pytest.mark.parametrize(("valid", "code"), [(True, 0), (False, 2)])
def test_exit_codes_through_the_console_entry_point(valid: bool, code: int, bad_file: Path) -> None:
    target = NATIVE_EXAMPLES[0] if valid else str(bad_file)
    done = subprocess.run(
        [sys.executable, "-m", "slo_cli", "validate", target],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


def test_schema_command_prints_the_published_schema() -> None:
    result = slo("schema")
    assert result.code == 0
    published = (ROOT / "slo_specs" / "schema" / "slo-v1.schema.json").read_text(encoding="utf-8")
    assert result.stdout == published
    assert json.loads(result.stdout)["properties"]["version"]["const"] == "slo/v1"
