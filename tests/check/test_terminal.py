"""`slo check` in a real terminal (a pseudo-terminal): colour on a TTY, none when piped or with
NO_COLOR, the progress bar on stderr only."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.check.conftest import ROOT

SLO = [str(Path(sys.executable).parent / "slo")]
ARGS = ["check", "examples/", "--from", "examples/snapshot.json"]
#: an SGR escape that sets a foreground or background colour (30-37, 38;…, 40-47, 90-97, …)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env.update(TERM="xterm-256color", **extra)
    return env


def _pty(cols: int = 120, rows: int = 40) -> tuple[int, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return master, slave


def _drain(master: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def _run_on_tty(*, stdout_tty: bool, env: dict[str, str]) -> tuple[int, str, str]:
    """Run `slo check` with stderr (and optionally stdout) on a pseudo-terminal.
    Returns (exit code, what the terminal showed, what went to the stdout pipe)."""
    master, slave = _pty()
    proc = subprocess.Popen(
        SLO + ARGS,
        cwd=ROOT,
        env=env,
        stdin=slave,
        stdout=slave if stdout_tty else subprocess.PIPE,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    piped = proc.stdout.read().decode() if proc.stdout is not None else ""
    shown = _drain(master)
    return proc.wait(timeout=60), shown, piped


def test_colours_on_a_terminal() -> None:
    code, shown, _ = _run_on_tty(stdout_tty=True, env=_env())
    assert code == 1
    assert COLOUR.search(shown), shown[:500]
    assert "✗ crit" in shown and "? no data" in shown


def test_no_colour_with_NO_COLOR_even_on_a_terminal() -> None:
    code, shown, _ = _run_on_tty(stdout_tty=True, env=_env(NO_COLOR="1"))
    assert code == 1
    assert "✗ crit" in shown  # the symbols still say it
    assert not COLOUR.search(shown)


def test_no_colour_with_the_flag() -> None:
    master, slave = _pty()
    proc = subprocess.Popen(
        [*SLO, *ARGS, "--no-color"], cwd=ROOT, env=_env(), stdout=slave, stderr=slave
    )
    os.close(slave)
    shown = _drain(master)
    assert proc.wait(timeout=60) == 1
    assert "✓ ok" in shown and not COLOUR.search(shown)


def test_piped_stdout_has_no_escape_codes_and_the_progress_bar_stays_on_stderr() -> None:
    code, shown, piped = _run_on_tty(stdout_tty=False, env=_env())
    assert code == 1
    assert "\x1b" not in piped
    assert "✗ crit" in piped and "fetching SLOs" not in piped
    # 15 SLOs (more than a few): the bar was drawn on the terminal's stderr
    assert "fetching SLOs" in shown
    assert "✗ crit" not in shown  # the result itself never went to stderr


def test_fully_piped_run_has_no_bar_and_no_escapes() -> None:
    done = subprocess.run(SLO + ARGS, cwd=ROOT, env=_env(), capture_output=True, check=False)
    assert done.returncode == 1
    assert b"\x1b" not in done.stdout and done.stderr == b""
