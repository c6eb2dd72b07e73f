"""A newcomer's first hour, scripted (issue 15): the built wheel in a fresh virtual environment,
then what the README tells a new user to type, each step's output checked against what the step
promises (hand arithmetic for the budget; the examples' known statuses; the skipped non-spec
YAML of a real repository tree; one SLO's numbers explained; a self-contained HTML report)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from slo_cli import __version__
from tests.install.conftest import Venv


def _run(venv: Venv, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLO_") and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")
    }
    env["PATH"] = f"{venv.bin}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [venv.slo, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def test_a_newcomers_first_hour(installed: Venv, tmp_path: Path) -> None:
    # 1. what is this? every command listed, with its description
    helped = _run(installed, "--help", cwd=tmp_path)
    assert helped.returncode == 0
    for command in ("check", "report", "validate", "budget", "demo", "examples", "completion"):
        assert f"  {command} " in helped.stdout, command
    assert _run(installed, "--version", cwd=tmp_path).stdout == f"slo {__version__}\n"

    # 2. what does 99.9 % mean? 0.1 % of 30 days = 2,592 s = 43m 12s; page at 14.4x
    budget = _run(installed, "budget", "99.9", cwd=tmp_path)
    assert budget.returncode == 0, budget.stderr
    assert "43m 12s" in budget.stdout and "14.4" in budget.stdout
    assert _run(installed, "budget", "0.999", cwd=tmp_path).returncode == 2

    # 3. validate in a repository that holds other YAML too
    repo = tmp_path / "repo"
    examples = Path(_run(installed, "examples", cwd=tmp_path).stdout.strip())
    shutil.copytree(examples, repo / "slos", ignore=shutil.ignore_patterns("snapshot.json"))
    (repo / "docker-compose.yaml").write_text('version: "3.8"\nservices: {web: {image: x}}\n')
    (repo / "k8s").mkdir()
    (repo / "k8s" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    valid = _run(installed, "validate", cwd=repo)
    assert valid.returncode == 0, valid.stdout
    assert "docker-compose.yaml: note: not an SLO spec" in valid.stdout
    last = valid.stdout.splitlines()[-1]
    assert last.startswith("9 file(s) valid: 7 service(s), 15 SLO(s), 2 composite(s)")
    assert "2 file(s) skipped" in last
    assert _run(installed, "validate", "--strict", cwd=repo).returncode == 2

    # 4. the gate on the packaged examples, offline: exhausted budgets and a page fail it
    snapshot = str(examples / "snapshot.json")
    table = _run(installed, "check", "slos", "--from", snapshot, cwd=repo)
    assert table.returncode == 1, table.stderr
    assert "✗ crit" in table.stdout and "? no data" in table.stdout
    assert "empty in: time to exhaustion" in " ".join(table.stdout.split())  # the legend
    doc = json.loads(_run(installed, "check", "slos", "--from", snapshot, "-f", "json",
                          cwd=repo).stdout)  # fmt: skip
    status = {s["key"]: s["status"] for s in doc["slos"]}
    assert status["payments/availability"] == "CRITICAL"  # the 2-hour page at 37.7x
    assert status["legacy-reports/availability"] == "NO_DATA"

    # 4b. where does a number come from? payments' page, every figure with its inputs:
    # burn over 1 h = (1,355 bad ÷ 71,891 requests) ÷ (1 − 99.95 %) ≥ 14.4 = 0.02 × 30 d ÷ 1 h
    told = _run(installed, "check", "slos", "--from", snapshot, "--explain",
                "payments/availability", cwd=repo)  # fmt: skip
    assert told.returncode == 1, told.stderr  # the gate's verdict on this SLO: a page fires
    said = told.stdout
    assert said.startswith("payments/availability — explained at 2026-11-20T12:00:00Z")
    assert f"burn = (1,355 ÷ 71,891) ÷ (1 − 0.9995) = {1355 / 71891 / (1 - 0.9995):.10g}" in said
    assert "page 1h/5m: threshold = 0.02 × 2,592,000 ÷ 3,600 = 14.4;" in said
    assert "→ FIRES" in said and "Gate: fail on page (spec) → fails: page alert firing" in said
    assert "Queries (4, replayed from snapshot " in said and "[10800s]" in said  # raw samples
    assert _run(installed, "check", "slos", "--from", snapshot, "--explain", "availability",
                cwd=repo).returncode == 2  # fmt: skip  # five SLOs have that name

    # 5. the weekly report as one HTML file: charts inline, nothing fetched
    out = repo / "week.html"
    html = _run(installed, "report", "slos", "--from", snapshot, "--period", "7d", "--format",
                "html", "-o", str(out), cwd=repo)  # fmt: skip
    assert html.returncode == 0, html.stderr
    assert html.stderr.startswith(f"slo: wrote {out}: 17 SLOs")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 32  # 16 measured, 2 each
    assert "<script" not in text and "burn-event-0" in text

    # 6. the project config: `.slo.yaml` at the repository root, found from a subdirectory;
    # its paths and excludes, and the gate's defaults for this repository, by the flags' names
    (repo / ".git").mkdir()
    (repo / "slos" / "drafts").mkdir()
    (repo / "slos" / "drafts" / "wip.yaml").write_text("version: slo/v1\nservice: [\n")
    (repo / ".slo.yaml").write_text(
        "paths: [slos/]\nexclude: [drafts]\ncheck:\n  fail-on: never\n  allow-no-data: true\n"
    )
    deep = repo / "services" / "api"
    deep.mkdir(parents=True)
    found = _run(installed, "validate", cwd=deep)
    assert found.returncode == 0, found.stdout + found.stderr
    assert found.stdout.splitlines()[-1].startswith(
        "9 file(s) valid: 7 service(s), 15 SLO(s), 2 composite(s)"
    )
    gate = _run(installed, "check", "--from", snapshot, cwd=deep)
    assert gate.returncode == 0, gate.stderr  # fail-on: never, allow-no-data: from the file
    assert (
        _run(installed, "check", "--from", snapshot, "--fail-on", "page", cwd=deep).returncode == 1
    )
    strict = _run(installed, "validate", "--strict", str(repo), cwd=deep)  # the whole tree
    assert strict.returncode == 2 and "k8s/deploy.yaml" in strict.stdout
    assert "wip.yaml" not in strict.stdout  # still excluded by the file
    (repo / ".slo.yaml").write_text("check:\n  fail_on: never\n")
    typo = _run(installed, "validate", cwd=deep)
    assert typo.returncode == 2 and "did you mean 'fail-on'?" in typo.stderr
    assert "Traceback" not in typo.stderr
