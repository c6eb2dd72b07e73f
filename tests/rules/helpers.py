"""Running `slo rules` in-process through the real entry point, and promtool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]


def run_slo(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `slo ARGS` via the console entry point (tests/clirun.py)."""
    run = slo(*args)
    return run.code, run.stdout, run.stderr


def promtool() -> str:
    """The promtool binary; a failure when CI=true and it is missing, else a skip."""
    tool = shutil.which("promtool")
    if tool is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and promtool is not installed")
        pytest.skip("promtool not installed")
    return tool


def run_promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=600
    )


def groups_file(text: str, fmt: str, path: Path) -> Path:
    """A plain rule file with the groups of a rendered file of any format."""
    data = yaml.safe_load(text)
    groups = data["spec"]["groups"] if fmt == "prometheus-operator" else data["groups"]
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
    return path
