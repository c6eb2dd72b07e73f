"""`slo validate [PATHS...]`: lint spec files, reporting every problem with file:line:col.

Output (problems, or the summary of a valid set) goes to stdout in the chosen format, since it is
what the command was asked for; exit 0 when every spec is valid, 2 otherwise. The renderers are
in slo_cli/render/validate.py.
"""

from __future__ import annotations

from pathlib import Path

import typer

from slo_cli.render.formats import ValidateFormat


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        paths: list[Path] = typer.Argument(
            None,
            help="Spec files or directories (searched recursively for *.yaml/*.yml). "
            "Default: the current directory.",
            show_default=False,
        ),
        output_format: ValidateFormat = typer.Option(
            ValidateFormat.text,
            "--format",
            "-f",
            help="text: file:line:col lines; json: a report; github: ::error annotations.",
        ),
        strict: bool = typer.Option(
            False,
            "--strict",
            help="Also refuse YAML files found in directories that are clearly not SLO specs "
            "(docker-compose files, Kubernetes manifests), which are otherwise skipped.",
        ),
    ) -> None:
        """Check spec files and report every problem (exit 0 valid, 2 invalid)."""
        from slo_cli.cli.common import emit
        from slo_cli.cli.project import scan_filter
        from slo_cli.exit_codes import ExitCode
        from slo_cli.render.formats import render
        from slo_specs.loader import check_paths

        report = check_paths(paths or [Path(".")], strict=strict, where=scan_filter())
        emit(render(output_format, report))
        if report.problems:
            raise typer.Exit(int(ExitCode.USAGE))
