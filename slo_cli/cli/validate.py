"""`slo validate`. (Placeholder until its issue lands.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate() -> None:
        """Not implemented yet."""
        from slo_cli.errors import UsageError

        raise UsageError("slo validate is not implemented yet")
