"""OpenSLO alert policies (``spec.alertPolicies`` of an SLO) into native alert windows.

OpenSLO v1 (README, "AlertPolicy" and "AlertCondition"; OpenSLO/go-sdk pkg/openslo/v1): an SLO
lists alert policies inline (``kind: AlertPolicy``, ``metadata``, ``spec``) or by
``alertPolicyRef``; a policy holds one condition, inline (``kind: AlertCondition``) or by
``conditionRef``. A ``burnrate`` condition fires when the SLO's burn rate over
``lookbackWindow`` compares to ``threshold`` by ``op``. Mapping:

* ``severity`` page / ticket → the alert's severity (other severities are refused: slo's
  alerts and its gate know only these two);
* ``op`` gte / gt → the alert fires when the burn rate is at least ``threshold`` (lte / lt, an
  alert on burning slowly, is refused);
* ``lookbackWindow`` → the long window, with no short window (one window, as OpenSLO has);
* ``alertWhenBreaching: false`` → the policy raises no burn-rate alert;
* ``alertAfter``, ``alertWhenResolved``, ``alertWhenNoData``, ``notificationTargets`` are read
  and not used (notifications are the alerting system's job): a warning each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slo_specs._foreign import Loc, Reader, type_name
from slo_specs.openslo_sli import Objects, shorthand_seconds

_POLICY_KEYS = (
    "description",
    "alertWhenNoData",
    "alertWhenResolved",
    "alertWhenBreaching",
    "conditions",
    "notificationTargets",
)
_CONDITION_KEYS = ("description", "severity", "condition")
_BURN_KEYS = ("kind", "op", "threshold", "lookbackWindow", "alertAfter")
_UNUSED = ("alertWhenResolved", "alertWhenNoData", "notificationTargets")


def alert_windows(
    reader: Reader, spec: Mapping[str, Any], objects: Objects
) -> list[dict[str, Any]] | None:
    """Native alert windows from ``spec.alertPolicies``; None when the SLO has none (defaults)."""
    if "alertPolicies" not in spec:
        return None
    loc: Loc = ("spec", "alertPolicies")
    policies = spec["alertPolicies"]
    if not isinstance(policies, list):
        reader.problem(loc, f"expected a list, got {type_name(policies)}")
        return None
    windows: list[dict[str, Any]] = []
    for index, item in enumerate(policies):
        item_loc: Loc = (*loc, index)
        node = reader.mapping(item, item_loc)
        if node is None:
            continue
        if "alertPolicyRef" in node:
            reader.keys(node, item_loc, ("alertPolicyRef",))
            ref = reader.string(node, "alertPolicyRef", item_loc)
            found = None
            if ref is not None:
                found = objects.find("AlertPolicy", ref, reader, (*item_loc, "alertPolicyRef"))
            if found is not None:
                policy_reader, policy = found
                windows += _policy(policy_reader, policy.get("spec"), ("spec",), objects)
            continue
        reader.keys(node, item_loc, ("kind", "metadata", "spec"))
        if node.get("kind", "AlertPolicy") != "AlertPolicy":
            reader.problem((*item_loc, "kind"), f"expected kind AlertPolicy, got {node['kind']!r}")
            continue
        windows += _policy(reader, node.get("spec"), (*item_loc, "spec"), objects)
    return windows


def _policy(reader: Reader, value: object, loc: Loc, objects: Objects) -> list[dict[str, Any]]:
    spec = reader.mapping(value, loc)
    if spec is None:
        return []
    reader.keys(spec, loc, _POLICY_KEYS)
    for key in _UNUSED:
        if spec.get(key) not in (None, False, []):
            reader.warn(
                (*loc, key),
                f"{key} is read but not used: slo evaluates burn-rate alerts, it sends no "
                "notifications",
                key=True,
            )
    breaching = spec.get("alertWhenBreaching", True)
    if not isinstance(breaching, bool):
        reader.problem((*loc, "alertWhenBreaching"), "expected true or false")
        return []
    conditions = spec.get("conditions")
    if not isinstance(conditions, list) or len(conditions) != 1:
        shown = f"{len(conditions)} items" if isinstance(conditions, list) else "none"
        reader.problem(
            (*loc, "conditions") if "conditions" in spec else loc,
            f"expected a list of exactly one condition (OpenSLO v1), got {shown}",
        )
        return []
    if not breaching:
        reader.warn(
            (*loc, "alertWhenBreaching"),
            "alertWhenBreaching is false: this policy raises no burn-rate alert",
        )
        return []
    c_loc: Loc = (*loc, "conditions", 0)
    node = reader.mapping(conditions[0], c_loc)
    if node is None:
        return []
    if "conditionRef" in node:
        reader.keys(node, c_loc, ("conditionRef",))
        ref = reader.string(node, "conditionRef", c_loc)
        found = None
        if ref is not None:
            found = objects.find("AlertCondition", ref, reader, (*c_loc, "conditionRef"))
        if found is None:
            return []
        cond_reader, cond = found
        window = _condition(cond_reader, cond.get("spec"), ("spec",))
    else:
        reader.keys(node, c_loc, ("kind", "metadata", "spec"))
        window = _condition(reader, node.get("spec"), (*c_loc, "spec"))
    return [] if window is None else [window]


def _condition(reader: Reader, value: object, loc: Loc) -> dict[str, Any] | None:
    spec = reader.mapping(value, loc)
    if spec is None:
        return None
    reader.keys(spec, loc, _CONDITION_KEYS)
    severity = reader.string(spec, "severity", loc)
    if severity is not None and severity.lower() not in ("page", "ticket"):
        reader.problem(
            (*loc, "severity"),
            f"severity {severity!r} cannot be mapped: slo's alerts are 'page' or 'ticket'",
        )
        severity = None
    c_loc: Loc = (*loc, "condition")
    cond = reader.mapping(spec.get("condition"), c_loc) if "condition" in spec else None
    if "condition" not in spec:
        reader.problem(loc, "missing required key 'condition'")
    if cond is None:
        return None
    reader.keys(cond, c_loc, _BURN_KEYS)
    kind = cond.get("kind", "burnrate")
    if kind != "burnrate":
        reader.problem((*c_loc, "kind"), f"only kind: burnrate conditions are read, got {kind!r}")
        return None
    op = reader.string(cond, "op", c_loc)
    if op is not None and op not in ("gte", "gt"):
        reader.problem(
            (*c_loc, "op"),
            f"op {op!r} alerts while the budget burns slowly; slo's burn-rate alerts fire "
            "when the burn rate reaches the threshold (op: gte or gt)",
        )
        op = None
    threshold = reader.number(cond, "threshold", c_loc)
    if threshold is not None and threshold <= 0:
        reader.problem((*c_loc, "threshold"), f"must be positive, got {threshold:g}")
        threshold = None
    lookback = shorthand_seconds(reader, cond, "lookbackWindow", c_loc)
    after = cond.get("alertAfter")
    if after not in (None, "0m", "0s", 0):
        reader.warn(
            (*c_loc, "alertAfter"),
            "alertAfter is read but not used: slo judges the burn rate at the evaluation "
            "instant, so the alert shows as soon as the condition holds",
            key=True,
        )
    if severity is None or op is None or threshold is None or lookback is None:
        return None
    return {"severity": severity.lower(), "long": lookback, "burn_rate": threshold}
