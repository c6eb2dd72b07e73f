"""action.yml (the composite GitHub Action) runs the gate as GitHub would: each `run:` step in
bash with its `env:` (the `${{ }}` expressions it uses evaluated here), in order, stopping at
the first failing step. On the examples' snapshot: the specs validate, the job summary gets
the Markdown table, the gate fails (exit 1, the examples hold an exhausted budget) with the
JUnit report written and the exit code as the step's output. `uses:` steps (setup-python,
upload-artifact) and the install step (pip install of the action's checkout, which the wheel
test covers) are GitHub's part and are not run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from tests.install.conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _value(expr: str, inputs: dict[str, str], env: dict[str, str]) -> str:
    """The expressions action.yml uses: `a || b`, inputs.X, env.X, github.action_path, 'lit'."""
    for term in (t.strip() for t in expr.split("||")):
        if term.startswith("inputs."):
            value = inputs[term.removeprefix("inputs.")]
        elif term.startswith("env."):
            value = env.get(term.removeprefix("env."), "")
        elif term == "github.action_path":
            value = str(ROOT)
        elif re.fullmatch(r"'[^']*'", term):
            value = term[1:-1]
        else:
            raise AssertionError(f"expression not understood by the test: {expr}")
        if value:
            return value
    return ""


def _condition(expr: str | None, inputs: dict[str, str]) -> bool:
    if expr is None:
        return True
    text = EXPR.sub(lambda m: m.group(1), str(expr)).strip()
    m = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", text)
    if m:
        return inputs[m.group(1)] == m.group(2)
    raise AssertionError(f"condition not understood by the test: {expr}")


def _run_action(work: Path, given: dict[str, str]) -> tuple[list[tuple[str, int]], dict[str, Any]]:
    inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()} | given
    outer = {k: v for k, v in os.environ.items() if not k.startswith(("SLO_", "GITHUB_"))}
    outer["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{outer.get('PATH', '')}"
    files = {n: work / f"github-{n}" for n in ("output", "summary")}
    outer.update(
        GITHUB_OUTPUT=str(files["output"]),
        GITHUB_STEP_SUMMARY=str(files["summary"]),
        RUNNER_TEMP=str(work / "runner-temp"),
        GITHUB_ACTION_PATH=str(ROOT),
    )
    (work / "runner-temp").mkdir()
    for path in files.values():  # GitHub creates both before the steps run
        path.touch()
    ran: list[tuple[str, int]] = []
    for step in ACTION["runs"]["steps"]:
        if "uses" in step or step["name"] == "Install slo":
            continue
        if not _condition(step.get("if"), inputs):
            continue
        env = dict(outer)
        for key, value in (step.get("env") or {}).items():
            env[key] = EXPR.sub(lambda m: _value(m.group(1), inputs, outer), str(value))
        assert step["shell"] == "bash"
        # GitHub runs bash steps as `bash --noprofile --norc -eo pipefail {0}`
        script = work / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append((step["name"], done.returncode))
        if done.returncode != 0:
            break
    outputs = dict(
        line.split("=", 1) for line in files["output"].read_text().splitlines() if "=" in line
    )
    return ran, {"outputs": outputs, "summary": files["summary"].read_text()}


def test_action_runs_validate_summary_and_the_gate_on_the_examples(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "slos")
    ran, result = _run_action(
        tmp_path, {"paths": "slos/", "from": "slos/snapshot.json", "junit": "slo-junit.xml"}
    )
    assert ran == [
        ("Validate the SLO specs", 0),
        ("Record Prometheus' answers (once: every view below replays them)", 0),
        ("Job summary", 0),
        ("SLO budget gate", 1),
    ]
    assert result["outputs"] == {"exit-code": "1"}
    assert result["summary"].startswith("## SLO check at 2026-11-20T12:00:00Z")
    suites = ET.parse(tmp_path / "slo-junit.xml").getroot()
    failed = {
        f"{suite.get('name')}/{case.get('name')}"
        for suite in suites
        for case in suite
        if case.find("failure") is not None
    }
    assert "auth/availability" in failed


def test_action_passes_fail_on_and_args_through(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "slos")
    ran, result = _run_action(
        tmp_path,
        {
            "paths": "slos/",
            "from": "slos/snapshot.json",
            "fail-on": "never",
            "args": "--allow-no-data",
            "summary": "false",
        },
    )
    assert [name for name, _ in ran][-1] == "SLO budget gate" and ran[-1][1] == 0
    assert "Job summary" not in [name for name, _ in ran]
    assert result["outputs"] == {"exit-code": "0"}
    assert (tmp_path / "slo-junit.xml").is_file()
