"""`slo completion bash|zsh|fish`: print the shell completion script (typer's) to source.

The script calls `slo` back with ``_SLO_COMPLETE`` set; `main` answers those calls
(`slo_cli.cli.app.main`), so completion follows the installed commands and options.
"""

from __future__ import annotations

import enum

import typer

#: the environment variable the completion scripts set when they call `slo` back
COMPLETE_VAR = "_SLO_COMPLETE"


class Shell(str, enum.Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="slo", complete_var=COMPLETE_VAR, shell=shell) + "\n"


def register(app: typer.Typer) -> None:
    @app.command("completion")
    def completion(
        shell: Shell = typer.Argument(..., metavar="SHELL", help="bash, zsh or fish."),
    ) -> None:
        """Print the shell completion script for bash, zsh or fish."""
        typer.echo(completion_script(shell.value), nl=False)
