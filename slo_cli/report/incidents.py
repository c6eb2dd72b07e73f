"""`slo report --incidents FILE`: incidents from the team's tooling, linked to burn events.

The file (YAML or JSON) is a list of incidents — ``id``, ``title``, ``start``, ``end`` (RFC 3339
or epoch seconds; ``end`` may be omitted or null for an ongoing incident), optional ``url`` and
``services`` (names; empty or missing: every service). Bad input is a SpecError (exit 2) with
file:line:col per problem.

Linking (THE rule): an incident is linked to a burn event of an SLO when their spans overlap —
``incident.start < event.end and event.start < incident.end`` (half-open, so touching ends do
not link) — and the incident lists the SLO's service or no service at all. A burn event with no
linked incident is *unexplained burn*: a postmortem candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slo_cli.report.model import Report
    from slo_specs.errors import Problem
    from slo_specs.yamlio import Locator


@dataclass(frozen=True)
class Incident:
    """One incident; `end` is inf while it is ongoing; `services` empty = every service."""

    id: str
    title: str
    start: float
    end: float
    url: str | None = None
    services: tuple[str, ...] = ()

    def overlaps(self, start: float, end: float, service: str) -> bool:
        """The linking rule (module docstring)."""
        if self.services and service not in self.services:
            return False
        return self.start < end and start < self.end


def _instant(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, datetime):  # YAML reads unquoted timestamps as datetimes
        when = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return when.timestamp()
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()
    return None


def _incident(item: Any, i: int, loc: Locator, problems: list[Problem]) -> Incident | None:
    if not isinstance(item, dict):
        problems.append(loc.problem((i,), "an incident must be a mapping (id, title, start, end)"))
        return None
    before = len(problems)
    for k in sorted(set(item) - {"id", "title", "start", "end", "url", "services"}):
        problems.append(loc.problem((i, k), f"unknown key {k!r}", key=True))
    for k in ("id", "title"):
        if not isinstance(item.get(k), str | int) or not str(item.get(k)).strip():
            problems.append(loc.problem((i,), f"{k}: required (text)"))
    start = _instant(item.get("start"))
    if start is None:
        problems.append(loc.problem((i, "start") if "start" in item else (i,), "start: "
                                    "required, RFC 3339 or epoch seconds"))  # fmt: skip
    end = math.inf if item.get("end") is None else _instant(item.get("end"))
    if end is None:
        problems.append(loc.problem((i, "end"), "end: RFC 3339 or epoch seconds (or null)"))
    elif start is not None and not end > start:
        problems.append(loc.problem((i, "end"), "end: must be after start"))
    services = item.get("services") or []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        problems.append(loc.problem((i, "services"), "services: a list of service names"))
    url = item.get("url")
    if url is not None and not isinstance(url, str):
        problems.append(loc.problem((i, "url"), "url: text"))
    if len(problems) > before or start is None or end is None:
        return None
    return Incident(
        str(item["id"]), str(item["title"]), start, end, url, tuple(services)
    )  # fmt: skip


def load_incidents(path: str) -> tuple[Incident, ...]:
    """The incidents of `path`; SpecError (exit 2) listing every problem with its position."""
    from slo_specs.errors import SpecError
    from slo_specs.yamlio import read_file

    read = read_file(path)
    problems = list(read.problems)
    if problems:
        raise SpecError(problems)
    if len(read.documents) != 1 or not isinstance(read.documents[0].data, list):
        from slo_specs.errors import Problem

        raise SpecError([Problem(path, 1, 1, "", "expected one list of incidents")])
    doc = read.documents[0]
    out = [_incident(item, i, doc.locator, problems) for i, item in enumerate(doc.data)]
    ids = [x.id for x in out if x is not None]
    for i, x in enumerate(out):
        if x is not None and ids.count(x.id) > 1:
            problems.append(doc.locator.problem((i, "id"), f"id {x.id!r} appears more than once"))
    if problems:
        raise SpecError(problems)
    return tuple(x for x in out if x is not None)


def link(report: Report, incidents: tuple[Incident, ...]) -> Report:
    """The report with each burn event's overlapping incidents (`SLOReport.event_incidents`,
    parallel to `events`) and the incidents themselves (`Report.incidents`)."""
    slos = tuple(
        replace(
            s,
            event_incidents=tuple(
                tuple(x.id for x in incidents if x.overlaps(e.start, e.end, s.service))
                for e in s.events
            ),
        )
        for s in report.slos
    )
    return replace(report, slos=slos, incidents=incidents)
