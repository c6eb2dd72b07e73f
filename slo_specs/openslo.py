"""Read OpenSLO v1 documents (https://openslo.com, ``apiVersion: openslo/v1``) into the spec model.

All OpenSLO documents of one file are read together: an SLO may use an SLI (``indicatorRef``) and
a DataSource (``metricSourceRef``) defined in the same file. Mapping (OpenSLO → slo):

* ``SLO`` → one SLO per objective: ``metadata.name`` is the name (suffixed with the objective's
  ``displayName``, or its index, when there are several objectives), ``spec.service`` the
  service, ``spec.description`` the description, ``metadata.labels`` the labels.
  ``target`` (ratio) or ``targetPercent`` is the objective.
* ``timeWindow``: ``{duration: 28d, isRolling: true}`` → a rolling window;
  ``{duration: 1w|1M|1Q, calendar: {timeZone}}`` → a calendar week, month or quarter in that
  zone. Periods start at calendar boundaries (midnight on Monday, on the 1st); a ``startTime``
  that is not one is said in the description. No timeWindow: 30d.
* ``budgetingMethod``: Occurrences → occurrences; Timeslices → timeslices (``timeSliceWindow``
  the slice, ``timeSliceTarget`` the ratio a slice needs); RatioTimeslices → ratio_timeslices.
* ``ratioMetric`` good/bad/total, each a ``metricSource.spec.query`` (or ``promql``): a counter
  selector (or ``sum(selector)``) → a ratio SLI, counted exactly; any other query → a raw SLI
  (``sum(increase((query)[{{window}}:]))``, approximate, said in the description); ``raw`` with
  ``rawType`` → a raw error-ratio SLI (approximate).
* ``thresholdMetric`` with ``op``/``value`` (Timeslices) → a timeslices SLI whose slice is good
  when the query's value meets the condition.
* ``Service`` → the service's labels. ``DataSource`` → checked to be Prometheus-compatible.
  AlertPolicy, AlertCondition and AlertNotificationTarget configure the user's own alerting and
  are not read: slo evaluates the SRE Workbook burn-rate alerts.

Anything that cannot be mapped faithfully (other data sources, gauge ratios, thresholds with
occurrence budgeting, ...) is a located problem, never silently dropped.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slo_specs._foreign import Loc, Locator, Reader, Where, build_service, type_name
from slo_specs.durations import UNITS
from slo_specs.messages import did_you_mean
from slo_specs.model import ServiceSpec
from slo_specs.promql_forms import summed_selector

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
PROMETHEUS_TYPES = ("prometheus", "thanos", "cortex", "mimir", "victoriametrics")
"""DataSource types (case-insensitive) that speak the Prometheus HTTP API and PromQL."""
DEFAULT_WINDOW = "30d"

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
_SLI_KEYS = ("description", "thresholdMetric", "ratioMetric")
_RATIO_KEYS = ("counter", "good", "bad", "total", "rawType", "raw")
_OBJECTIVE_KEYS = (
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
)
_WINDOW_KEYS = ("duration", "isRolling", "calendar")
_BUDGETING = {
    "Occurrences": "occurrences",
    "Timeslices": "timeslices",
    "RatioTimeslices": "ratio_timeslices",
}
_OPS = {"lte": "<=", "gte": ">=", "lt": "<", "gt": ">"}
_CALENDARS = {"1w": "week", "1M": "month", "1Q": "quarter"}
_SHORTHAND = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")

APPROXIMATE_NOTE = "read from OpenSLO: evaluated as PromQL over each window, approximate"
THRESHOLD_NOTE = "read from OpenSLO: each slice is judged by one sample of the threshold query"


class _Objects:
    """The named objects of one file that SLOs may refer to."""

    def __init__(self) -> None:
        self.slis: dict[str, tuple[Reader, Mapping[str, Any]]] = {}
        self.datasources: dict[str, tuple[Reader, Mapping[str, Any]]] = {}
        self.services: dict[str, tuple[Reader, Mapping[str, Any]]] = {}


def convert(documents: list[Any], path: str, locator: Locator) -> list[ServiceSpec]:
    """Every OpenSLO document of one file, as one ServiceSpec per service named by its SLOs.

    ``documents`` are the file's YAML documents (plain data) in order; ``locator`` places a loc
    whose first element is the document's index (``slo_specs.yamlio.DocumentsLocator``).
    Raises SpecError with every problem.
    """
    base = Reader(path, locator)
    objects = _Objects()
    slos: list[tuple[Reader, Mapping[str, Any], Mapping[str, Any]]] = []
    for index, document in enumerate(documents):
        reader = base.at((index,))
        read = _document(reader, document)
        if read is None:
            continue
        kind, name, metadata, spec = read
        if kind == "SLO":
            slos.append((reader, metadata, spec))
        elif kind in ("SLI", "DataSource", "Service") and name is not None:
            table = {"SLI": objects.slis, "DataSource": objects.datasources}.get(
                kind, objects.services
            )
            if name in table:
                reader.problem(("metadata", "name"), f"duplicate {kind} name {name!r}")
            table[name] = (reader, {"metadata": metadata, "spec": spec})
    if not slos and not base.problems:
        base.at((0,)).problem((), "no OpenSLO SLO in this file (kind: SLO)")

    services: dict[str, list[tuple[dict[str, Any], Where, Reader]]] = {}
    for reader, metadata, spec in slos:
        service = reader.string(spec, "service", ("spec",))
        for native, where in _slo(reader, metadata, spec, objects):
            if service is not None:
                services.setdefault(service, []).append((native, where, reader))

    specs: list[ServiceSpec] = []
    for service, items in services.items():
        first_reader = items[0][2]
        routes: Where = {("service",): (first_reader, ("spec", "service"))}
        labels: dict[str, str] = {}
        if service in objects.services:
            svc_reader, svc = objects.services[service]
            labels = svc_reader.labels(svc["metadata"], "labels", ("metadata",))
            routes[("labels",)] = (svc_reader, ("metadata", "labels"))
        # duplicates are reported here in OpenSLO terms, and left out of the model's check
        items = _without_duplicates(items)
        for position, (_native, item_where, _reader) in enumerate(items):
            for loc, src in item_where.items():
                key: Loc = ("slos", position, *loc)
                routes[key] = src
        data = {
            "version": "slo/v1",
            "service": service,
            "labels": labels,
            "slos": [native for native, _, _ in items],
        }
        spec_ = build_service(data, routes, (first_reader, ("spec", "service")), "openslo")
        if spec_ is not None:
            specs.append(spec_)
    base.raise_if_any()
    return specs


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
        hint = (
            " (only OpenSLO v1 is read; v1alpha and v2alpha are not)"
            if isinstance(version, str) and version.startswith("openslo/")
            else ""
        )
        reader.problem(where, f"expected apiVersion {API_VERSION!r}, got {version!r}{hint}")
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
    if kind in ("AlertPolicy", "AlertCondition", "AlertNotificationTarget"):
        return kind, name, metadata or {}, {}  # alerting objects: not read (see module doc)
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
    reader: Reader, metadata: Mapping[str, Any], spec: Mapping[str, Any], objects: _Objects
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
    indicator = _indicator(reader, spec, objects)
    objectives = spec.get("objectives")
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
        sli, notes = _objective_sli(reader, indicator, objective, loc, budgeting, native, where)
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
    """(native window, its source loc, notes): the default when absent, a placeholder after
    problems."""
    loc: Loc = ("spec", "timeWindow")
    if "timeWindow" not in spec:
        return DEFAULT_WINDOW, ("spec",), []
    windows = spec["timeWindow"]
    if not isinstance(windows, list) or len(windows) != 1:
        shown = f"{len(windows)} items" if isinstance(windows, list) else type_name(windows)
        reader.problem(loc, f"expected a list of exactly one window, got {shown}")
        return DEFAULT_WINDOW, loc, []
    item_loc: Loc = (*loc, 0)
    window = reader.mapping(windows[0], item_loc)
    if window is None:
        return DEFAULT_WINDOW, item_loc, []
    reader.keys(window, item_loc, _WINDOW_KEYS)
    duration = reader.string(window, "duration", item_loc)
    calendar = window.get("calendar")
    rolling = window.get("isRolling", calendar is None)
    if not isinstance(rolling, bool):
        reader.problem(
            (*item_loc, "isRolling"), f"expected true or false, got {type_name(rolling)}"
        )
        return DEFAULT_WINDOW, item_loc, []
    if duration is None:
        return DEFAULT_WINDOW, item_loc, []
    dur_loc: Loc = (*item_loc, "duration")
    match = _SHORTHAND.match(duration.strip())
    if match is None:
        reader.problem(dur_loc, f"not an OpenSLO duration: {duration!r} (write e.g. 28d, 4w or 1M)")
        return DEFAULT_WINDOW, dur_loc, []
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
            return DEFAULT_WINDOW, dur_loc, []
        return f"{amount}{unit}", dur_loc, []
    period = _CALENDARS.get(duration.strip())
    if period is None:
        reader.problem(
            dur_loc,
            f"calendar windows of {duration} are not supported; use 1w, 1M or 1Q "
            "(week, month, quarter)",
        )
        return DEFAULT_WINDOW, dur_loc, []
    zone = "UTC"
    notes: list[str] = []
    cal_loc: Loc = (*item_loc, "calendar")
    if calendar is not None:
        cal = reader.mapping(calendar, cal_loc)
        if cal is not None:
            reader.keys(cal, cal_loc, ("startTime", "timeZone"))
            zone = reader.string(cal, "timeZone", cal_loc, required=False) or "UTC"
            if cal.get("startTime") is not None:
                notes += _start_note(reader, cal["startTime"], (*cal_loc, "startTime"), period)
    src = (*cal_loc, "timeZone") if calendar is not None else dur_loc
    return {"calendar": period, "timezone": zone}, src, notes


_PERIOD_STARTS = {
    "week": "midnight on Mondays",
    "month": "midnight on the 1st of each month",
    "quarter": "midnight on the 1st of January, April, July and October",
}


def _start_note(reader: Reader, value: object, loc: Loc, period: str) -> list[str]:
    """A note when ``startTime`` is not a boundary of our calendar periods (they cannot move).

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
    if start is None:
        reader.problem(loc, f"expected a date and time like 2026-01-01 00:00:00, got {value!r}")
        return []
    aligned = start.time() == datetime.time() and (
        start.weekday() == 0
        if period == "week"
        else start.day == 1 and (period == "month" or start.month in (1, 4, 7, 10))
    )
    if aligned:
        return []
    return [
        f"read from OpenSLO: each {period} starts at {_PERIOD_STARTS[period]}, "
        f"not at startTime {start:%Y-%m-%d %H:%M:%S}"
    ]


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


