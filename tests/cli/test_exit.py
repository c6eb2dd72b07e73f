"""How the `slo` executable ends (slo_cli.cli.app.run): the interpreter's teardown is skipped
only once nothing is left to do; the exit status, the output, atexit handlers and other threads'
work are never lost. Each case runs in a fresh interpreter (`run` ends the process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_executable_keeps_its_output_and_exit_status(tmp_path: Path) -> None:
    ok = _python(
        "import sys; sys.argv = ['slo', '--version']\nfrom slo_cli.cli.app import run; run()",
        tmp_path,
    )
    assert (ok.returncode, ok.stdout) == (0, f"slo {_version()}\n")
    bad = _python(
        "import sys; sys.argv = ['slo', 'validate', 'missing.yaml']\n"
        "from slo_cli.cli.app import run; run()",
        tmp_path,
    )
    assert bad.returncode == 2
    assert "missing.yaml:1:1: no such file or directory" in bad.stdout + bad.stderr


def test_python_m_slo_cli_goes_through_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slo_cli", "--version"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, f"slo {_version()}\n")


def test_atexit_handlers_still_run(tmp_path: Path) -> None:
    done = _python(
        """
        import atexit, pathlib, sys
        atexit.register(lambda: pathlib.Path("atexit-ran").write_text("yes"))
        sys.argv = ["slo", "--version"]
        from slo_cli.cli.app import run
        run()
        """,
        tmp_path,
    )
    assert done.returncode == 0
    assert (tmp_path / "atexit-ran").read_text() == "yes"


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    done = _python(
        """
        import pathlib, sys, threading, time
        def late():
            time.sleep(0.5)
            pathlib.Path("thread-done").write_text("yes")
        threading.Thread(target=late).start()
        sys.argv = ["slo", "--version"]
        from slo_cli.cli.app import run
        run()
        """,
        tmp_path,
    )
    assert done.returncode == 0
    assert (tmp_path / "thread-done").read_text() == "yes"


@pytest.mark.parametrize(("status", "code", "err"), [("'bye'", 1, "bye"), ("None", 0, "")])
def test_an_exit_status_that_is_not_a_number_ends_as_python_ends_it(
    tmp_path: Path, status: str, code: int, err: str
) -> None:
    done = _python(
        f"""
        import sys
        import slo_cli.cli.app as app
        def main():
            raise SystemExit({status})
        app.main = main
        app.run()
        """,
        tmp_path,
    )
    assert (done.returncode, done.stderr.strip()) == (code, err)


def _version() -> str:
    from slo_cli import __version__

    return __version__
