"""`slo report` on the command line: exit codes with one-line messages, atomic --output,
matplotlib imported only when charts are drawn, --at and --generated-at."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.conftest import FIXTURE, ROOT, report, slo


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "fortnight"), "slo: error: --period: expected week, month, quarter"),
        (("--timezone", "Mars/Olympus"), "slo: error: --timezone: unknown time zone"),
        (("--format", "pdf"), ""),  # typer's own usage error
        (("--at", "yesterday-ish"), "slo: error: --at: expected epoch seconds or ISO 8601"),
        (
            ("--generated-at", "soon"),
            "slo: error: --generated-at: expected epoch seconds or ISO 8601",
        ),
    ],
)
def test_bad_flags_exit_2(args: tuple[str, ...], message: str) -> None:
    run = report(*args)
    assert run.code == 2, run.stderr
    assert run.stdout == ""
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_no_specs_exits_2(tmp_path: Path) -> None:
    run = slo("report", str(tmp_path), "--from", str(FIXTURE))
    assert run.code == 2, run.stderr
    assert run.stderr == f"slo: error: {tmp_path}:1:1: no *.yaml or *.yml files in this directory\n"


def test_unreachable_server_exits_3() -> None:
    run = slo("report", "examples/auth.yaml", "--prometheus-url", "http://127.0.0.1:9")
    assert run.code == 3, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("slo: error:")


def test_another_instant_than_the_snapshot_s_exits_2_as_in_check() -> None:
    # a snapshot replays only the instant it was recorded at (tests/cli/test_common.py)
    run = report("--at", "2026-11-27T12:00:00Z")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "slo: error: --at 2026-11-27T12:00:00Z: the snapshot was recorded at "
        "2026-11-20T12:00:00Z and replays only at that instant\n"
    )


def test_failed_run_leaves_an_earlier_output_file_untouched(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    assert report("--output", str(out)).code == 0
    before = out.read_bytes()
    assert before.startswith(b"# SLO report: 7 days to 2026-11-20 12:00")
    # the snapshot has no answers for a month: the run fails while fetching (exit 3)
    assert report("--output", str(out), "--period", "month").code == 3
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["weekly.md"]  # no temp file left behind


def test_generated_at_is_the_only_difference_between_two_runs() -> None:
    a = report("--format", "json", "--generated-at", "2026-11-20T12:05:00Z").stdout
    b = report("--format", "json", "--generated-at", "2026-11-21T08:00:00Z").stdout
    da, db = json.loads(a), json.loads(b)
    assert da["generated_at_epoch_seconds"] == 1795176300.0
    assert db["generated_at_epoch_seconds"] == 1795248000.0
    for doc in (da, db):
        del doc["generated_at"], doc["generated_at_epoch_seconds"]
    assert da == db


def _modules_after(*args: str) -> set[str]:
    code = (
        "import sys, json\nfrom slo_cli.cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


def test_matplotlib_is_imported_only_when_charts_are_drawn(tmp_path: Path) -> None:
    base = ("report", "examples/auth.yaml", "--from", str(FIXTURE))
    assert "matplotlib" not in _modules_after(*base, "--format", "markdown")
    assert "matplotlib" not in _modules_after(*base, "--format", "json")
    assert "matplotlib" in _modules_after(*base, "--format", "html", "-o", str(tmp_path / "r.html"))


def test_progress_bar_goes_to_a_terminal_stderr_only() -> None:
    import os
    import pty

    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "slo_cli",
                "report",
                "examples/",
                "--from",
                str(FIXTURE),
                "--format",
                "csv",
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            cwd=ROOT,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80"},
            check=False,
        )
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    assert b"fetching SLOs" in err
    out = done.stdout.decode()
    assert out.startswith("service,name,key,period") and "\x1b[" not in out
