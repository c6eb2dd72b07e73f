"""`slo budget`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("budget")
    def budget() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo budget is not implemented yet")
