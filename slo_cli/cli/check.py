"""`slo check`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo check is not implemented yet")
