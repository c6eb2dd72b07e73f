"""Read OpenSLO v1 documents (https://openslo.com, ``apiVersion: openslo/v1``) into the spec model.

Objects refer to each other by name (``indicatorRef``, ``metricSourceRef``, ``service``,
``alertPolicyRef``, ``conditionRef``) across every file read together (``slo validate dir/``):
:func:`index` collects a file's named objects into :class:`Objects`, :func:`convert` reads its
SLOs against them. A file may hold any objects, SLOs or not, as YAML documents or as a YAML list
of objects (the OpenSLO Go SDK's form). Mapping (OpenSLO → slo):

* ``SLO`` → one SLO per objective: ``metadata.name`` is the name (suffixed with the objective's
  ``displayName``, or its index, when there are several objectives), ``spec.service`` the
  service, ``spec.description`` the description, ``metadata.labels`` the labels.
  ``target`` (ratio) or ``targetPercent`` is the objective.
* ``timeWindow``: ``{duration: 28d, isRolling: true}`` → a rolling window;
  ``{duration: 1w|1M|1Q, calendar: {startTime, timeZone}}`` → a calendar week, month or quarter
  in that zone, counted from ``startTime`` (local time) when given. No timeWindow is refused:
  OpenSLO makes it optional without a default, and the budget depends on it.
* ``budgetingMethod``: Occurrences → occurrences; Timeslices → timeslices (``timeSliceWindow``
  the slice, ``timeSliceTarget`` the ratio a slice needs); RatioTimeslices → ratio_timeslices.
* ``ratioMetric``: see :mod:`slo_specs.openslo_sli` (sums of counters exactly, groupings as
  ``group_by``, anything else approximate and said so); ``thresholdMetric`` (Timeslices) → a
  timeslices SLI.
* ``alertPolicies`` → the SLO's alert windows (:mod:`slo_specs.openslo_alerts`).
* ``Service`` → the service's labels. ``DataSource`` → checked to be Prometheus-compatible.
  AlertNotificationTarget is not read (notifications).

* Composite SLOs (objectives with their own indicator, ``compositeWeight``): one member SLO per
  objective and a composite of them (:mod:`slo_specs.openslo_composite`).

Anything that cannot be mapped faithfully is a located problem, never silently dropped.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slo_specs._foreign import Loc, Locator, Reader, Where, build_service, type_name
from slo_specs.errors import Problem
from slo_specs.messages import did_you_mean
from slo_specs.model import ServiceSpec
from slo_specs.openslo_alerts import alert_windows
from slo_specs.openslo_composite import composite_slos, is_composite
from slo_specs.openslo_sli import Objects, indicator, objective_sli

API_VERSION = "openslo/v1"
KINDS = (
    "SLO",
    "SLI",
    "DataSource",
    "Service",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
)

_TOP_KEYS = ("apiVersion", "kind", "metadata", "spec")
_METADATA_KEYS = ("name", "displayName", "labels", "annotations")
_SLO_KEYS = (
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "timeWindow",
    "budgetingMethod",
    "objectives",
    "alertPolicies",
)
_OBJECTIVE_KEYS = (
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
    "indicator",
    "indicatorRef",
    "compositeWeight",
)
_WINDOW_KEYS = ("duration", "isRolling", "calendar")
_BUDGETING = {
    "Occurrences": "occurrences",
    "Timeslices": "timeslices",
    "RatioTimeslices": "ratio_timeslices",
}
_CALENDARS = {"1w": "week", "1M": "month", "1Q": "quarter"}
_SHORTHAND = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")
_PLACEHOLDER_WINDOW = "30d"  # stands in for a window already reported, so the rest is checked

_Read = tuple[Reader, str, str | None, Mapping[str, Any], Mapping[str, Any]]


def _read_all(documents: list[Any], path: str, locator: Locator) -> tuple[Reader, list[_Read]]:
    base = Reader(path, locator)
    out = []
    for index, document in enumerate(documents):
        reader = base.at((index,))
        read = _document(reader, document)
        if read is not None:
            out.append((reader, *read))
    return base, out


def _register(objects: Objects, items: list[_Read]) -> None:
    for reader, kind, name, metadata, spec in items:
        if kind in Objects.KINDS and name is not None:
            objects.add(kind, name, reader, {"metadata": metadata, "spec": spec})


def index(documents: list[Any], path: str, locator: Locator, objects: Objects) -> list[Problem]:
    """Add the named objects of one file to ``objects`` (for SLOs of any file); the problems
    are those of duplicate names only (the rest are reported by :func:`convert`)."""
    base, items = _read_all(documents, path, locator)
    base.problems.clear()
    _register(objects, items)
    return base.problems


def convert(
    documents: list[Any],
    path: str,
    locator: Locator,
    *,
    objects: Objects | None = None,
    warnings: list[Problem] | None = None,
) -> list[ServiceSpec]:
    """Every OpenSLO SLO of one file, as one ServiceSpec per service named by its SLOs.

    ``documents`` are the file's YAML documents (plain data) in order; ``locator`` places a loc
    whose first element is the document's index (``slo_specs.yamlio.DocumentsLocator``).
    ``objects``: the named objects of every file read together (see :func:`index`); None: this
    file's own. ``warnings`` receives what is read but not used. Raises SpecError with every
    problem; a file without SLOs gives no ServiceSpec.
    """
    base, items = _read_all(documents, path, locator)
    if objects is None:
        objects = Objects()
        _register(objects, items)
    services: dict[str, list[tuple[dict[str, Any], Where, Reader]]] = {}
    for reader, kind, _name, metadata, spec in items:
        if kind != "SLO":
            continue
        service = reader.string(spec, "service", ("spec",))
        for native, where in _slo(reader, metadata, spec, objects):
            if service is not None:
                services.setdefault(service, []).append((native, where, reader))
    specs = [_service(name, entries, objects) for name, entries in services.items()]
    if warnings is not None:
        warnings.extend(base.warnings)
    base.raise_if_any()
    return [s for s in specs if s is not None]


def _service(
    service: str, items: list[tuple[dict[str, Any], Where, Reader]], objects: Objects
) -> ServiceSpec | None:
    first_reader = items[0][2]
    routes: Where = {("service",): (first_reader, ("spec", "service"))}
    labels: dict[str, str] = {}
    if service in objects.tables["Service"]:
        found = objects.find("Service", service, first_reader, ("spec", "service"))
        assert found is not None
        svc_reader, svc = found
        labels = svc_reader.labels(svc["metadata"], "labels", ("metadata",))
        routes[("labels",)] = (svc_reader, ("metadata", "labels"))
    # duplicates are reported here in OpenSLO terms, and left out of the model's check
    items = _without_duplicates(items)
    data: dict[str, Any] = {"version": "slo/v1", "service": service, "labels": labels}
    for part in ("slos", "composites"):  # a composite's native dict has members
        mine = [x for x in items if ("members" in x[0]) == (part == "composites")]
        for position, (_native, item_where, _reader) in enumerate(mine):
            for loc, src in item_where.items():
                key: Loc = (part, position, *loc)
                routes[key] = src
        if mine or part == "slos":
            data[part] = [native for native, _, _ in mine]
    result: ServiceSpec | None = build_service(
        data, routes, (first_reader, ("spec", "service")), "openslo"
    )
    return result


def _without_duplicates(
    items: list[tuple[dict[str, Any], Where, Reader]],
) -> list[tuple[dict[str, Any], Where, Reader]]:
    """Report SLOs of one service that end up with the same name; the first of each is kept."""
    kept: dict[str, tuple[dict[str, Any], Where, Reader]] = {}
    for native, where, reader in items:
        name = native["name"]
        if name in kept:
            _, src = where[("name",)]
            reader.problem(src, f"duplicate SLO name {name!r} in service (another SLO has it)")
        else:
            kept[name] = (native, where, reader)
    return list(kept.values())


def version_problem(version: object) -> str:
    """Why an ``apiVersion`` is not read, the same words for every OpenSLO version."""
    return f"unsupported OpenSLO version {version!r} (supported: {API_VERSION})"


def _document(
    reader: Reader, document: object
) -> tuple[str, str | None, Mapping[str, Any], Mapping[str, Any]] | None:
    """(kind, name, metadata, spec) of one document after checking its envelope, or None."""
    doc = reader.mapping(document, ())
    if doc is None:
        return None
    reader.keys(doc, (), _TOP_KEYS)
    version = doc.get("apiVersion")
    if version != API_VERSION:
        where: Loc = ("apiVersion",) if "apiVersion" in doc else ()
        if isinstance(version, str) and version.lower().startswith("openslo"):
            reader.problem(where, version_problem(version))
        else:
            reader.problem(where, f"expected apiVersion {API_VERSION!r}, got {version!r}")
        return None
    kind = reader.string(doc, "kind", ())
    if kind is None:
        return None
    if kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        reader.problem(
            ("kind",), f"unknown OpenSLO kind {kind!r}{hint}; expected one of {', '.join(KINDS)}"
        )
        return None
    metadata = reader.mapping(doc.get("metadata"), ("metadata",)) if "metadata" in doc else None
    if "metadata" not in doc:
        reader.problem((), "missing required key 'metadata'")
    name = None
    if metadata is not None:
        reader.keys(metadata, ("metadata",), _METADATA_KEYS)
        name = reader.string(metadata, "name", ("metadata",))
    if kind == "AlertNotificationTarget":
        return kind, name, metadata or {}, {}  # notifications: not read (see module doc)
    spec = reader.mapping(doc.get("spec"), ("spec",)) if "spec" in doc else None
    if "spec" not in doc:
        reader.problem((), "missing required key 'spec'")
    if spec is None or metadata is None:
        return None
    return kind, name, metadata, spec


def _slug(text: str) -> str:
    """A name suffix from an objective's display name: ``"SLA (customer)"`` → ``sla-customer``.

    >>> _slug("SLA (customer)")
    'sla-customer'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _slo(
    reader: Reader, metadata: Mapping[str, Any], spec: Mapping[str, Any], objects: Objects
) -> list[tuple[dict[str, Any], Where]]:
    """One native SLO dict (objective in percent) per objective, with where its fields came from."""
    reader.keys(spec, ("spec",), _SLO_KEYS)
    name = reader.string(metadata, "name", ("metadata",), required=False) or "unnamed"
    description = spec.get("description", "")
    if not isinstance(description, str):
        reader.problem(("spec", "description"), f"expected a string, got {type_name(description)}")
        description = ""
    labels = reader.labels(metadata, "labels", ("metadata",))
    window, window_src, window_notes = _window(reader, spec)
    budgeting = _budgeting(reader, spec)
    objectives = spec.get("objectives")
    if is_composite(objectives):  # objectives with their own indicators
        common = {"name": name, "description": description, "labels": labels, "window": window}
        return composite_slos(reader, spec, objects, {**common, "budgeting": budgeting}, window_src)
    ind = indicator(reader, spec, objects)
    alerts = alert_windows(reader, spec, objects)
    if not isinstance(objectives, list) or not objectives:
        if "objectives" not in spec:
            reader.problem(("spec",), "missing required key 'objectives'")
        else:
            shown = "an empty list" if objectives == [] else type_name(objectives)
            reader.problem(("spec", "objectives"), f"expected a non-empty list, got {shown}")
        return []
    out: list[tuple[dict[str, Any], Where]] = []
    for index, item in enumerate(objectives):
        loc: Loc = ("spec", "objectives", index)
        objective = reader.mapping(item, loc)
        if objective is None:
            continue
        reader.keys(objective, loc, _OBJECTIVE_KEYS)
        suffix = ""
        if len(objectives) > 1:
            display = objective.get("displayName")
            suffix = "-" + (
                _slug(display) if isinstance(display, str) and _slug(display) else str(index)
            )
        target = _target(reader, objective, loc)
        where: Where = {
            (): (reader, loc),
            ("name",): (reader, ("metadata", "name")),
            ("description",): (reader, ("spec", "description")),
            ("labels",): (reader, ("metadata", "labels")),
            ("objective",): (
                reader,
                (*loc, "targetPercent" if "targetPercent" in objective else "target"),
            ),
            ("window",): (reader, window_src),
            ("budgeting",): (reader, ("spec", "budgetingMethod")),
            ("timeslice",): (reader, loc),
            ("timeslice", "slice"): (reader, (*loc, "timeSliceWindow")),
            ("timeslice", "target"): (reader, (*loc, "timeSliceTarget")),
        }
        native: dict[str, Any] = {
            "name": name + suffix,
            "description": description,
            "objective": Decimal(50) if target is None else target,
            "window": window,
            "budgeting": budgeting or "occurrences",
            "labels": labels,
        }
        if alerts is not None:
            native["alerting"] = {"windows": alerts}
            where[("alerting",)] = (reader, ("spec", "alertPolicies"))
        sli, notes = objective_sli(reader, ind, objective, loc, budgeting, native, where)
        native["sli"] = sli
        for note in [*window_notes, *notes]:
            native["description"] = (
                f"{native['description']} ({note})" if native["description"] else note
            )
        out.append((native, where))
    return out


