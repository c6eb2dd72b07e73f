"""`slo schema`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("schema")
    def schema() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo schema is not implemented yet")
