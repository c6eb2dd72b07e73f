"""The project config file (`.slo.yaml`, issue 15 "Discovery") and `--exclude`.

A repository tree like a real one: specs under `slos/`, a broken draft, Kubernetes YAML, a
`.git` directory; `slo` run from the root and from a subdirectory."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: every command that reads specs
SCANNING = ("check", "report", "validate", "snapshot", "rules", "backtest")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLES, tmp_path / "slos", ignore=shutil.ignore_patterns("snapshot.json"))
    shutil.copy(EXAMPLES / "snapshot.json", tmp_path / "snapshot.json")
    (tmp_path / "slos" / "drafts").mkdir()
    (tmp_path / "slos" / "drafts" / "wip.yaml").write_text("version: slo/v1\nservice: [\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    (tmp_path / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


CONFIG = """\
paths: [slos/]
exclude: [drafts]
prometheus-url: http://127.0.0.1:9
check:
  format: json
  fail-on: never
  allow-no-data: true
"""


def test_without_a_config_the_draft_breaks_the_run(repo: Path) -> None:
    run = slo("validate", "slos")
    assert run.code == 2 and "slos/drafts/wip.yaml:3:1: YAML syntax error" in run.stdout


def test_exclude_flag_skips_files_and_directories(repo: Path) -> None:
    run = slo("validate", "slos", "--exclude", "drafts")
    assert run.code == 0, run.stdout
    assert "9 file(s) valid" in run.stdout
    anchored = slo("validate", "slos", "--exclude", "slos/drafts/*.yaml", "--exclude", "k8s/**")
    assert anchored.code == 0, anchored.stdout
    # a file named on the command line is read whatever --exclude says
    named = slo("validate", "slos/drafts/wip.yaml", "--exclude", "drafts")
    assert named.code == 2


@pytest.mark.parametrize("command", SCANNING)
def test_every_command_that_scans_takes_exclude_and_config(command: str) -> None:
    text = slo(command, "--help", env={"COLUMNS": "100"}).stdout
    assert re.search(r"^\s+--exclude GLOB", text, flags=re.M), command
    assert re.search(r"^\s+--config FILE", text, flags=re.M), command


def test_the_config_is_found_from_a_subdirectory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".slo.yaml").write_text(CONFIG)
    monkeypatch.chdir(repo / "src" / "deep")
    run = slo("validate")
    assert run.code == 0, run.stdout + run.stderr
    assert "9 file(s) valid: 7 service(s), 15 SLO(s), 2 composite(s)" in run.stdout
    # the command's defaults: json, --fail-on never (the examples hold an exhausted budget)
    # and --allow-no-data (and a blind SLO)
    check = slo("check", "--from", str(repo / "snapshot.json"))
    assert check.code == 0, check.stderr
    assert json.loads(check.stdout)["schema"] == "slo/check/v1"
    # a flag beats the file
    flagged = slo("check", "--from", str(repo / "snapshot.json"), "--format", "markdown")
    assert flagged.stdout.startswith("## SLO check"), flagged.stdout[:80]
    assert slo("check", "--from", str(repo / "snapshot.json"), "--fail-on", "page").code == 1


def test_connection_settings_come_from_the_file_below_the_environment(repo: Path) -> None:
    (repo / ".slo.yaml").write_text(CONFIG)
    run = slo("check", env={"SLO_PROMETHEUS_URL": None})
    assert run.code == 3 and "http://127.0.0.1:9" in run.stderr
    env = slo("check", env={"SLO_PROMETHEUS_URL": "http://127.0.0.1:7"})
    assert env.code == 3 and "http://127.0.0.1:7" in env.stderr


def test_the_older_key_spellings_still_work(repo: Path) -> None:
    (repo / ".slo.yaml").write_text("prometheus:\n  url: http://127.0.0.1:9\n  timeout: 5\n")
    run = slo("check", "slos", "--exclude", "drafts", env={"SLO_PROMETHEUS_URL": None})
    assert run.code == 3 and "http://127.0.0.1:9" in run.stderr


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("prometheus_url: http://x\n", ":1:1:", "did you mean 'prometheus-url'?"),
        ("check:\n  fail_on: page\n", ":2:3:", "no option --fail_on (did you mean 'fail-on'?)"),
        ("check:\n  fail-on: sometimes\n", ":2:12:", "--fail-on"),
        ("fail-on: page\n", ":1:1:", "put it under `check:`"),
        ("url: http://a\nprometheus-url: http://b\n", ":2:1:", "already set (as 'url')"),
        ("timeout: soon\n", ":1:10:", "--timeout: expected a number"),
        ("check:\n  from: snapshot.json\n", ":2:3:", "command line, not in the config file"),
        ("report:\n  engine: mimir\n", ":2:3:", "put it at the top level"),
        ("paths: 3\n", ":1:8:", "expected a list of paths"),
    ],
)
def test_bad_config_is_one_positioned_line(repo: Path, text: str, where: str, message: str) -> None:
    (repo / ".slo.yaml").write_text(text)
    run = slo("validate", "slos", "--exclude", "drafts")
    assert run.code == 2, run.stdout
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"slo: error: .slo.yaml{where}"), line
    assert message in line and "Traceback" not in run.stderr


def test_discovery_stops_at_the_repository_root(repo: Path) -> None:
    (repo.parent / ".slo.yaml").write_text("nonsense-key: 1\n")
    try:
        assert slo("validate", "slos", "--exclude", "drafts").code == 0
    finally:
        (repo.parent / ".slo.yaml").unlink()


def test_config_flag_names_the_file_and_include_narrows_scans(repo: Path) -> None:
    (repo / "ci.yaml").write_text("paths: [.]\ninclude: ['slos/**/*.yaml']\nexclude: [drafts]\n")
    run = slo("validate", "--config", "ci.yaml")
    assert run.code == 0, run.stdout
    assert "9 file(s) valid" in run.stdout and "deploy.yaml" not in run.stdout
    missing = slo("validate", "--config", "nope.yaml")
    assert missing.code == 2 and "--config nope.yaml: no such file" in missing.stderr


def test_strict_validate_still_refuses_non_spec_yaml(repo: Path) -> None:
    (repo / ".slo.yaml").write_text("exclude: [drafts]\n")
    assert slo("validate").code == 0
    strict = slo("validate", "--strict")
    assert strict.code == 2 and "k8s/deploy.yaml" in strict.stdout


def test_the_config_does_not_outlive_the_run(repo: Path) -> None:
    from slo_cli.cli import project

    (repo / ".slo.yaml").write_text(CONFIG)
    assert slo("validate").code == 0
    assert project.current().path is None and project.scan_filter().exclude == ()