def _target(reader: Reader, objective: Mapping[str, Any], loc: Loc) -> Decimal | None:
    """The objective in percent (as native specs write it), from ``target`` or ``targetPercent``."""
    if "target" in objective and "targetPercent" in objective:
        reader.problem(loc, "give either 'target' or 'targetPercent', not both")
        return None
    if "targetPercent" in objective:
        percent = reader.number(objective, "targetPercent", loc)
        return None if percent is None else Decimal(str(percent))
    ratio = reader.number(objective, "target", loc, required=False)
    if ratio is None:
        if "target" not in objective:
            reader.problem(loc, "missing required key 'target' (or 'targetPercent')")
        return None
    if not 0 < ratio < 1:
        reader.problem((*loc, "target"), f"must be between 0 and 1 (exclusive), got {ratio:g}")
        return None
    return Decimal(str(ratio)) * 100


def _window(reader: Reader, spec: Mapping[str, Any]) -> tuple[Any, Loc, list[str]]:
    """(native window, its source loc, notes); a placeholder after problems."""
    loc: Loc = ("spec", "timeWindow")
    if "timeWindow" not in spec:
        # OpenSLO v1: timeWindow is optional, and neither the spec nor the Go SDK gives it a
        # default; the budget and every burn-rate threshold depend on it, so it is not guessed
        reader.problem(
            ("spec",),
            "no timeWindow: OpenSLO defines no default window, and the error budget depends "
            "on it; add e.g. timeWindow: [{duration: 30d, isRolling: true}]",
        )
        return _PLACEHOLDER_WINDOW, ("spec",), []
    windows = spec["timeWindow"]
    if not isinstance(windows, list) or len(windows) != 1:
        shown = f"{len(windows)} items" if isinstance(windows, list) else type_name(windows)
        reader.problem(loc, f"expected a list of exactly one window, got {shown}")
        return _PLACEHOLDER_WINDOW, loc, []
    item_loc: Loc = (*loc, 0)
    window = reader.mapping(windows[0], item_loc)
    if window is None:
        return _PLACEHOLDER_WINDOW, item_loc, []
    reader.keys(window, item_loc, _WINDOW_KEYS)
    duration = reader.string(window, "duration", item_loc)
    calendar = window.get("calendar")
    rolling = window.get("isRolling", calendar is None)
    if not isinstance(rolling, bool):
        reader.problem(
            (*item_loc, "isRolling"), f"expected true or false, got {type_name(rolling)}"
        )
        return _PLACEHOLDER_WINDOW, item_loc, []
    if duration is None:
        return _PLACEHOLDER_WINDOW, item_loc, []
    dur_loc: Loc = (*item_loc, "duration")
    match = _SHORTHAND.match(duration.strip())
    if match is None:
        reader.problem(dur_loc, f"not an OpenSLO duration: {duration!r} (write e.g. 28d, 4w or 1M)")
        return _PLACEHOLDER_WINDOW, dur_loc, []
    amount, unit = int(match.group(1)), match.group(2)
    if rolling:
        if calendar is not None:
            reader.problem(
                (*item_loc, "calendar"), "a rolling window (isRolling: true) has no calendar"
            )
        if unit in "MQY":
            reader.problem(
                dur_loc,
                f"a rolling window of {duration} has no fixed length; write it in days, like 30d",
            )
            return _PLACEHOLDER_WINDOW, dur_loc, []
        return f"{amount}{unit}", dur_loc, []
    period = _CALENDARS.get(duration.strip())
    if period is None:
        reader.problem(
            dur_loc,
            f"calendar windows of {duration} are not supported; use 1w, 1M or 1Q "
            "(week, month, quarter)",
        )
        return _PLACEHOLDER_WINDOW, dur_loc, []
    zone = "UTC"
    window_: dict[str, Any] = {"calendar": period, "timezone": zone}
    cal_loc: Loc = (*item_loc, "calendar")
    if calendar is not None:
        cal = reader.mapping(calendar, cal_loc)
        if cal is not None:
            reader.keys(cal, cal_loc, ("startTime", "timeZone"))
            window_["timezone"] = reader.string(cal, "timeZone", cal_loc, required=False) or zone
            if cal.get("startTime") is not None:
                start = _start(reader, cal["startTime"], (*cal_loc, "startTime"))
                window_["start"] = None if _natural(start, period) else start
    src = (*cal_loc, "timeZone") if calendar is not None else dur_loc
    return window_, src, []


