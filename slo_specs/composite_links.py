"""Check composites against every SLO loaded with them (across files): each member must exist,
be an SLO (not a composite, so composites never form a cycle), not be grouped, appear once, and
share one budgeting method with the other members. Problems are placed at the member's entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from slo_specs.errors import Problem, SpecError
from slo_specs.messages import did_you_mean
from slo_specs.model import SLO, Composite, ServiceSpec

Loc = tuple[str | int, ...]


def place_composites(
    spec: ServiceSpec, locator: Any, prefix: Loc, translate: Callable[[Loc], Loc] | None
) -> None:
    """Remember where each composite and each of its members is written (for messages later)."""

    def place(loc: Loc) -> Problem:
        problem: Problem = locator.problem((*prefix, *(translate(loc) if translate else loc)), "")
        return problem

    for index, composite in enumerate(spec.composites):
        at = place(("composites", index))
        composite._source = (at.path, at.line)
        composite._member_at = [
            place(("composites", index, "members", i, "slo")) for i in range(len(composite.members))
        ]


def linked(specs: list[ServiceSpec]) -> list[ServiceSpec]:
    """``specs`` once their composites resolve; SpecError with every member problem."""
    problems = link_problems(specs)
    if problems:
        raise SpecError(problems)
    return specs


def link_problems(specs: Sequence[ServiceSpec]) -> list[Problem]:
    """Every problem of every composite of ``specs`` (empty when all resolve)."""
    if not any(spec.composites for spec in specs):
        return []
    slos = {slo.key: slo for spec in specs for slo in spec.slos}
    composites = {c.key for spec in specs for c in spec.composites}
    problems: list[Problem] = []
    for spec in specs:
        for composite in spec.composites:
            problems += _members(composite, slos, composites, spec.source_path)
    return problems


def _at(composite: Composite, index: int, path: str | None, message: str) -> Problem:
    if index < len(composite._member_at):
        return replace(composite._member_at[index], message=message)
    return Problem(path or "<spec>", composite.source_line or 1, 1, composite.key, message)


def _members(
    composite: Composite, slos: dict[str, SLO], composites: set[str], path: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    first: tuple[int, SLO] | None = None
    for index, key in enumerate(composite.member_keys):
        message = None
        slo = slos.get(key)
        if key == composite.key:
            message = "a composite cannot be its own member"
        elif key in composites:
            message = (
                f"member {key!r} is a composite: composites of composites are not supported "
                "(list its members here instead)"
            )
        elif slo is None:
            message = f"unknown member {key!r}: no SLO of that service/name is loaded" + (
                did_you_mean(key, list(slos))
            )
        elif key in seen:
            message = f"duplicate member {key!r} (also members[{seen[key]}])"
        elif slo.group_by:
            message = (
                f"member {key!r} is a grouped SLO (group_by): its groups are only known after "
                "the query; a composite needs SLOs of one series each"
            )
        elif first is not None and slo.budgeting != first[1].budgeting:
            message = (
                f"member {key!r} is budgeted by {slo.budgeting}, members[{first[0]}] by "
                f"{first[1].budgeting}: a composite's members share one budgeting method"
            )
        if message is not None:
            problems.append(_at(composite, index, path, message))
            continue
        assert slo is not None
        seen[key] = index
        if first is None:
            first = (index, slo)
    return problems
