"""Read Sloth ``prometheus/v1`` specs (https://sloth.dev) into the spec model.

Also reads Sloth's Kubernetes resource (``apiVersion: sloth.slok.dev/v1``,
``kind: PrometheusServiceLevel``): the same spec under ``spec``, with camelCase keys
(``errorQuery``, ``totalQuery``, ``errorRatioQuery``, ``pageAlert``, ``ticketAlert``).

Mapping (Sloth → slo):

* ``service``, ``labels`` → the service; ``slos[].name``, ``description``, ``labels``,
  ``objective`` (percent) → the SLO. Sloth SLOs have no window setting: Sloth computes them over
  30 days, so they become 30d rolling windows with occurrences budgeting.
* ``sli.events`` (``error_query`` / ``total_query`` with ``{{.window}}``): when both are sums of
  counter rates (``sum(rate(a{code=~"(5..|429)"}[{{.window}}])) + sum(rate(b[...]))``, any
  nesting of ``sum``, ``rate``/``irate``/``increase``, ``+``/``-``; see
  :func:`slo_specs.promql_forms.counter_form`) → a ratio SLI of those counters, counted exactly,
  and a ``by (labels)`` grouping → ``group_by`` (one SLO per group, as Sloth keeps the labels in
  every rule). Any other query → a raw SLI of the queries as written (``{{.window}}`` → our
  ``{{window}}``), per second when they are rates: approximate, said in the description.
* ``sli.raw.error_ratio_query`` → a raw SLI ``error_ratio``.
* ``sli.plugin`` → a located "not supported" problem (plugins are Go code inside Sloth).
* ``alerting``: ``page_alert``/``ticket_alert`` ``disable: true`` turns that severity's alerts
  off (and so the gate's ``fail_on: page`` cannot fire on it); names, labels and annotations
  configure Sloth's generated rules and are read but not used (a warning).
* ``slo_plugins`` / ``plugins`` (``sloPlugins`` in the resource): steps of Sloth's rule
  generation, read but not used (a warning). Keys Sloth's decoder does not know are ignored by
  it, and so here, with a warning. ``objective`` may be 100 (Sloth: 0 < objective <= 100).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slo_specs._foreign import Loc, Locator, Reader, Where, build_service, type_name
from slo_specs.errors import Problem
from slo_specs.model import ServiceSpec
from slo_specs.promql_forms import SLOTH_WINDOW, counter_form, per_second

VERSION = "prometheus/v1"
WINDOW = "30d"  # Sloth's fixed SLO period (its default 30-day window)

K8S_API_VERSION = "sloth.slok.dev/v1"
K8S_KIND = "PrometheusServiceLevel"
_SLI_KINDS = ("events", "raw", "plugin")
_ALERT_KEYS = ("disable", "labels", "annotations")


@dataclass(frozen=True)
class _Spelling:
    """The key names of one Sloth format (the YAML file is snake_case, the Kubernetes resource
    camelCase)."""

    root: tuple[str, ...]
    slo: tuple[str, ...]
    error_query: str
    total_query: str
    error_ratio_query: str
    page_alert: str
    ticket_alert: str


_FILE = _Spelling(
    root=("version", "service", "labels", "slo_plugins", "slos"),
    slo=("name", "description", "objective", "labels", "plugins", "sli", "alerting"),
    error_query="error_query",
    total_query="total_query",
    error_ratio_query="error_ratio_query",
    page_alert="page_alert",
    ticket_alert="ticket_alert",
)
_K8S = _Spelling(
    root=("service", "labels", "sloPlugins", "slos"),
    slo=("name", "description", "objective", "labels", "plugins", "sli", "alerting"),
    error_query="errorQuery",
    total_query="totalQuery",
    error_ratio_query="errorRatioQuery",
    page_alert="pageAlert",
    ticket_alert="ticketAlert",
)

_PLACEHOLDER_SLI = {"raw": {"error_ratio": "{{window}}"}}
RECOGNISED_NOTE = (
    "read from Sloth: both queries are sums of counter rates, so slo counts the counters exactly"
)
RAW_NOTE = "read from Sloth: the queries are evaluated as written over each window, approximate"
GROUPED_RAW_NOTE = (
    "read from Sloth: the queries are grouped but are not sums of counter rates; evaluated as "
    "one total over every group, approximate"
)
IGNORED = "Sloth's decoder ignores unknown keys"
#: the SRE Workbook windows Sloth generates (and slo's defaults): budget percent per severity
_DEFAULT_WINDOWS = {
    "page": [
        {"severity": "page", "long": "1h", "short": "5m", "budget_consumed": 2},
        {"severity": "page", "long": "6h", "short": "30m", "budget_consumed": 5},
    ],
    "ticket": [
        {"severity": "ticket", "long": "1d", "short": "2h", "budget_consumed": 10},
        {"severity": "ticket", "long": "3d", "short": "6h", "budget_consumed": 10},
    ],
}


def convert(
    document: Any, path: str, locator: Locator, *, warnings: list[Problem] | None = None
) -> list[ServiceSpec]:
    """One Sloth document as a one-service list; SpecError with every problem.

    The document is a ``version: prometheus/v1`` spec or a ``PrometheusServiceLevel`` resource.
    ``locator`` maps a loc tuple inside the document (``('slos', 1, 'objective')``) to its
    (line, column) in ``path``. ``warnings`` receives what is read but not used.
    """
    reader = Reader(path, locator)
    try:
        return _convert(reader, document)
    finally:
        if warnings is not None:
            warnings.extend(reader.warnings)


def _convert(reader: Reader, document: Any) -> list[ServiceSpec]:
    doc = reader.mapping(document, ())
    if doc is None:
        reader.raise_if_any()
        return []
    root: Loc = ()
    body: Mapping[str, Any] | None = doc
    spelling = _FILE
    if "apiVersion" in doc:
        root, spelling = ("spec",), _K8S
        body = _k8s_envelope(reader, doc)
        if body is None:
            reader.raise_if_any()
    else:
        reader.keys(doc, (), _FILE.root, ignored=IGNORED)
        version = doc.get("version")
        if version != VERSION:
            reader.problem(
                ("version",) if "version" in doc else (),
                f"expected version {VERSION!r}, got {version!r}",
            )
    assert body is not None  # raised above otherwise
    if spelling is _K8S:
        reader.keys(body, root, _K8S.root, ignored=IGNORED)
    _plugins(reader, body, root, "sloPlugins" if spelling is _K8S else "slo_plugins")
    service = reader.string(body, "service", root)
    labels = reader.labels(body, "labels", root)
    where: Where = {
        ("service",): (reader, (*root, "service")),
        ("labels",): (reader, (*root, "labels")),
        ("slos",): (reader, (*root, "slos")),
    }
    slos: list[dict[str, Any]] = []
    raw_slos = body.get("slos")
    slos_loc: Loc = (*root, "slos")
    if raw_slos is None:
        reader.problem(root, "missing required key 'slos'")
    elif not isinstance(raw_slos, list):
        reader.problem(slos_loc, f"expected a list, got {type_name(raw_slos)}")
    elif not raw_slos:
        reader.problem(slos_loc, "must not be empty")
    else:
        for index, item in enumerate(raw_slos):
            slo = _slo(reader, item, (*slos_loc, index), where, len(slos), spelling)
            if slo is not None:
                slos.append(slo)
    if service is None or not slos:  # problems already recorded
        reader.raise_if_any()
    data = {"version": "slo/v1", "service": service, "labels": labels, "slos": slos}
    spec = build_service(data, where, (reader, root), "sloth", full_objective=True)
    reader.raise_if_any()
    return [spec]


def _k8s_envelope(reader: Reader, doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``spec`` of a PrometheusServiceLevel resource, after checking its envelope."""
    reader.keys(doc, (), ("apiVersion", "kind", "metadata", "spec", "status"))
    if doc.get("apiVersion") != K8S_API_VERSION:
        reader.problem(
            ("apiVersion",), f"expected apiVersion {K8S_API_VERSION!r}, got {doc['apiVersion']!r}"
        )
    if doc.get("kind") != K8S_KIND:
        reader.problem(
            ("kind",) if "kind" in doc else (),
            f"expected kind {K8S_KIND!r}, got {doc.get('kind')!r}",
        )
    if "spec" not in doc:
        reader.problem((), "missing required key 'spec'")
        return None
    return reader.mapping(doc["spec"], ("spec",))


