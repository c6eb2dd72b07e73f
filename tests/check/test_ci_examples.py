"""examples/ci/ stays true: valid YAML, the gate, validation and the JUnit report are all there,
and every `slo check`/`slo validate` command in them runs (on the examples, from the recorded
snapshot) without a usage error."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.check.conftest import ROOT, slo

CI = ROOT / "examples" / "ci"
GITHUB = CI / ".github" / "workflows" / "slo-gate.yml"
GITLAB = CI / ".gitlab-ci.yml"


def _commands(path: Path) -> list[list[str]]:
    """Every `slo …` command in the file's run/script steps (line continuations joined)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("run", "script") and isinstance(value, str):
                    texts.append(value)
                elif key == "script" and isinstance(value, list):
                    texts.extend(str(v) for v in value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    out = []
    for text in texts:
        for line in text.replace("\\\n", " ").splitlines():
            line = line.split(">>")[0].strip()
            if line.startswith("slo "):
                out.append(shlex.split(line)[1:])
    return out


def test_github_workflow_runs_the_gate_through_the_action_and_keeps_junit() -> None:
    """The workflow uses the repository's composite action (action.yml, tested in
    tests/install/test_action.py): validate with annotations, gate with JUnit, artifact."""
    doc = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    steps = doc["jobs"]["slo-gate"]["steps"]
    gate = next(s for s in steps if s.get("uses") == "./tools/slo")
    assert gate["with"]["paths"] == "slos/" and gate["with"]["junit"] == "slo-junit.xml"
    assert "SLO_PROMETHEUS_URL" in gate["env"]
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    runs = " ".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "slo validate $SLO_PATHS --format github" in runs and "--format junit" in runs
    assert any(
        str(s.get("uses", "")).startswith("actions/upload-artifact")
        for s in action["runs"]["steps"]
    )


def test_no_ci_example_installs_from_a_package_index_slo_is_not_on() -> None:
    for path in (GITHUB, GITLAB):
        assert not re.search(r"pip install[^\n]*[\"']slo==", path.read_text()), path


def test_no_placeholder_install_paths() -> None:
    for path in (GITHUB, GITLAB, ROOT / "action.yml", ROOT / ".pre-commit-hooks.yaml"):
        assert "YOUR-ORG" not in path.read_text(encoding="utf-8"), path
    assert "YOUR-ORG" not in (ROOT / "README.md").read_text(encoding="utf-8")


def test_gitlab_job_runs_the_gate_and_reports_junit() -> None:
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["slo-gate"]
    assert job["artifacts"]["reports"]["junit"] == "slo-junit.xml"
    assert job["artifacts"]["when"] == "always"
    cmds = _commands(GITLAB)
    assert ["validate", "slos/"] in cmds
    assert any(c[0] == "check" and "junit" in c for c in cmds)


@pytest.mark.parametrize("path", [GITLAB], ids=lambda p: p.name)
def test_every_check_and_validate_command_runs_on_the_examples(path: Path, tmp_path: Path) -> None:
    ran = 0
    for cmd in _commands(path):
        if cmd[0] not in ("check", "validate"):
            continue  # `slo snapshot` needs a server; its flags are tested with the data path
        args = [
            "examples/"
            if a == "slos/"
            else "examples/snapshot.json"
            if a == "slo-snapshot.json"
            else str(tmp_path / a)
            if re.fullmatch(r"slo-[\w-]+\.xml", a)
            else "-3h"  # a deploy three hours before the snapshot's instant
            if a == "$DEPLOY_TIME"
            else a
            for a in cmd
        ]
        run = slo(*args)
        assert run.code in (0, 1, 4), (cmd, run.stderr)
        ran += 1
    assert ran >= 2


def test_gitlab_release_gate_judges_the_deploy() -> None:
    """The deploy-scoped gate: `--since` the pipeline's deploy time, its limits, JUnit."""
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["slo-release-gate"]
    assert job["artifacts"]["reports"]["junit"] == "slo-release-junit.xml"
    cmds = [c for c in _commands(GITLAB) if "--since" in c]
    assert any(c[0] == "snapshot" for c in cmds)
    gate = next(c for c in cmds if c[0] == "check" and "junit" in c)
    assert "--max-burn-since" in gate and "--max-spent-since" in gate
    wf = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"]["slo-release-gate"]
    step = next(s for s in wf["steps"] if s.get("uses") == "./tools/slo")
    assert "deployment_status" in step["with"]["since"]
    assert "--max-burn-since" in step["with"]["args"]