def _natural(start: str | None, period: str) -> bool:
    """Whether periods counted from ``start`` are the calendar's own (midnight on a Monday, on
    the 1st of a month, of a quarter's first month): then nothing needs anchoring."""
    if start is None:
        return True
    when = datetime.datetime.fromisoformat(start)
    if when.time() != datetime.time():
        return False
    if period == "week":
        return when.weekday() == 0
    return when.day == 1 and (period == "month" or when.month in (1, 4, 7, 10))


def _start(reader: Reader, value: object, loc: Loc) -> str | None:
    """``startTime`` as local wall time ``YYYY-MM-DD HH:MM:SS`` (OpenSLO's format, Go's
    time.DateTime); periods are counted from it in the window's time zone.

    YAML reads an unquoted ``2026-01-01 00:00:00`` as a timestamp, a quoted one as a string.
    """
    start: datetime.datetime | None = None
    if isinstance(value, datetime.datetime):
        start = value
    elif isinstance(value, datetime.date):
        start = datetime.datetime.combine(value, datetime.time())
    elif isinstance(value, str):
        try:
            start = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            start = None
    if start is None or start.tzinfo is not None:
        reader.problem(
            loc, f"expected a date and time like 2026-01-01 00:00:00 (no zone), got {value!r}"
        )
        return None
    return f"{start:%Y-%m-%d %H:%M:%S}"


def _budgeting(reader: Reader, spec: Mapping[str, Any]) -> str | None:
    """The native budgeting method (required in OpenSLO)."""
    method = reader.string(spec, "budgetingMethod", ("spec",))
    if method is None:
        return None
    if method not in _BUDGETING:
        reader.problem(
            ("spec", "budgetingMethod"),
            f"must be one of Occurrences, Timeslices, RatioTimeslices, got {method!r}"
            + did_you_mean(method, list(_BUDGETING)),
        )
        return None
    return _BUDGETING[method]