class _Indicator:
    """An SLI's spec and where it is written (inline in the SLO, or another document)."""

    def __init__(
        self, reader: Reader, loc: Loc, spec: Mapping[str, Any], objects: _Objects
    ) -> None:
        self.reader = reader
        self.loc = loc
        self.spec = spec
        self.datasources = objects.datasources


def _indicator(reader: Reader, spec: Mapping[str, Any], objects: _Objects) -> _Indicator | None:
    """The SLO's indicator: inline ``indicator`` or ``indicatorRef`` to an SLI of this file."""
    if ("indicator" in spec) == ("indicatorRef" in spec):
        reader.problem(("spec",), "give exactly one of 'indicator' or 'indicatorRef'")
        return None
    if "indicatorRef" in spec:
        ref = reader.string(spec, "indicatorRef", ("spec",))
        if ref is None:
            return None
        if ref not in objects.slis:
            known = ", ".join(sorted(objects.slis))
            here = f"SLIs here: {known}" if known else "this file defines no SLI"
            reader.problem(
                ("spec", "indicatorRef"),
                f"no SLI named {ref!r} in this file ({here}; references to other files "
                "are not followed)",
            )
            return None
        sli_reader, sli = objects.slis[ref]
        body = sli["spec"]
        sli_reader.keys(body, ("spec",), _SLI_KEYS)
        return _Indicator(sli_reader, ("spec",), body, objects)
    loc: Loc = ("spec", "indicator")
    node = reader.mapping(spec["indicator"], loc)
    if node is None:
        return None
    reader.keys(node, loc, ("metadata", "spec"))
    body = reader.mapping(node.get("spec"), (*loc, "spec")) if "spec" in node else None
    if "spec" not in node:
        reader.problem(loc, "missing required key 'spec'")
    if body is None:
        return None
    reader.keys(body, (*loc, "spec"), _SLI_KEYS)
    return _Indicator(reader, (*loc, "spec"), body, objects)


