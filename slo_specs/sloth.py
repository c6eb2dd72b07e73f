"""Read Sloth ``prometheus/v1`` specs (https://sloth.dev) into the spec model.

Also reads Sloth's Kubernetes resource (``apiVersion: sloth.slok.dev/v1``,
``kind: PrometheusServiceLevel``): the same spec under ``spec``, with camelCase keys
(``errorQuery``, ``totalQuery``, ``errorRatioQuery``, ``pageAlert``, ``ticketAlert``).

Mapping (Sloth → slo):

* ``service``, ``labels`` → the service; ``slos[].name``, ``description``, ``labels``,
  ``objective`` (percent) → the SLO. Sloth SLOs have no window setting: Sloth computes them over
  30 days, so they become 30d rolling windows with occurrences budgeting.
* ``sli.events`` (``error_query`` / ``total_query`` with ``{{.window}}``) → a raw SLI of bad and
  total templates (``{{.window}}`` becomes our ``{{window}}``, and ``rate(x[{{.window}}])``
  becomes ``increase(...)``: the same ratio, in events rather than events per second).
  When both queries are exactly ``sum(rate(<selector>[{{.window}}]))`` (or ``increase``), they
  are recognised as counters and become a ratio SLI, counted exactly; the description says so.
* ``sli.raw.error_ratio_query`` → a raw SLI ``error_ratio``.
* ``sli.plugin`` → a located "not supported" problem (plugins are Go code inside Sloth).
* ``alerting`` → checked for shape only: the alert names, labels and annotations configure
  Sloth's generated rules; slo evaluates the SRE Workbook page/ticket alerts (its defaults).
* ``interval`` (rule-group evaluation intervals) and SLO plugins (``plugins``, ``sloPlugins``:
  steps of Sloth's rule generation) have no meaning here and are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slo_specs._foreign import Loc, Locator, Reader, Where, build_service, type_name
from slo_specs.model import ServiceSpec
from slo_specs.promql_forms import SLOTH_WINDOW, rates_to_increases, sum_rate_selector

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
    root=("version", "service", "labels", "slos"),
    slo=("name", "description", "objective", "labels", "infoLabels", "sli", "alerting", "interval"),
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
    "read from Sloth: both queries are sum(rate(...)) of counter selectors, "
    "so slo counts the counters exactly"
)


def convert(document: Any, path: str, locator: Locator) -> list[ServiceSpec]:
    """One Sloth document as a one-service list; SpecError with every problem.

    The document is a ``version: prometheus/v1`` spec or a ``PrometheusServiceLevel`` resource.
    ``locator`` maps a loc tuple inside the document (``('slos', 1, 'objective')``) to its
    (line, column) in ``path``.
    """
    reader = Reader(path, locator)
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
        reader.keys(doc, (), _FILE.root)
        version = doc.get("version")
        if version != VERSION:
            reader.problem(
                ("version",) if "version" in doc else (),
                f"expected version {VERSION!r}, got {version!r}",
            )
    assert body is not None  # raised above otherwise
    if spelling is _K8S:
        reader.keys(body, root, _K8S.root)
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
    spec = build_service(data, where, (reader, root), "sloth")
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
    reader.keys(node, loc, spelling.slo)
    name = reader.string(node, "name", loc)
    description = node.get("description", "")
    if not isinstance(description, str):
        reader.problem((*loc, "description"), f"expected a string, got {type_name(description)}")
        description = ""
    objective = reader.number(node, "objective", loc)
    labels = reader.labels(node, "labels", loc)
    reader.labels(node, "infoLabels", loc)  # shape check only: info-metric labels
    _alerting(reader, node.get("alerting"), (*loc, "alerting"), spelling)
    sli_loc = (*loc, "sli")
    sli = _sli(reader, node.get("sli"), sli_loc, spelling) if "sli" in node else None
    if "sli" not in node:
        reader.problem(loc, "missing required key 'sli'")
    # Placeholders stand in for fields already reported, so the model still checks the rest.
    native_sli, recognised, sli_where = sli or (_PLACEHOLDER_SLI, False, {})
    if recognised:
        description = f"{description} ({RECOGNISED_NOTE})" if description else RECOGNISED_NOTE
    base: Loc = ("slos", position)
    where[base] = (reader, loc)
    for field in ("name", "objective", "labels", "description", "window"):
        key: Loc = (*base, field)
        where[key] = (reader, loc if field == "window" else (*loc, field))
    for native, src in sli_where.items():
        key = (*base, "sli", *native)
        where[key] = (reader, src)
    return {
        "name": "unnamed" if name is None else name,
        "description": description,
        "objective": 50 if objective is None else objective,
        "window": WINDOW,
        "budgeting": "occurrences",
        "sli": native_sli,
        "labels": labels,
    }


def _sli(
    reader: Reader, value: object, loc: Loc, spelling: _Spelling
) -> tuple[dict[str, Any], bool, dict[Loc, Loc]] | None:
    """(native SLI, recognised as counters?, native loc → Sloth loc), or None after problems."""
    node = reader.mapping(value, loc)
    if node is None:
        return None
    reader.keys(node, loc, _SLI_KINDS)
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
        reader.keys(body, body_loc, (ratio_key,))
        query = _template(reader, body, ratio_key, body_loc)
        if query is None:
            return None
        return (
            {"raw": {"error_ratio": query}},
            False,
            {
                ("raw",): body_loc,
                ("raw", "error_ratio"): (*body_loc, ratio_key),
            },
        )
    error_key, total_key = spelling.error_query, spelling.total_query
    reader.keys(body, body_loc, (error_key, total_key))
    error = _template(reader, body, error_key, body_loc)
    total = _template(reader, body, total_key, body_loc)
    if error is None or total is None:
        return None
    bad_sel = sum_rate_selector(body[error_key])
    total_sel = sum_rate_selector(body[total_key])
    if bad_sel is not None and total_sel is not None:
        return (
            {"ratio": {"bad": bad_sel, "total": total_sel}},
            True,
            {
                ("ratio",): body_loc,
                ("ratio", "bad"): (*body_loc, error_key),
                ("ratio", "total"): (*body_loc, total_key),
            },
        )
    # per-second rates over the window become event counts over it (the same ratio)
    events = {"bad": rates_to_increases(error), "total": rates_to_increases(total)}
    return (
        {"raw": events},
        False,
        {
            ("raw",): body_loc,
            ("raw", "bad"): (*body_loc, error_key),
            ("raw", "total"): (*body_loc, total_key),
        },
    )


def _template(reader: Reader, node: Mapping[str, Any], key: str, loc: Loc) -> str | None:
    """A Sloth query template, with ``{{.window}}`` translated to our ``{{window}}``."""
    query = reader.string(node, key, loc)
    if query is None:
        return None
    if not SLOTH_WINDOW.search(query):
        reader.problem((*loc, key), "must contain the {{.window}} placeholder")
        return None
    return SLOTH_WINDOW.sub("{{window}}", query).strip()


def _alerting(reader: Reader, value: object, loc: Loc, spelling: _Spelling) -> None:
    """Check the shape of Sloth's alerting block; its contents configure Sloth's own rules."""
    if value is None:
        return
    node = reader.mapping(value, loc)
    if node is None:
        return
    alerts = (spelling.page_alert, spelling.ticket_alert)
    reader.keys(node, loc, ("name", "labels", "annotations", *alerts))
    reader.string(node, "name", loc, required=False)
    for key in ("labels", "annotations"):
        reader.labels(node, key, loc)
    for key in alerts:
        if node.get(key) is None:
            continue
        alert = reader.mapping(node[key], (*loc, key))
        if alert is None:
            continue
        reader.keys(alert, (*loc, key), _ALERT_KEYS)
        disable = alert.get("disable", False)
        if not isinstance(disable, bool):
            reader.problem(
                (*loc, key, "disable"), f"expected true or false, got {type_name(disable)}"
            )
        for sub in ("labels", "annotations"):
            reader.labels(alert, sub, (*loc, key))