def _slo(
    reader: Reader, item: object, loc: Loc, where: Where, position: int, spelling: _Spelling
) -> dict[str, Any] | None:
    """One Sloth SLO in the written native form (objective still in percent), or None."""
    node = reader.mapping(item, loc)
    if node is None:
        return None
    reader.keys(node, loc, spelling.slo, ignored=IGNORED)
    _plugins(reader, node, loc, "plugins")
    name = reader.string(node, "name", loc)
    description = node.get("description", "")
    if not isinstance(description, str):
        reader.problem((*loc, "description"), f"expected a string, got {type_name(description)}")
        description = ""
    objective = reader.number(node, "objective", loc)
    labels = reader.labels(node, "labels", loc)
    alerting = _alerting(reader, node.get("alerting"), (*loc, "alerting"), spelling)
    sli_loc = (*loc, "sli")
    sli = _sli(reader, node.get("sli"), sli_loc, spelling) if "sli" in node else None
    if "sli" not in node:
        reader.problem(loc, "missing required key 'sli'")
    # Placeholders stand in for fields already reported, so the model still checks the rest.
    native_sli, note, sli_where, group_by = sli or (_PLACEHOLDER_SLI, "", {}, [])
    if note:
        description = f"{description} ({note})" if description else note
    base: Loc = ("slos", position)
    where[base] = (reader, loc)
    for field in ("name", "objective", "labels", "description", "window", "alerting"):
        key: Loc = (*base, field)
        where[key] = (reader, loc if field in ("window", "alerting") else (*loc, field))
    for native, src in sli_where.items():
        key = (*base, *native) if native[0] == "group_by" else (*base, "sli", *native)
        where[key] = (reader, src)
    out: dict[str, Any] = {
        "name": "unnamed" if name is None else name,
        "description": description,
        "objective": 50 if objective is None else objective,
        "window": WINDOW,
        "budgeting": "occurrences",
        "sli": native_sli,
        "labels": labels,
    }
    if group_by:
        out["group_by"] = group_by
    if alerting is not None:
        out["alerting"] = alerting
    return out


