"""Running `slo rules` in-process through the real entry point, and promtool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]


def run_slo(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `slo ARGS` via the console entry point (tests/clirun.py)."""
    run = slo(*args)
    return run.code, run.stdout, run.stderr


def check_at(
    capsys: pytest.CaptureFixture[str], url: str, paths: list[str], t: float
) -> dict[str, dict]:
    """`slo check PATHS --at t` as JSON against the server at `url`: its rows by name."""
    import json

    code, out, err = run_slo(
        capsys, "check", *paths, "--at", f"{t:.0f}", "--format", "json", "--fail-on", "never",
        "--prometheus-url", url,
    )  # fmt: skip
    assert code in (0, 4), err
    return {s["name"]: s for s in json.loads(out)["slos"]}


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


def sample_minutes(side: dict, minutes: Any, boundary_t: float) -> list[int]:
    """The minute indexes compared: every one where some alert of `side` (key -> firing per
    minute) changes and the one before, every second hour, and ±2 around `boundary_t` (the
    Berlin month's end, END − 1 h: the calendar windows' new period)."""
    import numpy as np

    changes = set()
    for v in side.values():
        for i in np.flatnonzero(np.diff(v.astype(int))) + 1:
            changes.update({int(i) - 1, int(i)})
    boundary = int(np.flatnonzero(minutes == boundary_t)[0])
    return sorted(
        changes | set(range(0, minutes.size, 120)) | set(range(boundary - 2, boundary + 3))
    )
