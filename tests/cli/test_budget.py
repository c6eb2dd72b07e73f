"""`slo budget`: figures against hand arithmetic and the SRE Workbook's tables.

Sources of the expected values:
- SRE Workbook, ch. 5 "Alerting on SLOs", table 5-4 (99.9 % SLO: burn rate 1 → 0.1 % error
  rate, budget gone in 30 days; 2 → 15 days; 10 → 3 days; 1000 → 43 minutes) and table 5-8
  (page 14.4× over 1 h / 5 m = 2 % of the budget; page 6× over 6 h / 30 m = 5 %; ticket 3× over
  1 d / 2 h = 10 %; ticket 1× over 3 d / 6 h = 10 %).
- Plain arithmetic: 30 d = 2,592,000 s; 0.1 % of it = 2,592 s = 43 min 12 s.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.clirun import slo

DAY = 86400


def run_json(*args: str) -> dict:
    result = slo("budget", *args, "--format", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_999_over_30d_matches_the_sre_workbook_table_5_8() -> None:
    doc = run_json("99.9", "--window", "30d")
    assert doc["schema"] == "slo/budget/v1"
    assert doc["allowed_bad_ratio"] == pytest.approx(0.001, rel=1e-12)
    assert doc["allowed_bad_seconds_per_window"] == pytest.approx(43 * 60 + 12, rel=1e-12)
    rows = [
        (
            a["severity"],
            a["burn_rate"],
            a["long_window_seconds"],
            a["short_window_seconds"],
            a["budget_consumed_ratio"],
            a["time_to_exhaustion_seconds"],
        )
        for a in doc["alerts"]
    ]
    # time to exhaustion = 30 d / burn: 720 h / 14.4 = 50 h, / 6 = 120 h, / 3 = 240 h, / 1 = 720 h
    expected = [
        ("page", 14.4, 3600, 300, 0.02, 50 * 3600),
        ("page", 6, 6 * 3600, 1800, 0.05, 120 * 3600),
        ("ticket", 3, DAY, 2 * 3600, 0.10, 240 * 3600),
        ("ticket", 1, 3 * DAY, 6 * 3600, 0.10, 720 * 3600),
    ]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got[0] == want[0]
        assert got[1:] == pytest.approx(want[1:], rel=1e-12)


def test_999_time_to_exhaustion_matches_the_sre_workbook_table_5_4() -> None:
    doc = run_json("99.9")
    by_burn = {b["burn_rate"]: b for b in doc["burn_rates"]}
    # burn rate → (error rate, time to exhaustion), table 5-4
    for burn, error_rate, tte in [
        (1, 0.001, 30 * DAY),
        (2, 0.002, 15 * DAY),
        (10, 0.01, 3 * DAY),
        (1000, 1.0, 43.2 * 60),
    ]:
        assert by_burn[burn]["error_ratio"] == pytest.approx(error_rate, rel=1e-12)
        assert by_burn[burn]["time_to_exhaustion_seconds"] == pytest.approx(tte, rel=1e-12)


def test_burn_rates_above_a_100_percent_error_rate_are_not_listed() -> None:
    # 99 %: a burn of 1000 would need 1000 % of events to fail; the largest possible is 100×
    doc = run_json("99")
    assert max(b["burn_rate"] for b in doc["burn_rates"]) <= 100


def test_downtime_per_period_for_99_99_percent() -> None:
    doc = run_json("99.99", "--window", "28d")
    got = {d["period"]: d["allowed_bad_seconds"] for d in doc["downtime"]}
    # 0.01 % of each period
    assert got["day"] == pytest.approx(8.64, rel=1e-12)
    assert got["week"] == pytest.approx(60.48, rel=1e-12)
    assert got["28d"] == pytest.approx(241.92, rel=1e-12)
    assert got["30d"] == pytest.approx(259.2, rel=1e-12)
    assert got["quarter (90d)"] == pytest.approx(777.6, rel=1e-12)
    assert got["year (365d)"] == pytest.approx(3153.6, rel=1e-12)
    assert doc["window_seconds"] == 28 * DAY
    assert doc["allowed_bad_seconds_per_window"] == pytest.approx(241.92, rel=1e-12)


def test_factors_scale_with_the_window() -> None:
    # factor = budget share × window / long window: for 7 d, 2 % × 168 h / 1 h = 3.36
    doc = run_json("99.5", "--window", "7d")
    burns = [a["burn_rate"] for a in doc["alerts"]]
    assert burns == pytest.approx([0.02 * 168, 0.05 * 168 / 6, 0.10 * 7, 0.10 * 7 / 3], rel=1e-12)


def test_events_give_the_budget_in_events() -> None:
    doc = run_json("99.9", "--events", "1000000")
    assert doc["events"]["allowed_bad_events_per_window"] == pytest.approx(1000, rel=1e-12)
    assert doc["events"]["allowed_bad_events_per_day"] == pytest.approx(1000 / 30, rel=1e-12)


def test_text_output_shows_the_key_figures() -> None:
    result = slo("budget", "99.9%")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "43m 12s" in out  # downtime per 30 d window
    assert "14.4×" in out and "2d 2h" in out  # 720 h / 14.4 = 50 h
    assert "\x1b[" not in out  # not a terminal: no escape codes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["101"], "OBJECTIVE: must be between 0 and 100 (exclusive), got 101"),
        (["100"], "OBJECTIVE: must be between 0 and 100 (exclusive), got 100"),
        (["abc"], "OBJECTIVE: not a number: 'abc' (e.g. 99.9)"),
        (["99.9", "--window", "30x"], "--window:"),
    ],
    ids=["above 100", "exactly 100", "not a number", "bad window"],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(args: list[str], message: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "slo_cli", "budget", *args], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