def _objective_sli(
    reader: Reader,
    indicator: _Indicator | None,
    objective: Mapping[str, Any],
    loc: Loc,
    budgeting: str | None,
    native: dict[str, Any],
    where: Where,
) -> tuple[dict[str, Any], list[str]]:
    """The native SLI for one objective (and ``native['timeslice']`` when needed), with notes."""
    placeholder: dict[str, Any] = {"raw": {"error_ratio": "{{window}}"}}
    if indicator is None:
        return placeholder, []
    ind = indicator
    has_ratio, has_threshold = "ratioMetric" in ind.spec, "thresholdMetric" in ind.spec
    if has_ratio == has_threshold:
        ind.reader.problem(ind.loc, "give exactly one of 'ratioMetric' or 'thresholdMetric'")
        return placeholder, []
    slice_s = _slice(
        reader, objective, loc, required=budgeting in ("timeslices", "ratio_timeslices")
    )
    if has_threshold:
        return _threshold(reader, ind, objective, loc, budgeting, slice_s, native, where)
    if budgeting == "timeslices":
        target = reader.number(objective, "timeSliceTarget", loc)
        if target is not None and not 0 < target <= 1:
            reader.problem(
                (*loc, "timeSliceTarget"), f"must be above 0 and at most 1, got {target:g}"
            )
            target = None
        native["timeslice"] = {
            "slice": slice_s or 60.0,
            "target": Decimal(100) if target is None else Decimal(str(target)) * 100,
        }
    elif budgeting == "ratio_timeslices":
        native["timeslice"] = {"slice": slice_s or 60.0}
    return _ratio(ind, where)


