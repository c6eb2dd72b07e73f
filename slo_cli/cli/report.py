"""`slo report`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo report is not implemented yet")
