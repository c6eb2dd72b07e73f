"""Command-line conventions a newcomer expects, through the real entry point in a subprocess:
`-o -` is stdout; FORCE_COLOR=0 forces nothing (FORCE_COLOR=1 does force colour on a pipe);
piped text has no trailing spaces; every command that colours takes --no-color; `slo budget
0.999` is refused (it would mean 0.999 %, a window of almost only downtime)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLO = str(Path(sys.executable).parent / "slo")
EXAMPLES = str(ROOT / "examples")
SNAPSHOT = str(ROOT / "examples" / "snapshot.json")
#: an SGR escape that sets a colour
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7])(?:;[0-9;]*)?m")


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM") and not k.startswith("SLO_")
    }
    return subprocess.run(
        [SLO, *args],
        cwd=cwd or ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dash_output_is_stdout(tmp_path: Path) -> None:
    check = run("check", EXAMPLES, "--from", SNAPSHOT, "-f", "json", "-o", "-", cwd=tmp_path)
    assert check.returncode == 1 and check.stdout.startswith("{"), check.stderr
    report = run("report", EXAMPLES, "--from", SNAPSHOT, "--output", "-", cwd=tmp_path)
    assert report.returncode == 0 and report.stdout.startswith("# SLO report"), report.stderr
    assert "wrote" not in check.stderr + report.stderr
    assert list(tmp_path.iterdir()) == []  # no file named "-"


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_force_color_zero_does_not_force_colour(value: str) -> None:
    done = run("check", EXAMPLES, "--from", SNAPSHOT, FORCE_COLOR=value, TERM="xterm-256color")
    assert done.returncode == 1
    assert "\x1b" not in done.stdout


def test_force_color_forces_colour_on_a_pipe_unless_no_color() -> None:
    forced = run("check", EXAMPLES, "--from", SNAPSHOT, FORCE_COLOR="1", TERM="xterm-256color")
    assert COLOUR.search(forced.stdout)
    for args in (["check", EXAMPLES, "--from", SNAPSHOT], ["budget", "99.9"]):
        plain = run(*args, "--no-color", FORCE_COLOR="1", TERM="xterm-256color")
        assert plain.returncode in (0, 1), plain.stderr
        assert not COLOUR.search(plain.stdout), args


def test_every_command_that_colours_takes_no_color() -> None:
    for command in ("check", "report", "budget", "backtest"):  # backtest: its progress bar
        help_text = run(command, "--help", COLUMNS="200").stdout
        assert "--no-color" in help_text, command


@pytest.mark.parametrize(
    "args",
    [
        ("check", EXAMPLES, "--from", SNAPSHOT),
        ("check", EXAMPLES, "--from", SNAPSHOT, "--details"),
        ("budget", "99.9"),
        ("validate", EXAMPLES),
        ("report", EXAMPLES, "--from", SNAPSHOT),
    ],
    ids=["table", "details", "budget", "validate", "report"],
)
def test_piped_text_has_no_trailing_spaces(args: tuple[str, ...]) -> None:
    done = run(*args)
    assert done.returncode in (0, 1), done.stderr
    padded = [line for line in done.stdout.splitlines() if line != line.rstrip()]
    assert padded == [], padded[:3]


def test_budget_refuses_a_ratio_written_as_a_percentage() -> None:
    done = run("budget", "0.999")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "slo: error: OBJECTIVE 0.999 is a percentage: 0.999 % would allow 99.001 % of the "
        "window to be bad; for 99.9 % write 99.9 (or 0.999% to mean 0.999 %)\n"
    )
    meant = run("budget", "0.999%", "--format", "json")
    assert meant.returncode == 0 and '"objective_ratio": 0.00999,' in meant.stdout
    assert run("budget", "99.9").returncode == 0


def test_every_command_that_draws_with_rich_takes_no_color() -> None:
    """Found from the code: a command module that draws a progress bar or a rich layout
    (`fetch_progress`, `stdout_terminal`) offers --no-color on each of its commands."""
    cli = Path(__file__).resolve().parents[2] / "slo_cli" / "cli"
    found = []
    for module in sorted(cli.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        if module.name != "common.py" and re.search(r"(fetch_progress|stdout_terminal)\(", text):
            found += re.findall(r'@app\.command\(\s*"([\w-]+)"', text)
    assert {"check", "report", "budget", "backtest"} <= set(found)
    for command in found:
        assert "--no-color" in run(command, "--help", COLUMNS="200").stdout, command