def _slice(
    reader: Reader, objective: Mapping[str, Any], loc: Loc, *, required: bool
) -> float | None:
    """``timeSliceWindow`` in seconds: a duration shorthand, or a plain number of minutes."""
    if "timeSliceWindow" not in objective:
        if required:
            reader.problem(
                loc, "missing required key 'timeSliceWindow' (the slice length, e.g. 1m)"
            )
        return None
    value = objective["timeSliceWindow"]
    key_loc: Loc = (*loc, "timeSliceWindow")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            reader.problem(key_loc, f"must be positive, got {value:g}")
            return None
        return float(value) * 60.0  # OpenSLO: a bare number means minutes
    match = _SHORTHAND.match(value.strip()) if isinstance(value, str) else None
    if match is None or match.group(2) not in UNITS:
        reader.problem(
            key_loc, f"expected a duration like 1m or 5m, or a number of minutes, got {value!r}"
        )
        return None
    return float(int(match.group(1)) * UNITS[match.group(2)])


def _threshold(
    reader: Reader,
    ind: _Indicator,
    objective: Mapping[str, Any],
    loc: Loc,
    budgeting: str | None,
    slice_s: float | None,
    native: dict[str, Any],
    where: Where,
) -> tuple[dict[str, Any], list[str]]:
    """A thresholdMetric SLI: only with Timeslices, as a timeslices SLI."""
    placeholder: dict[str, Any] = {"raw": {"error_ratio": "{{window}}"}}
    metric_loc = (*ind.loc, "thresholdMetric")
    query = _query(ind.reader, ind.spec.get("thresholdMetric"), metric_loc, ind.datasources)
    op = reader.string(objective, "op", loc)
    if op is not None and op not in _OPS:
        reader.problem((*loc, "op"), f"must be one of lte, gte, lt, gt, got {op!r}")
        op = None
    value = reader.number(objective, "value", loc)
    if budgeting not in ("timeslices", None):
        reader.problem(
            ("spec", "budgetingMethod"),
            "a thresholdMetric SLI is read only with budgetingMethod Timeslices "
            "(slo judges one sample per time slice)",
        )
        return placeholder, []
    target = objective.get("timeSliceTarget")
    if target is not None and target != 1:
        reader.problem(
            (*loc, "timeSliceTarget"),
            "with a thresholdMetric slo judges one sample per slice, so only timeSliceTarget: 1 "
            f"can be honoured, got {target!r}",
        )
    if query is None or op is None or value is None:
        return placeholder, []
    native["budgeting"] = "timeslices"
    where[("sli", "timeslices", "query")] = (ind.reader, (*metric_loc, "metricSource", "spec"))
    where[("sli", "timeslices", "good_when")] = (reader, (*loc, "op"))
    where[("sli", "timeslices", "slice")] = (reader, (*loc, "timeSliceWindow"))
    body: dict[str, Any] = {"query": query, "good_when": {"op": _OPS[op], "value": value}}
    if slice_s is not None:
        body["slice"] = slice_s
    return {"timeslices": body}, [THRESHOLD_NOTE]


