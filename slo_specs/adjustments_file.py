"""``--adjustments FILE``: budget adjustments written by incident tooling, apart from the specs.

The file (YAML or JSON) is a list of adjustments — or a mapping with the key ``adjustments``
holding one — each as in a spec (``slo_specs.model_adjustments``) plus selectors: ``service``
(a service name) and ``slo`` (an SLO name, or ``service/name``). An entry applies to every SLO
its selectors match; without selectors, to every SLO. An entry matching no SLO of the specs read
is an error (a typo is never silently ignored), as are overlapping one-off periods of entries
with the same selectors. Every problem is a SpecError with file:line:col.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from slo_specs.errors import Problem, SpecError
from slo_specs.model_adjustments import Adjustment, no_overlaps

if TYPE_CHECKING:
    from slo_specs.model import ServiceSpec


class FileAdjustment(Adjustment):
    """An adjustment of an adjustments file: which SLOs it is for, and the period."""

    service: str | None = Field(default=None, description="Only the SLOs of this service.")
    slo: str | None = Field(default=None, description="Only this SLO: its name or service/name.")

    #: where its selector is written (for "matches no SLO")
    _selector: tuple[str, int, int, str] = PrivateAttr(default=("", 1, 1, ""))

    def matches(self, service: str, name: str) -> bool:
        """Whether the entry is for the SLO ``service/name``."""
        if self.service is not None and self.service != service:
            return False
        return self.slo is None or self.slo in (name, f"{service}/{name}")


class _File(BaseModel):
    adjustments: list[FileAdjustment]


def _problems(exc: ValidationError, locator: Any) -> list[Problem]:
    from slo_specs.messages import problems_from

    return problems_from(exc, _File, locator, translate=lambda loc: loc[1:])


def load_adjustments(path: str) -> list[FileAdjustment]:
    """The entries of ``path``; SpecError (exit 2) listing every problem with its position."""
    from slo_specs.yamlio import read_file

    read = read_file(path)
    if read.problems:
        raise SpecError(read.problems)
    docs = [d for d in read.documents if d.data is not None]
    data = docs[0].data if len(docs) == 1 else None
    wrapped = isinstance(data, dict) and set(data) == {"adjustments"}
    items = data["adjustments"] if wrapped and data is not None else data
    if not isinstance(items, list):
        raise SpecError(
            [Problem(path, 1, 1, "", "expected one list of adjustments (or adjustments: [...])")]
        )
    locator = docs[0].locator
    if wrapped:
        inner = locator

        class _Shifted:
            path = inner.path

            def problem(self, loc: Sequence[str | int], message: str, **kw: Any) -> Problem:
                return inner.problem(("adjustments", *loc), message, **kw)

        locator = _Shifted()  # type: ignore[assignment]
    try:
        entries = _File.model_validate({"adjustments": items}).adjustments
    except ValidationError as exc:
        raise SpecError(_problems(exc, locator)) from None
    problems = _overlaps(entries, locator)
    if problems:
        raise SpecError(problems)
    for i, entry in enumerate(entries):
        entry._origin = f"{path}:{locator.problem((i,), '').line}"
        key = "slo" if entry.slo is not None else "service"
        at = locator.problem((i, key), "", key=True)
        entry._selector = (at.path, at.line, at.col, at.loc)
    return entries


def _overlaps(entries: list[FileAdjustment], locator: Any) -> list[Problem]:
    """Overlapping one-off periods of entries with the same selectors."""
    groups: dict[tuple[str | None, str | None], list[int]] = {}
    for i, entry in enumerate(entries):
        groups.setdefault((entry.service, entry.slo), []).append(i)
    problems = []
    for index in groups.values():
        try:
            no_overlaps([entries[i] for i in index])
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                j = index[int(error["loc"][0])]
                message = error["msg"]
                for k, i in enumerate(index):  # "[k]" of the group is entry [i] of the file
                    message = message.replace(f"adjustment [{k}] ", f"adjustment [{i}] ")
                problems.append(locator.problem((j, "start"), message, shown=(j, "start")))
    return problems


def attach(specs: Sequence[ServiceSpec], entries: Sequence[FileAdjustment]) -> list[ServiceSpec]:
    """``specs`` with each entry added to the adjustments of the SLOs it matches; SpecError for
    entries that match no SLO (at the entry's selector)."""
    problems = []
    for entry in entries:
        if not any(entry.matches(s.service, slo.name) for s in specs for slo in s.slos):
            what = ", ".join(
                f"{k}: {getattr(entry, k)}" for k in ("service", "slo") if getattr(entry, k)
            )
            path, line, col, loc = entry._selector
            problems.append(Problem(path, line, col, loc, f"no SLO of the specs matches {what}"))
    if problems:
        raise SpecError(problems)
    out = []
    for spec in specs:
        slos = []
        for slo in spec.slos:
            extra = [e for e in entries if e.matches(spec.service, slo.name)]
            slos.append(
                slo.model_copy(update={"adjustments": [*slo.adjustments, *extra]}) if extra else slo
            )
        out.append(spec.model_copy(update={"slos": slos}))
    return out
