"""`--select` / `--service`: which SLOs a run covers (shared by `slo check` and `slo report`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from slo_specs.model import ServiceSpec

#: the two options, declared once for every command that takes them
SELECT_OPTION = typer.Option(
    None,
    "--select",
    metavar="PATTERN",
    help="Only SLOs whose service/name or name matches this glob (repeatable).",
)
SERVICE_OPTION = typer.Option(
    None, "--service", metavar="NAME", help="Only SLOs of this service (repeatable)."
)


def select_slos(
    specs: Sequence[ServiceSpec], select: Sequence[str], services: Sequence[str]
) -> list[ServiceSpec]:
    """The specs restricted to the selected SLOs; a usage error when nothing is left."""
    from fnmatch import fnmatchcase

    from slo_cli.errors import UsageError

    out = []
    for spec in specs:
        if services and not any(fnmatchcase(spec.service, s) for s in services):
            continue
        slos = [
            slo
            for slo in spec.slos
            if not select
            or any(fnmatchcase(slo.key, p) or fnmatchcase(slo.name, p) for p in select)
        ]
        if slos:
            out.append(spec.model_copy(update={"slos": slos}))
    if not out:
        if select or services:
            given = [f"--select {p}" for p in select] + [f"--service {s}" for s in services]
            raise UsageError(f"no SLO matches {' '.join(given)}")
        raise UsageError("no SLOs found (give spec files or directories)")
    return out
