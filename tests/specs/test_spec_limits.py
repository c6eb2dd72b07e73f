"""Issue 16 items 11-12: `slo validate` is bounded and refuses, with a location, what `check`
could not run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.check.conftest import slo

SPEC = """version: slo/v1
service: shop
slos:
  - name: avail
    objective: {objective}
    window: {window}
    sli: {{ratio: {{good: 'req_total{{code="200"}}', total: req_total}}}}
"""


def _validate(tmp_path: Path, objective: str = "99", window: str = "30d") -> tuple[int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(SPEC.format(objective=objective, window=window), encoding="utf-8")
    run = slo("validate", str(path))
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    return run.code, run.stdout + run.stderr


@pytest.mark.parametrize("window", ["90s", "1h30s", "1500ms", "59s"])
def test_windows_must_be_whole_minutes(tmp_path: Path, window: str) -> None:
    """Rule: counts are per minute, so every window is whole minutes (refused at validate)."""
    code, out = _validate(tmp_path, window=window)
    assert code == 2 and "s.yaml:6:13: slos[0].window: a window must be whole minutes" in out


@pytest.mark.parametrize("window", ["99999999999999999999d", "367d", "100w"])
def test_absurd_windows_are_refused_with_a_location(tmp_path: Path, window: str) -> None:
    code, out = _validate(tmp_path, window=window)
    assert code == 2 and "s.yaml:6:13: slos[0].window:" in out


@pytest.mark.parametrize("objective", ["5.0e-324", "0.00000001", "99.9999999999"])
def test_unmeasurable_objectives_are_refused_with_a_location(
    tmp_path: Path, objective: str
) -> None:
    code, out = _validate(tmp_path, objective=objective)
    assert code == 2 and "s.yaml:5:16: slos[0].objective: must be from" in out


def test_alert_windows_must_be_whole_minutes_too(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        SPEC.format(objective="99", window="30d")
        + "    alerting: {windows: [{severity: page, long: 1h, short: 90s, burn_rate: 14.4}]}\n"
    )
    run = slo("validate", str(path))
    assert run.code == 2 and "short: a window must be whole minutes" in run.stdout


def test_validate_never_hangs_on_a_fifo(tmp_path: Path) -> None:
    """Rule: only regular files are read; a FIFO named *.yaml is reported, not waited on."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "ok.yaml").write_text(SPEC.format(objective="99", window="30d"))
    started = time.monotonic()
    run = slo("validate", str(tmp_path))
    assert time.monotonic() - started < 5
    assert run.code == 2 and "pipe.yaml:1:1: cannot read: not a regular file" in run.stdout


def test_validate_is_fast_on_a_1mib_flow_list(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("version: slo/v1\nservice: s\nslos: [" + ",".join(["1"] * 500_000) + "]\n")
    assert path.stat().st_size <= 1024 * 1024
    started = time.monotonic()
    run = slo("validate", str(path))
    assert time.monotonic() - started < 3
    assert run.code == 2 and "too many items" in run.stdout
