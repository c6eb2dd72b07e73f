"""OpenSLO indicators (SLI objects, inline indicators) into native SLIs, with their data sources.

Part of the OpenSLO reader (:mod:`slo_specs.openslo`): an objective's SLI from the SLO's
indicator, exact where the queries are sums of counters, approximate (and said so) otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slo_specs._foreign import Loc, Reader, Where, type_name
from slo_specs.durations import UNITS
from slo_specs.promql_forms import counter_form, per_second

PROMETHEUS_TYPES = ("prometheus", "thanos", "cortex", "mimir", "victoriametrics")
"""DataSource types (case-insensitive) that speak the Prometheus HTTP API and PromQL."""
SLI_KEYS = ("description", "thresholdMetric", "ratioMetric")
_RATIO_KEYS = ("counter", "good", "bad", "total", "rawType", "raw")
_OPS = {"lte": "<=", "gte": ">=", "lt": "<", "gt": ">"}
_SHORTHAND = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")

APPROXIMATE_NOTE = "read from OpenSLO: evaluated as PromQL over each window, approximate"
GAUGE_NOTE = (
    "read from OpenSLO: counter: false, each sample of the queries is taken as a number of "
    "events; approximate"
)
THRESHOLD_NOTE = "read from OpenSLO: each slice is judged by one sample of the threshold query"
Named = dict[str, tuple[Reader, Mapping[str, Any]]]


class Objects:
    """The named OpenSLO objects SLOs refer to (``indicatorRef``, ``metricSourceRef``,
    ``service``, ``alertPolicyRef``, ``conditionRef``), from every file read together."""

    KINDS = ("SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition")

    def __init__(self) -> None:
        self.tables: dict[str, Named] = {kind: {} for kind in self.KINDS}

    def add(self, kind: str, name: str, reader: Reader, node: Mapping[str, Any]) -> None:
        """Register an object; a second one of the same kind and name is a problem."""
        table = self.tables[kind]
        if name in table:
            other = table[name][0]
            where = "this file" if other.path == reader.path else other.path
            reader.problem(
                ("metadata", "name"), f"duplicate {kind} name {name!r} (also in {where})"
            )
            return
        table[name] = (reader, node)

    def find(
        self, kind: str, name: str, asker: Reader, loc: Loc
    ) -> tuple[Reader, Mapping[str, Any]] | None:
        """The object, read with a reader that reports to ``asker``'s problems; else a problem
        at ``loc`` naming what is missing and what exists."""
        table = self.tables[kind]
        if name not in table:
            known = ", ".join(sorted(table)) or "none"
            asker.problem(
                loc, f"no {kind} named {name!r} in the spec files read ({kind} names: {known})"
            )
            return None
        reader, node = table[name]
        bound = Reader(reader.path, reader.locator, reader.prefix)
        bound.problems, bound.warnings = asker.problems, asker.warnings
        return bound, node


class _Indicator:
    """An SLI's spec and where it is written (inline in the SLO, or another document)."""

    def __init__(self, reader: Reader, loc: Loc, spec: Mapping[str, Any], objects: Objects):
        self.reader = reader
        self.loc = loc
        self.spec = spec
        self.objects = objects


def indicator(reader: Reader, spec: Mapping[str, Any], objects: Objects) -> _Indicator | None:
    """The SLO's indicator: inline ``indicator`` or ``indicatorRef`` to an SLI of any file."""
    if ("indicator" in spec) == ("indicatorRef" in spec):
        reader.problem(("spec",), "give exactly one of 'indicator' or 'indicatorRef'")
        return None
    if "indicatorRef" in spec:
        ref = reader.string(spec, "indicatorRef", ("spec",))
        found = None if ref is None else objects.find("SLI", ref, reader, ("spec", "indicatorRef"))
        if found is None:
            return None
        sli_reader, sli = found
        body = sli["spec"]
        sli_reader.keys(body, ("spec",), SLI_KEYS)
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
    reader.keys(body, (*loc, "spec"), SLI_KEYS)
    return _Indicator(reader, (*loc, "spec"), body, objects)


