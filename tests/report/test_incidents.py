"""`slo report --incidents FILE`: every burn event is linked to exactly the incidents whose span
overlaps it (computed here independently from the file), unexplained burn is listed, Markdown
and HTML link the incidents, JSON carries them, and a bad file is a located error (exit 2)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import jsonschema

from slo_cli.report.incidents import Incident
from tests.report.conftest import ROOT, report

INCIDENTS = ROOT / "examples" / "incidents.json"


def _epoch(text: str | None) -> float:
    if text is None:
        return math.inf
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _expected(doc: dict, incidents: list[dict]) -> dict[tuple[str, float], list[str]]:
    """By hand: incident [a, b) and event [s, e) overlap iff a < e and s < b, and the incident
    names the SLO's service or none."""
    out = {}
    for slo in doc["slos"]:
        for e in slo["burn_events"]:
            s, t = e["start_epoch_seconds"], e["end_epoch_seconds"]
            out[(slo["key"], s)] = [
                x["id"]
                for x in incidents
                if (not x.get("services") or slo["service"] in x["services"])
                and _epoch(x["start"]) < t
                and s < _epoch(x.get("end"))
            ]
    return out


def test_links_match_overlaps_exactly() -> None:
    from slo_cli.render.report_json import SCHEMA_FILE

    run = report("--incidents", str(INCIDENTS), "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    incidents = json.loads(INCIDENTS.read_text(encoding="utf-8"))
    want = _expected(doc, incidents)
    got = {
        (slo["key"], e["start_epoch_seconds"]): e["incident_ids"]
        for slo in doc["slos"]
        for e in slo["burn_events"]
    }
    assert got == want
    # the examples tell all three stories: linked, linked to an all-services incident, none
    assert want[("auth/availability", _epoch("2026-11-18T06:00:00Z"))] == ["INC-2041"]
    assert want[("checkout/probe-uptime", _epoch("2026-11-16T13:00:00Z"))] == ["INC-2032"]
    unexplained = {(u["key"], u["start_epoch_seconds"]) for u in doc["unexplained_burn_events"]}
    assert unexplained == {k for k, ids in want.items() if not ids} and unexplained
    assert [x["id"] for x in doc["incidents"]] == [x["id"] for x in incidents]
    assert doc["incidents"][1]["end"] is None  # ongoing


def test_without_incidents_the_report_is_unchanged() -> None:
    doc = json.loads(report("--format", "json").stdout)
    assert "incidents" not in doc
    assert all("incident_ids" not in e for s in doc["slos"] for e in s["burn_events"])


def test_markdown_and_html_link_incidents() -> None:
    md = report("--incidents", str(INCIDENTS)).stdout
    assert "[INC-2041](https://incidents.example/INC-2041) auth: session store outage" in md
    assert "## Unexplained burn — postmortem candidates" in md
    html = report("--incidents", str(INCIDENTS), "--format", "html").stdout
    assert "<a href='https://incidents.example/INC-2047'>INC-2047</a>" in html
    assert "Unexplained burn — postmortem candidates" in html


def test_touching_spans_do_not_link() -> None:
    x = Incident("I", "t", 100.0, 200.0)
    assert not x.overlaps(200.0, 300.0, "svc") and not x.overlaps(0.0, 100.0, "svc")
    assert x.overlaps(199.0, 300.0, "svc") and x.overlaps(0.0, 101.0, "svc")
    assert not Incident("I", "t", 100.0, 200.0, services=("a",)).overlaps(0.0, 150.0, "b")


def test_bad_incidents_file_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "inc.yaml"
    bad.write_text(
        "- id: A\n  title: t\n  start: 2026-11-18T10:00:00Z\n  end: 2026-11-18T09:00:00Z\n"
        "- id: A\n  title: t\n  start: yesterday\n  colour: red\n",
        encoding="utf-8",
    )
    run = report("--incidents", str(bad))
    assert run.code == 2 and "Traceback" not in run.stderr
    assert f"{bad}:4:8: [0].end: end: must be after start" in run.stderr
    assert f"{bad}:8:3: [1].colour: unknown key 'colour'" in run.stderr
    assert "start: required, RFC 3339 or epoch seconds" in run.stderr
