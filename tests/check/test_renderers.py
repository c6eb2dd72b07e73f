"""Renderers on hand-made results: every format, schema-valid JSON, unrounded numbers, widths."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from slo_cli.gate import apply_gate
from slo_cli.render.console import Terminal
from slo_cli.render.formats import CheckFormat, RenderOptions, render
from slo_cli.render.json_out import SCHEMA_FILE
from slo_cli.render.table import COLUMNS, render_table
from tests.check.factory import evaluation, no_data, result

SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

# 1/3 has no short decimal form: it proves numbers are written unrounded
THIRD = 1 / 3
EV = apply_gate(
    evaluation(
        result(remaining=THIRD, consumed=1 - THIRD, sli=0.99933333333, burn=0.123456789),
        result(
            service="payments",
            name="availability",
            objective=0.9995,
            window="month",
            page=True,
            ticket=True,
            alerts_firing=("page 1h/5m",),
            remaining=0.79,
            burn=40.0,
            time_to_exhaustion_s=51192.0,
            status="CRITICAL",
        ),
        no_data(service="legacy-reports"),
    )
)


def test_every_format_has_a_renderer() -> None:
    for fmt in CheckFormat:
        text = render(fmt, EV, RenderOptions(exit_code=1))
        assert text and text.strip(), fmt


def test_json_is_valid_against_the_published_schema_and_unrounded() -> None:
    doc = json.loads(render(CheckFormat.json, EV, RenderOptions(exit_code=1)))
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    first = doc["slos"][0]
    assert first["budget_remaining_ratio"] == THIRD
    assert first["burn_rates"]["1h"] == 0.123456789
    assert first["time_to_exhaustion_seconds"] is None  # inf has no JSON spelling
    blind = doc["slos"][2]
    assert blind["status"] == "NO_DATA" and blind["sli_ratio"] is None
    assert blind["gate"]["unknown"] is True
    assert doc["summary"]["status_counts"] == {
        "OK": 1,
        "WARNING": 0,
        "CRITICAL": 1,
        "NO_DATA": 1,
        "ERROR": 0,
    }
    assert doc["summary"]["exit_code"] == 1


def test_the_schema_rejects_what_the_writer_must_never_write() -> None:
    doc = json.loads(render(CheckFormat.json, EV, RenderOptions(exit_code=1)))
    doc["slos"][0]["remaining_percent"] = 33.3  # unknown key (no unit drift)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
    doc = json.loads(render(CheckFormat.json, EV, RenderOptions(exit_code=1)))
    doc["schema"] = "slo/check/v2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_csv_reads_back_the_same_floats() -> None:
    text = render(CheckFormat.csv, EV, RenderOptions(exit_code=1))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["key"] for r in rows] == [
        "checkout/availability",
        "payments/availability",
        "legacy-reports/availability",
    ]
    assert float(rows[0]["budget_remaining_ratio"]) == THIRD
    assert float(rows[1]["burn_rate_1h"]) == 40.0
    assert rows[1]["gate_breached"] == "true" and rows[1]["alerts_firing"] == "page 1h/5m"
    assert rows[2]["sli_ratio"] == "" and rows[2]["gate_unknown"] == "true"


@pytest.mark.parametrize("allow", [False, True])
def test_junit_has_one_case_per_slo(allow: bool) -> None:
    from slo_cli.render.junit import render_junit

    root = ET.fromstring(render_junit(EV, allow_no_data=allow))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {
        ("slo.checkout", "availability"),
        ("slo.payments", "availability"),
        ("slo.legacy-reports", "availability"),
    }
    failure = cases[("slo.payments", "availability")].find("failure")
    assert failure is not None and failure.get("message") == "page alert firing"
    assert cases[("slo.checkout", "availability")].find("failure") is None
    blind = cases[("slo.legacy-reports", "availability")]
    assert (blind.find("skipped") is not None) == allow
    assert (blind.find("error") is not None) == (not allow)
    assert root.get("tests") == "3" and root.get("failures") == "1"
    assert root.get("errors") == ("0" if allow else "1")


def test_markdown_table_has_one_row_per_slo_and_lists_failures() -> None:
    text = render(CheckFormat.markdown, EV, RenderOptions(exit_code=1))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 3  # header + one per SLO
    assert "- `payments/availability`: page alert firing (fail on page)" in text
    assert "- `legacy-reports/availability`: no data" in text


def _lines(width: int) -> list[str]:
    return render_table(EV, Terminal(width=width)).splitlines()


def test_table_shows_every_column_at_100() -> None:
    lines = _lines(100)
    header = " ".join(lines[1:3])
    for col in COLUMNS:
        for word in col.header.split():
            assert word in header, col.name
    assert max(len(line) for line in lines) <= 100


@pytest.mark.parametrize("width", [40, 60, 80])
def test_narrow_terminals_drop_columns_but_keep_name_budget_and_status(width: int) -> None:
    lines = _lines(width)
    table = [line for line in lines if "availability" in line]
    assert all(len(line) <= width for line in table)
    assert any("? no data" in line for line in table)
    assert any("✗ crit" in line for line in table)
    assert any("33.3%" in line for line in table)


def test_no_data_never_shows_a_healthy_number() -> None:
    row = next(line for line in _lines(100) if "? no data" in line)
    # objective and 0% coverage are the only percentages; SLI and budget read "—"
    assert row.count("%") == 2 and "99.9% 30d" in row and " 0% " in row
    assert row.split("30d")[1].split()[:3] == ["—", "—", "—"]
