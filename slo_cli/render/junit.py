"""`slo check --format junit`: JUnit XML, one test case per SLO, so CI systems list SLOs as tests.

A test case fails (`<failure>`) when its SLO breaches the gate, errors (`<error>`) when its own
queries failed at the source (type ``slo.source_error``) or it has no answer and no data is not
allowed, is skipped (`<skipped>`) when it has no answer and that is
allowed, and passes otherwise. One `<testsuite>` per service. Durations are 0: nothing was timed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from slo_cli.render.common import (
    by_service,
    iso,
    objective_text,
    pct,
    since_text,
    status_text,
    tte_text,
)
from slo_cli.render.composite import members_text
from slo_cli.render.units import number
from slo_cli.results import Evaluation, SLOResult


def _describe(r: SLOResult) -> str:
    """The numbers behind the verdict, for the test case's output."""
    rates = ", ".join(f"{w} {number(v, 3)}" for w, v in r.burn_rates.items())
    since = "" if r.since is None else f"; since {iso(r.since.start)}: {since_text(r)}"
    why = "".join(f"; {n.message}" for n in r.no_data)
    partial = f"; {r.history.message}" if r.partial and r.history is not None else ""
    if r.adjustments is not None:
        from slo_cli.render.adjustments import adjustments_text

        since += f"; adjustments: {adjustments_text(r.adjustments, r.count_unit)}"
    return (
        f"{r.key}: {status_text(r.status)}; objective {objective_text(r.objective)} over "
        f"{r.window}; SLI {pct(r.sli, 4)}; budget remaining {pct(r.remaining, 2)}; "
        f"burn rates {rates}; alert {r.alert}; exhausted in {tte_text(r)}; "
        f"gate: {r.gate.describe()} ({r.gate.origin}){since}{why}{partial}"
        + ("" if r.composite is None else f"; composite: {members_text(r.composite)}")
    )


def render_junit(evaluation: Evaluation, *, allow_no_data: bool = False) -> str:
    """The XML text (UTF-8 declaration, indented)."""
    root = ET.Element("testsuites", name="slo check")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for service, results in by_service(evaluation.slos):
        suite = ET.SubElement(root, "testsuite", name=service, timestamp=iso(evaluation.at))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for r in results:
            counts["tests"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=f"slo.{service}", name=r.name, time="0"
            )
            verdict = r.verdict
            if r.error is not None:  # the source failed for this SLO: never skipped
                counts["errors"] += 1
                el = ET.SubElement(case, "error", message=r.error.message, type="slo.source_error")
                el.text = f"{r.key}: {r.error.describe(r.source_path)}"
            elif verdict is not None and verdict.breached:
                counts["failures"] += 1
                el = ET.SubElement(
                    case, "failure", message="; ".join(verdict.reasons), type="slo.gate"
                )
                el.text = _describe(r)
            elif verdict is not None and verdict.unknown:
                if allow_no_data:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message="; ".join(verdict.reasons))
                else:
                    counts["errors"] += 1
                    el = ET.SubElement(
                        case, "error", message="; ".join(verdict.reasons), type="slo.no_data"
                    )
                    el.text = _describe(r)
            ET.SubElement(case, "system-out").text = _describe(r)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", "0")
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
