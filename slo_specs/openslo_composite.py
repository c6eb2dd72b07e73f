"""OpenSLO v1 composite SLOs (README, "Notes (Composite SLO)") into the spec model.

An OpenSLO SLO whose objectives carry their own ``indicator``/``indicatorRef`` (and optional
``compositeWeight``, default 1) is a composite: each objective becomes a member SLO of its own
(named like any objective of a multi-objective SLO: ``<name>-<displayName>``, or the index),
measured over the SLO's ``timeWindow`` and ``budgetingMethod``; the SLO itself becomes a
composite of method ``weighted_burn``: "if an objective burns its budget the composite burns at
the same rate, the weight multiplying that burn rate" — burn = Σ weight × the objective's burn
rate, each against its own target. The composite's objective (used only to express that burn as
an SLI) is the highest target. The SLO's ``alertPolicies`` apply to the composite.

Refused, with a located line: Timeslices composites (OpenSLO counts a slice bad when any
objective's slice is bad, which needs each objective's slices, not per-bin counts), objectives
without their own indicator next to ones with it, and an SLO-level indicator on a composite.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slo_specs._foreign import Loc, Reader, Where

_OWN = ("indicator", "indicatorRef", "compositeWeight")


def is_composite(objectives: object) -> bool:
    """Some objective has its own indicator (or a compositeWeight): a composite SLO."""
    items = objectives if isinstance(objectives, list) else []
    return any(isinstance(x, Mapping) and any(k in x for k in _OWN) for x in items)


class _ObjectiveReader(Reader):
    """A reader for objective ``index`` read as an SLO spec: ``("spec", …)`` locs are the
    objective's (``spec.objectives[index]…``), so indicator code places its problems there."""

    def __init__(self, reader: Reader, index: int) -> None:
        super().__init__(reader.path, reader.locator, reader.prefix)
        self.problems, self.warnings = reader.problems, reader.warnings
        self.index = index

    def make(self, loc: Loc, message: str, *, key: bool = False) -> Any:
        if loc[:1] == ("spec",):
            loc = ("spec", "objectives", self.index, *loc[1:])
        return super().make(loc, message, key=key)


def composite_slos(
    reader: Reader,
    spec: Mapping[str, Any],
    objects: Any,
    common: dict[str, Any],
    window_src: Loc,
) -> list[tuple[dict[str, Any], Where]]:
    """The member SLOs (one per objective) and the composite, as native dicts with where each
    field came from. ``common``: name, description, labels, window, budgeting (native)."""
    from slo_specs.openslo_alerts import alert_windows

    where: Where = {
        ("name",): (reader, ("metadata", "name")),
        ("description",): (reader, ("spec", "description")),
        ("labels",): (reader, ("metadata", "labels")),
        ("window",): (reader, window_src),
        ("budgeting",): (reader, ("spec", "budgetingMethod")),
    }
    if common["budgeting"] == "timeslices":
        reader.problem(
            ("spec", "budgetingMethod"),
            "composite SLOs with budgetingMethod Timeslices are not supported: OpenSLO counts "
            "a slice bad when any objective's slice is bad, which needs each objective's "
            "slices; use Occurrences or RatioTimeslices",
        )
        return []
    for key in ("indicator", "indicatorRef"):
        if key in spec:
            reader.problem(
                ("spec", key),
                "a composite SLO has its indicators in its objectives, not in spec",
                key=True,
            )
    out: list[tuple[dict[str, Any], Where]] = []
    members: list[tuple[dict[str, Any], Loc, Decimal | None]] = []
    for index, item in enumerate(spec["objectives"]):
        member = _member(reader, item, index, objects, common, where)
        if member is None:
            return out  # the composite is left out: its problems are the objectives'
        out.append(member[0])
        members.append(member[1:])
    alerts = alert_windows(reader, spec, objects)
    out.append(_composite(reader, common, where, members, alerts))
    return out


def _member(
    reader: Reader,
    item: object,
    index: int,
    objects: Any,
    common: dict[str, Any],
    where: Where,
) -> tuple[tuple[dict[str, Any], Where], dict[str, Any], Loc, Decimal | None] | None:
    """One objective as a member SLO: (its native SLO and where, its members entry, its loc,
    its target), or None after a problem."""
    from slo_specs.openslo import _OBJECTIVE_KEYS, _slug, _target
    from slo_specs.openslo_sli import indicator, objective_sli

    loc: Loc = ("spec", "objectives", index)
    objective = reader.mapping(item, loc)
    if objective is None:
        return None
    reader.keys(objective, loc, _OBJECTIVE_KEYS)
    if "indicator" not in objective and "indicatorRef" not in objective:
        reader.problem(loc, "each objective of a composite SLO needs its own indicator or "
                            "indicatorRef")  # fmt: skip
        return None
    display = objective.get("displayName")
    suffix = _slug(display) if isinstance(display, str) and _slug(display) else str(index)
    name = f"{common['name']}-{suffix}"
    target = _target(reader, objective, loc)
    native: dict[str, Any] = {
        "name": name,
        "description": common["description"],
        "objective": Decimal(50) if target is None else target,
        "window": common["window"],
        "budgeting": common["budgeting"] or "occurrences",
        "labels": common["labels"],
    }
    member_where: Where = {
        **where,
        (): (reader, loc),
        ("name",): (reader, (*loc, "displayName") if display else loc),
        ("objective",): (
            reader,
            (*loc, "targetPercent" if "targetPercent" in objective else "target"),
        ),
        ("timeslice",): (reader, loc),
        ("timeslice", "slice"): (reader, (*loc, "timeSliceWindow")),
    }
    ind = indicator(_ObjectiveReader(reader, index), objective, objects)
    budgeting = common["budgeting"]
    native["sli"], notes = objective_sli(
        reader, ind, objective, loc, budgeting, native, member_where
    )
    for note in notes:
        text = native["description"]
        native["description"] = f"{text} ({note})" if text else note
    entry = {"slo": name, "weight": objective.get("compositeWeight", 1)}
    return (native, member_where), entry, loc, target


def _composite(
    reader: Reader,
    common: dict[str, Any],
    where: Where,
    members: list[tuple[dict[str, Any], Loc, Decimal | None]],
    alerts: list[Any] | None,
) -> tuple[dict[str, Any], Where]:
    """The composite's native dict: weighted_burn over the members, the highest target."""
    targets = [t for _, _, t in members if t is not None]
    composite: dict[str, Any] = {
        "name": common["name"],
        "description": common["description"],
        "objective": max(targets) if targets else Decimal(50),
        "window": common["window"],
        "method": "weighted_burn",
        "members": [entry for entry, _, _ in members],
        "labels": common["labels"],
    }
    comp_where: Where = {
        **{k: v for k, v in where.items() if k != ("budgeting",)},
        (): (reader, ("spec", "objectives")),
        ("members",): (reader, ("spec", "objectives")),
        ("objective",): (reader, ("spec", "objectives")),
    }
    for position, (_, loc, _) in enumerate(members):
        comp_where[("members", position, "slo")] = (reader, loc)
        comp_where[("members", position, "weight")] = (reader, (*loc, "compositeWeight"))
    if alerts is not None:
        composite["alerting"] = {"windows": alerts}
        comp_where[("alerting",)] = (reader, ("spec", "alertPolicies"))
    return composite, comp_where
