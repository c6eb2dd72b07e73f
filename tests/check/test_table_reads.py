"""The table and the Markdown explain themselves (issue 15): a legend of the abbreviations
shown, the spec's `7d` as `7d` (not `1w`, which reads like the calendar `week`), the
objective kept at 80 columns, a row that fails the gate never reading `✓ ok`, and Markdown
narrow enough for a pull-request comment with the status and the alert first."""

from __future__ import annotations

import json

import pytest

from tests.check.conftest import check


def _rows(text: str) -> dict[str, str]:
    """SLO name -> its table line (the names are unique within each service here)."""
    out: dict[str, str] = {}
    service = ""
    for line in text.splitlines():
        if line and not line.startswith(" ") and "  " not in line:
            service = line.strip()
        elif line.startswith(" ") and service:
            out[f"{service}/{line.split()[0]}"] = line
    return out


def test_a_row_failing_the_gate_does_not_read_ok() -> None:
    run = check("--min-remaining", "50", "-f", "json")
    failing = {s["key"] for s in json.loads(run.stdout)["slos"] if s["gate"]["breached"]}
    table = check("--min-remaining", "50").stdout
    rows = _rows(table)
    # checkout/latency-internal has 39.8 % left: OK by status, failing --min-remaining 50
    assert "checkout/latency-internal" in failing
    for key in failing:
        assert "✓ ok" not in rows[key] and "! warn" not in rows[key], rows[key]
    assert rows["checkout/latency-internal"].endswith("✗ gate")
    assert rows["search/requests-availability"].endswith("✗ gate")  # 25.6 % left, ticket
    assert rows["checkout/availability"].endswith("✓ ok")  # 79.9 % left: passes
    assert "✗ gate: fails this run's gate" in table


def test_the_legend_explains_the_columns_shown() -> None:
    wide = " ".join(check().stdout.split())
    assert "1h× 6h× 1d× 3d× win×: burn rate (1 = on budget, .24 = 0.24)" in wide
    assert "empty in: time to exhaustion" in wide and "data: share of the window" in wide


def test_80_columns_keep_the_objective_and_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = check().stdout
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    header = next(line for line in lines if line.startswith("SLO ") and "status" in line)
    assert "objective" in header and "status" in header
    assert _rows(text)["auth/availability"].split()[1:3] == ["99.9%", "7d"]


def test_whole_day_windows_read_in_days() -> None:
    doc = json.loads(check("-f", "json").stdout)
    windows = {s["key"]: s["window"] for s in doc["slos"]}
    assert windows["auth/availability"] == "7d"  # `window: 7d` in examples/auth.yaml
    assert windows["checkout/latency"] == "28d"  # `window: 28d`, not 4w
    assert windows["auth/probe-uptime"] == "week (UTC)"


def test_markdown_fits_a_pull_request_comment() -> None:
    text = check("-f", "markdown").stdout
    header = next(line for line in text.splitlines() if line.startswith("| "))
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert cells[:3] == ["status", "alert", "SLO"] and len(cells) <= 8
    row = next(line for line in text.splitlines() if "payments/availability" in line)
    assert row.startswith("| ✗ crit | page | **payments/availability** |")
    assert "_budget: error budget left" in text