def _plugins(reader: Reader, node: Mapping[str, Any], loc: Loc, key: str) -> None:
    """Sloth SLO plugins are steps of its rule generation: read, not used (a warning)."""
    if node.get(key) is not None:
        reader.warn(
            (*loc, key),
            f"{key} are read but not used: they are steps of Sloth's rule generation",
            key=True,
        )


SLI = tuple[dict[str, Any], str, dict[Loc, Loc], list[str]]
"""(native SLI, note for the description, native loc → Sloth loc, group_by)."""


def _sli(reader: Reader, value: object, loc: Loc, spelling: _Spelling) -> SLI | None:
    """The native SLI of a Sloth SLI, or None after problems."""
    node = reader.mapping(value, loc)
    if node is None:
        return None
    reader.keys(node, loc, _SLI_KINDS, ignored=IGNORED)
    given = [k for k in _SLI_KINDS if k in node]
    if len(given) != 1:
        what = "none" if not given else " and ".join(repr(k) for k in given)
        reader.problem(loc, f"give exactly one of 'events', 'raw' or 'plugin', got {what}")
        return None
    kind = given[0]
    body_loc = (*loc, kind)
    if kind == "plugin":
        plugin = node["plugin"]
        plugin_id = plugin.get("id") if isinstance(plugin, Mapping) else None
        named = f" {plugin_id!r}" if isinstance(plugin_id, str) else ""
        reader.problem(
            body_loc,
            f"Sloth SLI plugins{named} are not supported by slo; "
            "write the SLI as 'events' or 'raw' queries",
        )
        return None
    body = reader.mapping(node[kind], body_loc)
    if body is None:
        return None
    if kind == "raw":
        ratio_key = spelling.error_ratio_query
        reader.keys(body, body_loc, (ratio_key,), ignored=IGNORED)
        query = _template(reader, body, ratio_key, body_loc)
        if query is None:
            return None
        routes: dict[Loc, Loc] = {
            ("raw",): body_loc,
            ("raw", "error_ratio"): (*body_loc, ratio_key),
        }
        return {"raw": {"error_ratio": query}}, RAW_NOTE, routes, []
    return _events(reader, body, body_loc, spelling)


