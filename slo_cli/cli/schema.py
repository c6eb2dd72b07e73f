"""`slo schema`: print the JSON Schema of the native spec format (generated from the model)."""

from __future__ import annotations

import typer


def schema_text() -> str:
    """The schema as published in ``slo_specs/schema/slo-v1.schema.json`` (2-space JSON)."""
    import json

    from slo_specs.model import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def register(app: typer.Typer) -> None:
    @app.command("schema")
    def schema() -> None:
        """Print the JSON Schema of the slo/v1 spec format (for editors and CI checks)."""
        typer.echo(schema_text(), nl=False)
