"""`slo check --explain SLO`, `--show-queries`, `slo snapshot --dry-run` and the `--details`
sparkline, on the recorded examples (examples/snapshot.json): every number printed equals the
hand arithmetic on the generator's own increments (tests/check/example_data.py), never the
tool's output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slo_cli.render.sparkline import sparkline
from tests.check.conftest import check, slo
from tests.check.example_data import AT, DAY, HOUR, MONTH_START_BERLIN, ExampleData, bad_and_total

WINDOWS = {"5m": 300.0, "30m": 1800.0, "1h": HOUR, "2h": 2 * HOUR, "6h": 6 * HOUR, "1d": DAY}
WINDOWS["3d"] = 3 * DAY
OBJECTIVE = 0.9995  # payments/availability: 99.95 % over the Berlin month
MONTH_S = 30 * DAY


def _g(x: float) -> str:
    return f"{x:.10g}"


def _n(x: float) -> str:
    return f"{x:,.15g}"


def payments_expected(data: ExampleData) -> dict[str, float]:
    """The figures of payments/availability at AT, by hand."""
    budget = 1 - OBJECTIVE
    bad, total = bad_and_total(data, "payments", MONTH_START_BERLIN, AT)
    out = {"bad": bad, "total": total, "allowed": budget * total}
    out["consumed"] = bad / (budget * total)
    out["remaining"] = 1 - out["consumed"]
    for name, w in WINDOWS.items():
        b, t = bad_and_total(data, "payments", AT - w, AT)
        out[f"bad_{name}"], out[f"total_{name}"] = b, t
        out[f"burn_{name}"] = (b / t) / budget
    out["tte"] = out["remaining"] * MONTH_S / out["burn_1h"]
    return out


def test_explain_text_prints_the_hand_computed_numbers(example_data: ExampleData) -> None:
    run = check("--explain", "payments/availability")
    assert run.code == 1, run.stderr  # the gate's decision for this SLO: a page fires
    text = run.stdout
    e = payments_expected(example_data)
    bad, total = e["bad"], e["total"]
    assert f"good {_n(total - bad)} events, total {_n(total)} events" in text
    assert f"bad = total − good = {_n(bad)}" in text
    assert f"SLI = good ÷ total = {_n(total - bad)} ÷ {_n(total)} = {_g(1 - bad / total)}" in text
    assert f"allowed_bad = (1 − objective) × total = (1 − 0.9995) × {_n(total)}" in text
    assert f"consumed = bad ÷ allowed_bad = {_n(bad)} ÷ " in text
    assert f"= {_g(e['consumed'])} (" in text
    assert f"remaining = 1 − consumed = 1 − {_g(e['consumed'])} = {_g(e['remaining'])}" in text
    for name in WINDOWS:
        b, t = e[f"bad_{name}"], e[f"total_{name}"]
        line = f"burn = ({_n(b)} ÷ {_n(t)}) ÷ (1 − 0.9995) = {_g(e[f'burn_{name}'])}"
        assert line in text, name
    # the alert rules against their thresholds (SRE Workbook factors over a 30-day month)
    assert "page 1h/5m: threshold = 0.02 × 2,592,000 ÷ 3,600 = 14.4;" in text
    assert f"1h {_g(e['burn_1h'])} ≥ 14.4 and 5m {_g(e['burn_5m'])} ≥ 14.4 → FIRES" in text
    assert "ticket 1d/2h: threshold = 0.1 × 2,592,000 ÷ 86,400 = 3;" in text
    assert f"1d {_g(e['burn_1d'])} < 3" in text and "→ does not fire" in text
    assert f"÷ {_g(e['burn_1h'])} = {_g(e['tte'])} s" in text
    assert "Gate: fail on page (spec) → fails: page alert firing; exit code 1" in text
    # bins: the Berlin month on the check grid, and the 1d window's 22 hours + 120 minutes (the
    # minute bins run from 10:00, the whole hour before the end − 2 h; the 6h window's start cuts
    # nothing: it is a whole hour here)
    assert "142 bins: 22 × 1h, 120 × 1m" in text
    assert "124 bins: 4 × 1h, 120 × 1m" in text
    # the queries replayed, each with its range and step as sent
    assert "Queries (4, replayed from snapshot examples/snapshot.json):" in text
    # hourly bins from the UTC midnight before the 3d window's start (epoch-aligned bins) to
    # the minute bins' start (10:00), plus the point before the first one: 3 × 24 + 10 + 1
    assert "step=3600 (83 points 2026-11-17T00:00:00Z … 2026-11-20T10:00:00Z)" in text
    # the last 2 h of 1-minute bins: the raw samples of total (bad is picked from its series),
    # with an hour before them for the first bin's baseline: 3 h = 10,800 s
    assert "instant /api/v1/query time=1795176000 (2026-11-20T12:00:00Z)" in text
    assert 'http_requests_total{service="payments"}[10800s]' in text


def test_explain_json_carries_the_same_figures(example_data: ExampleData) -> None:
    run = check("--explain", "availability", "--service", "payments", "--format", "json")
    assert run.code == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["schema"] == "slo/explain/v1" and doc["exit_code"] == 1
    (got,) = doc["slos"]
    e = payments_expected(example_data)
    ex = got["explain"]
    assert ex["slo_window"]["bad_count"] == e["bad"]
    assert ex["slo_window"]["total_count"] == e["total"]
    assert got["budget_remaining_ratio"] == pytest.approx(e["remaining"], rel=1e-12)
    by_name = {w["name"]: w for w in ex["windows"]}
    for name in WINDOWS:
        assert by_name[name]["bad_count"] == e[f"bad_{name}"], name
        assert by_name[name]["total_count"] == e[f"total_{name}"], name
        assert by_name[name]["burn_rate"] == pytest.approx(e[f"burn_{name}"], rel=1e-12), name
    rules = {r["label"]: r for r in ex["alert_rules"]}
    assert rules["page 1h/5m"]["threshold"] == pytest.approx(14.4, rel=1e-12)
    assert rules["page 1h/5m"]["firing"] and not rules["ticket 1d/2h"]["firing"]
    assert ex["equations"]["burn_rate"] == "burn = (bad ÷ total) ÷ (1 − objective)"
    assert len(doc["queries"]["queries"]) == 4
    kinds = [(q["kind"], bool(q["params"].get("step"))) for q in doc["queries"]["queries"]]
    # the daily and hourly tiers; the pieces of the day the Berlin month starts in (23:00 UTC);
    # the raw samples of the last 7 hours
    assert kinds == [("range", True)] * 2 + [("instant", False)] * 2


def test_explain_names_refined_bins_of_a_counter_reset() -> None:
    # checkout's counter was reset 10 days back: that bin was counted from raw samples
    run = check("--explain", "checkout/availability", "--format", "json")
    assert run.code == 0, run.stderr
    window = json.loads(run.stdout)["slos"][0]["explain"]["slo_window"]
    assert window["refined_bins"], window["bins"]
    kinds = {q["kind"] for q in json.loads(run.stdout)["queries"]["queries"]}
    assert "instant" in kinds  # the raw-sample query of the refined bin, as replayed


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("payments/availabilty", "did you mean payments/availability"),
        ("nosuch/thing", "no such SLO"),
        ("availability", "6 SLOs have that name"),
    ],
)
def test_unknown_or_ambiguous_slo_is_a_usage_error(target: str, message: str) -> None:
    run = check("--explain", target)
    assert run.code == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1


def test_explain_refuses_formats_it_does_not_print() -> None:
    run = check("--explain", "payments/availability", "--format", "csv")
    assert run.code == 2 and "--explain prints --format table or json" in run.stderr


def _snapshot_calls() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    doc = json.loads(Path("examples/snapshot.json").read_text(encoding="utf-8"))
    return {(a["path"], tuple(sorted(a["params"].items()))) for a in doc["answers"]}


def test_show_queries_needs_no_server_and_lists_what_the_snapshot_holds() -> None:
    run = slo("check", "examples/", "--show-queries", "--at", str(int(AT)), "-f", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["schema"] == "slo/queries/v1" and len(doc["slos"]) == 15
    recorded = _snapshot_calls()
    listed = [(q["path"], tuple(sorted(q["params"].items()))) for s in doc["slos"]
              for q in s["queries"]]  # fmt: skip
    # a ratio SLO: 4 calls (the daily and the hourly tier's range query, one instant query of
    # the pieces of the bins its window starts cut, the raw samples of its last 7 hours; the
    # catalog's adjustment edges are cuts too); a latency SLI also asks for its `le` values and
    # reads the raw samples of its bucket and its count in one call each; two probe SLOs read
    # one gauge query each, the index-freshness template 4: 59 calls, of which the 5 of
    # checkout/latency-customer are checkout/latency-internal's (one OpenSLO SLO with two
    # objectives: the same SLI and window, so the same calls, sent once)
    per_slo = {s["key"]: len(s["queries"]) for s in doc["slos"]}
    assert per_slo["checkout/latency-customer"] == 0
    assert per_slo["checkout/latency-internal"] == 5
    assert per_slo["catalog/availability"] == per_slo["auth/availability"] == 4
    assert len(listed) == 59 - 5
    # recorded by a live run at the same instant: every planned call is among its answers
    assert [c for c in listed if c not in recorded] == []
    text = slo("check", "examples/", "--show-queries", "--at", str(int(AT)))
    assert text.code == 0 and "54 call(s), none sent" in text.stdout
    assert "so not listed: for bins with a counter reset" in text.stdout


def test_show_queries_of_one_slo_and_from_a_snapshot() -> None:
    run = check("--show-queries", "--explain", "payments/availability")
    assert run.code == 0, run.stderr
    assert "Queries for 1 SLO(s) at 2026-11-20T12:00:00Z: 4 call(s)" in run.stdout


def test_snapshot_dry_run_lists_without_a_server(tmp_path: Path) -> None:
    out = tmp_path / "snap.json"
    run = slo(
        "snapshot", "examples/", "--out", str(out), "--at", str(int(AT)), "--period", "7d",
        "--dry-run",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert not out.exists()
    assert "none sent" in run.stdout
    assert "payments/availability (report 7d)" in run.stdout
    listed = re.findall(r"^  \d+\. ", run.stdout, flags=re.M)
    assert len(listed) > 42  # the check's 42 and the report's own grid


def test_sparkline_characters_for_known_hourly_burns() -> None:
    assert sparkline([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]) == "▁▁▂▃▄▅▆▇█"
    assert sparkline([0.5, float("nan"), 0.25]) == "▄ ▂"  # below 1: scaled to 1, stays low
    assert sparkline([float("inf"), 0.0]) == "█▁"


def test_details_show_the_last_24_hours_of_burn(example_data: ExampleData) -> None:
    run = check("--details", "--service", "payments")
    line = next(x for x in run.stdout.splitlines() if "burn, last 24 h" in x)
    # hand arithmetic: each hour's (bad ÷ total) ÷ (1 − objective), the highest is █
    burns = []
    for k in range(24, 0, -1):
        b, t = bad_and_total(example_data, "payments", AT - k * HOUR, AT - (k - 1) * HOUR)
        burns.append((b / t) / (1 - OBJECTIVE))
    assert sparkline(burns) in line
    assert line.split(": ", 1)[1].startswith("▁" * 22)  # quiet until the incident
    assert f"max {max(burns):.3g}×" in line


def test_explain_with_since_shows_the_stretch_since_the_deploy(example_data: ExampleData) -> None:
    run = check("--explain", "payments/availability", "--since", "2026-11-20T10:00:00Z")
    assert run.code == 1, run.stderr
    e = payments_expected(example_data)  # since 10:00 = the last 2 hours
    b, t = e["bad_2h"], e["total_2h"]
    assert f"good {_n(t - b)}, total {_n(t)}, bad {_n(b)}; coverage 1;" in run.stdout
    assert f"burn = ({_n(b)} ÷ {_n(t)}) ÷ (1 − 0.9995) = {_g(e['burn_2h'])} (average)" in run.stdout
    assert f"= {_g(b / e['allowed'])} of the SLO window's budget" in run.stdout
