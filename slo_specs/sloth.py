"""Read Sloth ``prometheus/v1`` specs (https://sloth.dev) into the spec model.

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
* ``interval`` (rule-group evaluation intervals) has no meaning here and is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slo_specs._foreign import Loc, Locator, Reader, Where, build_service, type_name
from slo_specs.model import ServiceSpec
from slo_specs.promql_forms import SLOTH_WINDOW, rates_to_increases, sum_rate_selector

VERSION = "prometheus/v1"
WINDOW = "30d"  # Sloth's fixed SLO period (its default 30-day window)

_TOP_KEYS = ("version", "service", "labels", "slos")
_SLO_KEYS = (
    "name",
    "description",
    "objective",
    "labels",
    "infoLabels",
    "sli",
    "alerting",
    "interval",
)
_SLI_KINDS = ("events", "raw", "plugin")
_ALERTING_KEYS = ("name", "labels", "annotations", "page_alert", "ticket_alert")
_ALERT_KEYS = ("disable", "labels", "annotations")

_PLACEHOLDER_SLI = {"raw": {"error_ratio": "{{window}}"}}
RECOGNISED_NOTE = (
    "read from Sloth: both queries are sum(rate(...)) of counter selectors, "
    "so slo counts the counters exactly"
)


def convert(document: Any, path: str, locator: Locator) -> list[ServiceSpec]:
    """One Sloth ``prometheus/v1`` document as a one-service list; SpecError with every problem.

    ``locator`` maps a loc tuple inside the document (``('slos', 1, 'objective')``) to its
    (line, column) in ``path``.
    """
    reader = Reader(path, locator)
    doc = reader.mapping(document, ())
    if doc is None:
        reader.raise_if_any()
        return []
    reader.keys(doc, (), _TOP_KEYS)
    version = doc.get("version")
    if version != VERSION:
        reader.problem(
            ("version",) if "version" in doc else (),
            f"expected version {VERSION!r}, got {version!r}",
        )
    service = reader.string(doc, "service", ())
    labels = reader.labels(doc, "labels", ())
    where: Where = {("service",): (reader, ("service",)), ("labels",): (reader, ("labels",))}
    slos: list[dict[str, Any]] = []
    raw_slos = doc.get("slos")
    if raw_slos is None:
        reader.problem((), "missing required key 'slos'")
    elif not isinstance(raw_slos, list):
        reader.problem(("slos",), f"expected a list, got {type_name(raw_slos)}")
    elif not raw_slos:
        reader.problem(("slos",), "must not be empty")
    else:
        for index, item in enumerate(raw_slos):
            slo = _slo(reader, item, ("slos", index), where, len(slos))
            if slo is not None:
                slos.append(slo)
    where[("slos",)] = (reader, ("slos",))
    if service is None or not slos:  # problems already recorded
        reader.raise_if_any()
    data = {"version": "slo/v1", "service": service, "labels": labels, "slos": slos}
    spec = build_service(data, where, (reader, ()), "sloth")
    reader.raise_if_any()
    return [spec]


def _slo(
    reader: Reader, item: object, loc: Loc, where: Where, position: int
) -> dict[str, Any] | None:
    """One Sloth SLO in the written native form (objective still in percent), or None."""
    node = reader.mapping(item, loc)
    if node is None:
        return None
    reader.keys(node, loc, _SLO_KEYS)
    name = reader.string(node, "name", loc)
    description = node.get("description", "")
    if not isinstance(description, str):
        reader.problem((*loc, "description"), f"expected a string, got {type_name(description)}")
        description = ""
    objective = reader.number(node, "objective", loc)
    labels = reader.labels(node, "labels", loc)
    reader.labels(node, "infoLabels", loc)  # shape check only: info-metric labels
    _alerting(reader, node.get("alerting"), (*loc, "alerting"))
    sli_loc = (*loc, "sli")
    sli = _sli(reader, node.get("sli"), sli_loc) if "sli" in node else None
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
    reader: Reader, value: object, loc: Loc
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
        reader.keys(body, body_loc, ("error_ratio_query",))
        query = _template(reader, body, "error_ratio_query", body_loc)
        if query is None:
            return None
        return (
            {"raw": {"error_ratio": query}},
            False,
            {
                ("raw",): body_loc,
                ("raw", "error_ratio"): (*body_loc, "error_ratio_query"),
            },
        )
    reader.keys(body, body_loc, ("error_query", "total_query"))
    error = _template(reader, body, "error_query", body_loc)
    total = _template(reader, body, "total_query", body_loc)
    if error is None or total is None:
        return None
    bad_sel = sum_rate_selector(body["error_query"])
    total_sel = sum_rate_selector(body["total_query"])
    if bad_sel is not None and total_sel is not None:
        return (
            {"ratio": {"bad": bad_sel, "total": total_sel}},
            True,
            {
                ("ratio",): body_loc,
                ("ratio", "bad"): (*body_loc, "error_query"),
                ("ratio", "total"): (*body_loc, "total_query"),
            },
        )
    # per-second rates over the window become event counts over it (the same ratio)
    events = {"bad": rates_to_increases(error), "total": rates_to_increases(total)}
    return (
        {"raw": events},
        False,
        {
            ("raw",): body_loc,
            ("raw", "bad"): (*body_loc, "error_query"),
            ("raw", "total"): (*body_loc, "total_query"),
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


def _alerting(reader: Reader, value: object, loc: Loc) -> None:
    """Check the shape of Sloth's alerting block; its contents configure Sloth's own rules."""
    if value is None:
        return
    node = reader.mapping(value, loc)
    if node is None:
        return
    reader.keys(node, loc, _ALERTING_KEYS)
    reader.string(node, "name", loc, required=False)
    for key in ("labels", "annotations"):
        reader.labels(node, key, loc)
    for key in ("page_alert", "ticket_alert"):
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
