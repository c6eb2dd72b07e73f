"""Help that teaches (issue 15): every command's help ends with real examples, the connection
flags sit under a "Connection" heading, no Python type names are shown, the root help lists
each command's whole description, and `snapshot --from` (always an error) is not listed.

The examples are real: the offline ones run here (in a directory holding a copy of the packaged
examples as `slos/` and their snapshot as `snapshot.json`), and every flag of the others is
one their command accepts."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from slo_cli.cli.helptext import EXAMPLES
from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = list(EXAMPLES)
#: commands that read data and so take the connection flags
CONNECTED = ("check", "report", "snapshot", "backtest")
#: Python type names typer shows when a parameter has no metavar
TYPE_NAMES = re.compile(r"<(?:str|int|float|bool|path|list\[[^>]*\]|[a-z]+ range)>|\[Path\]")


def _help(*command: str) -> str:
    run = slo(*command, "--help", env={"COLUMNS": "80"})
    assert run.code == 0, run.stderr
    return run.stdout


def test_every_command_has_examples() -> None:
    from slo_cli.cli.app import app

    names = {info.name for info in app.registered_commands}
    assert names == set(EXAMPLES), "a command without examples (or examples of no command)"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_the_examples(command: str) -> None:
    text = _help(command)
    _head, sep, tail = text.rpartition("\nExamples:\n")
    assert sep, f"`slo {command} --help` has no Examples section"
    assert tail.splitlines() == [f"  {line}" for line in EXAMPLES[command]]
    if command not in ("schema", "completion", "demo", "examples"):
        assert len(EXAMPLES[command]) >= 2, command


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_no_python_type_names_in_help(command: str) -> None:
    text = _help(*([command] if command else []))
    assert not TYPE_NAMES.search(text), TYPE_NAMES.findall(text)
    assert "<=x<=" not in text and "x>=" not in text


@pytest.mark.parametrize("command", CONNECTED)
def test_connection_flags_are_under_their_heading(command: str) -> None:
    text = _help(command)
    options, sep, connection = text.partition("\nConnection:\n")
    assert sep, f"`slo {command} --help` has no Connection heading"
    connection = connection.partition("\nExamples:\n")[0]
    for flag in ("--prometheus-url URL", "--engine", "--header", "--timeout", "--from FILE"):
        if command == "snapshot" and flag == "--from FILE":
            continue
        assert flag in connection and flag not in options, (command, flag)
    assert "--help" in options and "--config FILE" in options and "--select" not in connection


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_says_what_it_does(command: str) -> None:
    from typer.main import get_command

    from slo_cli.cli.app import app

    click_command = get_command(app).commands[command]  # type: ignore[attr-defined]
    silent = [p.opts[0] for p in click_command.params if not p.help and not p.hidden]
    assert not silent, f"slo {command}: {silent} have no help text"


def test_engine_names_are_not_cut_in_two() -> None:
    assert "victoriametrics" in _help("check")


def test_the_root_help_lists_every_description_in_full() -> None:
    from typer.main import get_command

    from slo_cli.cli.app import app

    text = _help()
    listed = " ".join(text.partition("\nCommands:\n")[2].split())
    assert "..." not in listed
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert f"{name} {first}" in listed, name


def test_snapshot_does_not_list_from_but_explains_it(tmp_path: Path) -> None:
    text = _help("snapshot")
    assert not re.search(r"^\s+--from\b", text, flags=re.M)
    run = slo(
        "snapshot",
        str(ROOT / "examples"),
        "--out",
        str(tmp_path / "s.json"),
        "--from",
        str(ROOT / "examples" / "snapshot.json"),
    )
    assert run.code == 2 and "--from cannot be used here" in run.stderr


def _argv(line: str, examples: Path) -> list[str]:
    """An example's first `slo` command line as argv (comment, redirection, `&&` dropped)."""
    text = line.replace("$(slo examples)", str(examples))
    words = shlex.split(text, comments=True)
    for stop in (">", "&&", "|"):
        if stop in words:
            words = words[: words.index(stop)]
    assert words[0] == "slo", line
    return words[1:]


#: examples that need a shell; those of commands that read data without --from need a server
NOT_RUN = ("source <(",)


def _example_lines() -> list[tuple[str, str]]:
    return [(command, line) for command, lines in EXAMPLES.items() for line in lines]


@pytest.mark.parametrize(("command", "line"), _example_lines())
def test_every_example_works(
    command: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = ROOT / "examples"
    if line.startswith("source <("):
        line = line[len("source <(") :].replace(")", " ", 1)
    argv = _argv(line, examples)
    sub = next(a for a in argv if not a.startswith("-"))
    assert sub == command or (command in ("snapshot", "examples") and sub == "check"), line
    help_text = _help(sub)
    for flag in (a.split("=", 1)[0] for a in argv if a.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text), (line, flag)
    if any(marker in line for marker in NOT_RUN) or (sub in CONNECTED and "--from" not in argv):
        return
    shutil.copytree(examples, tmp_path / "slos", ignore=shutil.ignore_patterns("snapshot.json"))
    shutil.copy(examples / "snapshot.json", tmp_path / "snapshot.json")
    monkeypatch.chdir(tmp_path)
    run = slo(*argv)
    # the examples include an exhausted budget: the gate fails them (exit 1), nothing else
    assert run.code in (0, 1), (line, run.stderr)
    assert run.stdout or list(tmp_path.iterdir()), line