def objective_sli(
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
    return _ratio(ind, where, native)


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
    query = _query(ind.reader, ind.spec.get("thresholdMetric"), metric_loc, ind.objects)
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


def _ratio(
    ind: _Indicator, where: Where, native: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """A ratioMetric SLI: exact counts when both queries are sums of counters (``x``,
    ``sum(x)``, ``sum by (l) (rate(x[5m]))``, ``a + b``: counter: true, or rates and increases
    with counter: false, since a rate of a counter is the counter's count per second), else raw
    PromQL templates (approximate). A ``by`` grouping becomes ``group_by``."""
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
    if ("good" in metric) == ("bad" in metric) or "total" not in metric:
        r.problem(loc, "give 'total' with exactly one of 'good' or 'bad' (or 'raw' with 'rawType')")
        return placeholder, []
    numerator = "good" if "good" in metric else "bad"
    queries = {
        part: _query(r, metric[part], (*loc, part), ind.objects) for part in (numerator, "total")
    }
    if any(q is None for q in queries.values()):
        return placeholder, []
    srcs = {part: (r, (*loc, part, "metricSource", "spec")) for part in queries}
    forms = {part: counter_form(q or "") for part, q in queries.items()}
    exact = all(
        f is not None and (f.kind != "value" or counter is not False) for f in forms.values()
    )
    if exact:
        groupings = {part: tuple(f.by or ()) for part, f in forms.items() if f is not None}
        if len(set(groupings.values())) > 1:
            shown = " but ".join(f"{p} by ({', '.join(g)})" for p, g in groupings.items())
            r.problem(loc, f"good/bad and total must be grouped alike, got {shown}")
            return placeholder, []
        for part in queries:
            where[("sli", "ratio", part)] = srcs[part]
        by = groupings["total"]
        if by:
            native["group_by"] = list(by)
            where[("group_by",)] = srcs["total"]
        return {"ratio": {p: f.expression for p, f in forms.items() if f is not None}}, []
    for part in queries:
        where[("sli", "raw", part)] = srcs[part]
    if counter is False:  # gauge values: each sample is a number of events
        templates = {p: f"sum(sum_over_time(({q})[{{{{window}}}}:]))" for p, q in queries.items()}
        return {"raw": templates}, [GAUGE_NOTE]
    if all(per_second(q or "") for q in queries.values()):  # rates: averaged, then × seconds
        templates = {p: f"avg_over_time(({q})[{{{{window}}}}:])" for p, q in queries.items()}
        return {"raw": {**templates, "unit": "per_second"}}, [APPROXIMATE_NOTE]
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
    query = _query(r, metric["raw"], (*loc, "raw"), ind.objects)
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
    objects: Objects,
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
        found = None
        if ref in objects.tables["DataSource"] or kind is None:
            found = objects.find("DataSource", ref, r, (*src_loc, "metricSourceRef"))
            if found is None:
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
    if query is None or not r.promql((*spec_loc, key), query):
        return None
    return query.strip()


_SUPPORTED = (
    "slo reads Prometheus-compatible sources only "
    "(Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics)"
)


def shorthand_seconds(reader: Reader, node: Mapping[str, Any], key: str, loc: Loc) -> float | None:
    """A required OpenSLO duration shorthand of fixed length (``5m``, ``1h``, ``2d``, ``1w``)."""
    value = reader.string(node, key, loc)
    if value is None:
        return None
    match = _SHORTHAND.match(value.strip())
    if match is None or match.group(2) not in UNITS:
        reader.problem((*loc, key), f"expected a duration like 5m, 1h or 1d, got {value!r}")
        return None
    return float(int(match.group(1)) * UNITS[match.group(2)])
