"""`slo examples [DIR]` and `slo demo`: the example specs and their recorded snapshot, from any
install (a wheel carries them as package data under ``slo_cli/examples``; a source checkout uses
the repository's ``examples/``).

`slo examples` prints where they are (so `slo check "$(slo examples)" --from
"$(slo examples)/snapshot.json"` works in any shell); `slo examples DIR` copies them into DIR to
edit; `slo demo` runs `slo check` on them, offline (its exit code is the gate's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

#: the recorded Prometheus answers the examples replay from
SNAPSHOT_NAME = "snapshot.json"


def examples_dir() -> Path:
    """The packaged examples (wheel), else the repository's (source checkout, editable install)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "examples", package.parent / "examples"):
        if (candidate / SNAPSHOT_NAME).is_file():
            return candidate
    from slo_cli.errors import UsageError

    raise UsageError(
        f"the example specs are not installed (looked in {package / 'examples'}); "
        "reinstall slo from a wheel or a clone"
    )


def _copy(target: Path) -> int:
    """Copy the examples into `target` (new or empty); the number of files copied."""
    import shutil

    from slo_cli.errors import UsageError

    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: exists and is not an empty directory (nothing copied)")
    source = examples_dir()
    try:
        shutil.copytree(
            source,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    except OSError as exc:
        raise UsageError(f"{target}: {exc.strerror or exc}") from None
    return sum(1 for p in target.rglob("*") if p.is_file())


def register(app: typer.Typer) -> None:
    @app.command("examples")
    def examples(
        directory: Optional[Path] = typer.Argument(
            None,
            metavar="DIR",
            help="Copy the examples into DIR (new or empty) instead of printing their path.",
            show_default=False,
        ),
    ) -> None:
        """Print where the example specs and their recorded snapshot are (or copy them to DIR)."""
        if directory is None:
            typer.echo(str(examples_dir()))
            return
        n = _copy(directory)
        typer.echo(
            f"slo: copied {n} files into {directory}; try: slo check {directory} "
            f"--from {directory / SNAPSHOT_NAME}",
            err=True,
        )

    @app.command(
        "demo",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def demo(ctx: typer.Context) -> None:
        """Run `slo check` on the example specs from their recorded snapshot (no server needed).

        Any further options go to `slo check` (--details, --format markdown, …); the exit code is
        the gate's: 1, since the examples include an exhausted budget.
        """
        where = examples_dir()
        args = ["check", str(where), "--from", str(where / SNAPSHOT_NAME), *ctx.args]
        typer.echo("slo demo: slo " + " ".join(_quote(a) for a in args), err=True)
        root = ctx.find_root().command
        sub = root.get_command(ctx, "check")  # type: ignore[attr-defined]
        code = sub.main(args[1:], prog_name="slo check", standalone_mode=False)
        raise typer.Exit(int(code or 0))


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)