def _events(reader: Reader, body: Mapping[str, Any], loc: Loc, spelling: _Spelling) -> SLI | None:
    """``events``: exact counters when both queries are sums of counter rates, else raw."""
    error_key, total_key = spelling.error_query, spelling.total_query
    reader.keys(body, loc, (error_key, total_key), ignored=IGNORED)
    error = _template(reader, body, error_key, loc)
    total = _template(reader, body, total_key, loc)
    if error is None or total is None:
        return None
    bad_form, total_form = counter_form(error), counter_form(total)
    srcs = {"bad": (*loc, error_key), "total": (*loc, total_key)}
    if (
        bad_form is not None
        and total_form is not None
        and bad_form.kind == total_form.kind != "value"
    ):
        bad_by, total_by = tuple(bad_form.by or ()), tuple(total_form.by or ())
        if bad_by != total_by:
            reader.problem(
                loc,
                f"{error_key} is grouped by ({', '.join(bad_by)}) but {total_key} by "
                f"({', '.join(total_by)}); Sloth divides them group by group, so they must "
                "be grouped alike",
            )
            return None
        routes: dict[Loc, Loc] = {
            ("ratio",): loc,
            ("ratio", "bad"): srcs["bad"],
            ("ratio", "total"): srcs["total"],
        }
        if total_by:
            routes[("group_by",)] = srcs["total"]
        ratio = {"bad": bad_form.expression, "total": total_form.expression}
        return {"ratio": ratio}, RECOGNISED_NOTE, routes, list(total_by)
    raw: dict[str, Any] = {"bad": error, "total": total}
    if per_second(error) and per_second(total):  # rates over the window: events per second
        raw["unit"] = "per_second"
    raw_routes: dict[Loc, Loc] = {
        ("raw",): loc,
        ("raw", "bad"): srcs["bad"],
        ("raw", "total"): srcs["total"],
    }
    grouped = re.search(r"\b(?:by|without)\s*\(", error + total, re.IGNORECASE)
    return {"raw": raw}, GROUPED_RAW_NOTE if grouped else RAW_NOTE, raw_routes, []


def _template(reader: Reader, node: Mapping[str, Any], key: str, loc: Loc) -> str | None:
    """A Sloth query template, with ``{{.window}}`` translated to our ``{{window}}``."""
    query = reader.string(node, key, loc)
    if query is None:
        return None
    if not SLOTH_WINDOW.search(query):
        reader.problem((*loc, key), "must contain the {{.window}} placeholder")
        return None
    if not reader.promql((*loc, key), query, sloth=True):
        return None
    return SLOTH_WINDOW.sub("{{window}}", query).strip()


def _alerting(
    reader: Reader, value: object, loc: Loc, spelling: _Spelling
) -> dict[str, Any] | None:
    """Native alert windows when Sloth's alerting disables page or ticket alerts, else None
    (slo's defaults are the SRE Workbook windows Sloth generates)."""
    if value is None:
        return None
    node = reader.mapping(value, loc)
    if node is None:
        return None
    alerts = (spelling.page_alert, spelling.ticket_alert)
    reader.keys(node, loc, ("name", "labels", "annotations", *alerts), ignored=IGNORED)
    reader.string(node, "name", loc, required=False)
    for key in ("labels", "annotations"):
        reader.labels(node, key, loc)
    used = [k for k in ("name", "labels", "annotations") if node.get(k)]
    disabled: list[str] = []
    for key, severity in zip(alerts, ("page", "ticket"), strict=True):
        if node.get(key) is None:
            continue
        alert = reader.mapping(node[key], (*loc, key))
        if alert is None:
            continue
        reader.keys(alert, (*loc, key), _ALERT_KEYS, ignored=IGNORED)
        disable = alert.get("disable", False)
        if not isinstance(disable, bool):
            reader.problem(
                (*loc, key, "disable"), f"expected true or false, got {type_name(disable)}"
            )
        elif disable:
            disabled.append(severity)
        for sub in ("labels", "annotations"):
            reader.labels(alert, sub, (*loc, key))
            if alert.get(sub):
                used.append(f"{key}.{sub}")
    if used:
        reader.warn(
            loc,
            f"{', '.join(used)} read but not used: they name and label Sloth's generated "
            "Prometheus alerts",
        )
    if not disabled:
        return None
    windows = [
        w for sev in ("page", "ticket") if sev not in disabled for w in _DEFAULT_WINDOWS[sev]
    ]
    return {"windows": windows}