def _ratio(ind: _Indicator, where: Where) -> tuple[dict[str, Any], list[str]]:
    """A ratioMetric SLI: exact ratio of counters when it can be, else raw PromQL templates."""
    placeholder: dict[str, Any] = {"raw": {"error_ratio": "{{window}}"}}
    r = ind.reader
    loc = (*ind.loc, "ratioMetric")
    metric = r.mapping(ind.spec["ratioMetric"], loc)
    if metric is None:
        return placeholder, []
    r.keys(metric, loc, _RATIO_KEYS)
    counter = metric.get("counter")
    if counter is not None and not isinstance(counter, bool):
        r.problem((*loc, "counter"), f"expected true or false, got {type_name(counter)}")
        return placeholder, []
    if "raw" in metric:
        return _raw_ratio(ind, metric, loc, where)
    if counter is False:
        r.problem(
            (*loc, "counter"),
            "counter: false (gauge good/total values) is not supported; slo counts events "
            "from counters (counter: true)",
        )
        return placeholder, []
    if ("good" in metric) == ("bad" in metric) or "total" not in metric:
        r.problem(loc, "give 'total' with exactly one of 'good' or 'bad' (or 'raw' with 'rawType')")
        return placeholder, []
    numerator = "good" if "good" in metric else "bad"
    queries = {
        part: _query(r, metric[part], (*loc, part), ind.datasources)
        for part in (numerator, "total")
    }
    if any(q is None for q in queries.values()):
        return placeholder, []
    selectors = {part: summed_selector(q or "") for part, q in queries.items()}
    if all(s is not None for s in selectors.values()):
        for part in selectors:
            where[("sli", "ratio", part)] = (r, (*loc, part, "metricSource", "spec"))
        return {"ratio": selectors}, []
    for part in queries:
        where[("sli", "raw", part)] = (r, (*loc, part, "metricSource", "spec"))
    templates = {part: f"sum(increase(({q})[{{{{window}}}}:]))" for part, q in queries.items()}
    return {"raw": templates}, [APPROXIMATE_NOTE]


def _raw_ratio(
    ind: _Indicator, metric: Mapping[str, Any], loc: Loc, where: Where
) -> tuple[dict[str, Any], list[str]]:
    """``raw`` + ``rawType``: a stored ratio, averaged over the window (approximate)."""
    placeholder: dict[str, Any] = {"raw": {"error_ratio": "{{window}}"}}
    r = ind.reader
    if any(k in metric for k in ("good", "bad", "total")):
        r.problem(loc, "'raw' cannot be combined with 'good', 'bad' or 'total'")
        return placeholder, []
    raw_type = r.string(metric, "rawType", loc)
    if raw_type is not None and raw_type not in ("success", "failure"):
        r.problem((*loc, "rawType"), f"must be one of success, failure, got {raw_type!r}")
        raw_type = None
    query = _query(r, metric["raw"], (*loc, "raw"), ind.datasources)
    if query is None or raw_type is None:
        return placeholder, []
    average = f"avg_over_time(({query})[{{{{window}}}}:])"
    error_ratio = average if raw_type == "failure" else f"1 - {average}"
    where[("sli", "raw", "error_ratio")] = (r, (*loc, "raw", "metricSource", "spec"))
    return {"raw": {"error_ratio": error_ratio}}, [APPROXIMATE_NOTE]


def _query(
    r: Reader,
    value: object,
    loc: Loc,
    datasources: Mapping[str, tuple[Reader, Mapping[str, Any]]],
) -> str | None:
    """The PromQL of a ``{metricSource: {metricSourceRef?, type?, spec: {query|promql}}}`` node."""
    node = r.mapping(value, loc)
    if node is None:
        return None
    r.keys(node, loc, ("metricSource",))
    src_loc = (*loc, "metricSource")
    source = r.mapping(node.get("metricSource"), src_loc) if "metricSource" in node else None
    if "metricSource" not in node:
        r.problem(loc, "missing required key 'metricSource'")
    if source is None:
        return None
    r.keys(source, src_loc, ("metricSourceRef", "type", "spec"))
    kind = r.string(source, "type", src_loc, required=False)
    ref = r.string(source, "metricSourceRef", src_loc, required=False)
    if ref is not None:
        found = datasources.get(ref)
        if found is None and kind is None:
            r.problem(
                (*src_loc, "metricSourceRef"),
                f"no DataSource named {ref!r} in this file; add it, or give 'type: Prometheus'",
            )
            return None
        if found is not None and kind is None:
            ds_reader, ds = found
            kind = ds_reader.string(ds["spec"], "type", ("spec",))
            if kind is not None and kind.lower() not in PROMETHEUS_TYPES:
                r.problem(
                    (*src_loc, "metricSourceRef"),
                    f"DataSource {ref!r} is of type {kind!r}; {_SUPPORTED}",
                )
                return None
    if kind is not None and kind.lower() not in PROMETHEUS_TYPES:
        r.problem((*src_loc, "type"), f"data source type {kind!r} is not supported; {_SUPPORTED}")
        return None
    spec_loc = (*src_loc, "spec")
    spec = r.mapping(source.get("spec"), spec_loc) if "spec" in source else None
    if "spec" not in source:
        r.problem(src_loc, "missing required key 'spec'")
    if spec is None:
        return None
    key = "promql" if "promql" in spec and "query" not in spec else "query"
    query = r.string(spec, key, spec_loc)
    return None if query is None else query.strip()


_SUPPORTED = (
    "slo reads Prometheus-compatible sources only "
    "(Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics)"
)
