"""`slo snapshot`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    def snapshot() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo snapshot is not implemented yet")
