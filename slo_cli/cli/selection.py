"""`--select` / `--service`: which SLOs a run covers (shared by `slo check` and `slo report`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from slo_specs.model import SLO, Composite, ServiceSpec

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
    """The specs restricted to the selected SLOs.

    Rule: every `--service` and every `--select` given must match at least one SLO; a typo is a
    usage error naming it (and the services there are), never silently ignored.
    """
    from fnmatch import fnmatchcase

    from slo_cli.errors import UsageError

    if not any(spec.slos for spec in specs):
        raise UsageError("no SLOs found (give spec files or directories)")
    known = sorted({spec.service for spec in specs})
    for name in services:
        if not any(fnmatchcase(service, name) for service in known):
            raise UsageError(f"no SLO matches --service {name} (services: {_few(known)})")
    chosen = [s for s in specs if not services or any(fnmatchcase(s.service, n) for n in services)]
    for pattern in select:
        if not any(_matches(x, pattern) for spec in chosen for x in _named(spec)):
            keys = sorted(x.key for spec in chosen for x in _named(spec))
            raise UsageError(f"no SLO matches --select {pattern} (SLOs: {_few(keys)})")
    out = []
    for spec in chosen:
        slos = [slo for slo in spec.slos if not select or any(_matches(slo, p) for p in select)]
        comps = [c for c in spec.composites if not select or any(_matches(c, p) for p in select)]
        if slos or comps:
            out.append(spec.model_copy(update={"slos": slos, "composites": comps}))
    return _with_members(specs, out)


def _with_members(specs: Sequence[ServiceSpec], out: list[ServiceSpec]) -> list[ServiceSpec]:
    """A selected composite brings its members (its counts are theirs): added to their
    service, in spec order, when not selected themselves."""
    wanted = {key for spec in out for c in spec.composites for key in c.member_keys}
    have = {slo.key for spec in out for slo in spec.slos}
    if wanted <= have:
        return out
    by_service = {spec.service: spec for spec in out}
    for spec in specs:
        extra = [slo for slo in spec.slos if slo.key in wanted and slo.key not in have]
        if not extra:
            continue
        mine = by_service.get(spec.service)
        if mine is None:
            mine = spec.model_copy(update={"slos": [], "composites": []})
            out.append(mine)
            by_service[spec.service] = mine
        keep = {slo.key for slo in mine.slos} | {slo.key for slo in extra}
        slos = [slo for slo in spec.slos if slo.key in keep]
        out[out.index(mine)] = by_service[spec.service] = mine.model_copy(update={"slos": slos})
    return out


def _named(spec: ServiceSpec) -> list[SLO | Composite]:
    return [*spec.slos, *spec.composites]


def _matches(slo: SLO | Composite, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(slo.key, pattern) or fnmatchcase(slo.name, pattern)


def _few(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")
