"""Shell completion (`slo completion bash|zsh|fish`): the printed script, sourced in a real
bash, completes commands, options and choices by calling `slo` back; zsh and fish get the
same answers through the callbacks their scripts make (the shells themselves need not be
installed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SLO = str(Path(sys.executable).parent / "slo")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_SLO")}
    env["PATH"] = f"{Path(SLO).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _script(shell: str) -> str:
    done = subprocess.run([SLO, "completion", shell], capture_output=True, text=True, env=_env())
    assert done.returncode == 0, done.stderr
    return done.stdout


def _bash_complete(words: str) -> list[str]:
    """COMPREPLY after pressing Tab at the end of `words` in a bash with the script sourced."""
    script = _script("bash")
    program = (
        script
        + f"\nCOMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n"
        + ("COMP_WORDS+=(''); COMP_CWORD=${#COMP_WORDS[@]}; COMP_CWORD=$((COMP_CWORD-1))\n"
           if words.endswith(" ") else "")
        + '_slo_completion slo\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )  # fmt: skip
    done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True,
                          env=_env(), timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_options_and_choices() -> None:
    assert "complete -o default -F _slo_completion slo" in _script("bash")
    assert _bash_complete("slo ch") == ["check"]
    assert set(_bash_complete("slo c")) == {"check", "completion"}
    assert "--fail-on" in _bash_complete("slo check --fa")
    assert _bash_complete("slo check --fail-on ") == ["exhausted", "page", "ticket", "never"]


def test_zsh_and_fish_scripts_and_their_callbacks() -> None:
    assert _script("zsh").startswith("#compdef slo")
    assert _script("fish").startswith("complete --command slo")
    zsh = subprocess.run(
        [SLO], env=_env(_SLO_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="slo rep"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert zsh.returncode == 0 and '"report"' in zsh.stdout, zsh.stdout + zsh.stderr
    fish = subprocess.run(
        [SLO],
        env=_env(_SLO_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args",
                 _TYPER_COMPLETE_ARGS="slo report --format "),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert fish.returncode == 0
    assert fish.stdout.split() == ["markdown", "html", "json", "csv"], fish.stdout


@pytest.mark.parametrize("shell", ["powershell", "tcsh"])
def test_other_shells_are_a_usage_error(shell: str) -> None:
    done = subprocess.run([SLO, "completion", shell], capture_output=True, text=True, env=_env())
    assert done.returncode == 2 and "SHELL" in done.stderr
