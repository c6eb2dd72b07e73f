"""Generated `promtool test rules` unit tests: input counters -> the alerts that must be firing.

For each alert of each severity (and the budget-exhausted alert) a scenario: error-free traffic,
then a constant error ratio chosen to cross that alert's threshold. The expected alerts at each
evaluation time come from plain arithmetic on the input series here (per-interval increases,
window sums, burn = bad/total ÷ (1 − objective), the SRE Workbook factors 14.4, 6, 3, 1 for a
30-day window), never from the tool; promtool then evaluates the generated rules on the inputs.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.rules.helpers import run_promtool, run_slo

STEP = 300  # scrape and evaluation interval of the scenarios (s)
PER_BIN = 10_000  # requests per interval
ALLOWED = 1 - 0.999
RUNBOOK = "https://runbooks.example/shop"
SPEC = f"""version: slo/v1
service: shop
labels: {{team: web}}
slos:
  - name: availability
    description: Shop requests without a 5xx
    objective: 99.9
    window: 30d
    runbook_url: {RUNBOOK}
    sli:
      ratio:
        bad: 'http_requests_total{{service="shop",code="500"}}'
        total: 'http_requests_total{{service="shop"}}'
"""
#: (label, long s, short s, factor for 30 days) — SRE Workbook table 5-8
RULES = [
    ("page 1h/5m", 3600, 300, 14.4),
    ("page 6h/30m", 21600, 1800, 6.0),
    ("ticket 1d/2h", 86400, 7200, 3.0),
    ("ticket 3d/6h", 259200, 21600, 1.0),
]


def scenario(baseline_bins: int, burn: float, incident_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Counter values (good series, bad series) per STEP: no errors, then `burn` × allowed."""
    bad_per = math.ceil(burn * ALLOWED * PER_BIN)
    n = baseline_bins + incident_bins
    bad_inc = np.zeros(n)
    bad_inc[baseline_bins:] = bad_per
    good_inc = PER_BIN - bad_inc
    good_inc[0] = bad_inc[0] = 0  # the first sample is a start value, not events
    return np.cumsum(good_inc) + 5000, np.cumsum(bad_inc) + 7


def expected(good: np.ndarray, bad: np.ndarray, for_bins: int) -> list[dict[str, object]]:
    """Per evaluation index: the alerts firing, from window sums of the increases."""
    g_inc = np.diff(good, prepend=np.nan)
    b_inc = np.diff(bad, prepend=np.nan)
    t_inc = np.nan_to_num(g_inc + b_inc)
    b_inc = np.nan_to_num(b_inc)

    def burn(i: int, window: int) -> float:
        lo = max(0, i - window // STEP + 1)
        total = t_inc[lo : i + 1].sum()
        return float((b_inc[lo : i + 1].sum() / total) / ALLOWED) if total > 0 else math.nan

    out = []
    cond: dict[str, list[bool]] = {label: [] for label, *_ in RULES}
    cond["exhausted"] = []
    for i in range(good.size):
        firing: dict[str, float] = {}
        for label, long_s, short_s, factor in RULES:
            on = burn(i, long_s) >= factor and burn(i, short_s) >= factor
            cond[label].append(on)
            if len(cond[label]) > for_bins and all(cond[label][-for_bins - 1 :]):
                firing[label] = burn(i, long_s)
        remaining = 1 - burn(i, 30 * 86400)
        cond["exhausted"].append(remaining <= 0)
        if len(cond["exhausted"]) > for_bins and all(cond["exhausted"][-for_bins - 1 :]):
            firing["budget exhausted"] = 0.0
        out.append({"firing": firing, "remaining": remaining})
    return out


def _humanize_percentage(ratio: float) -> str:
    return f"{ratio * 100:.4g}%"  # Go's humanizePercentage: %.4g of the percentage


def exp_alert(rules: dict[str, dict], label: str, value: float, remaining: float) -> dict:
    rule = rules[label]
    labels = {"alertname": rule["alert"], **rule["labels"]}
    labels.update(slo_service="shop", slo_name="availability")
    if label != "budget exhausted":
        labels["slo_window"] = label.split()[1].split("/")[0]
    ann = dict(rule["annotations"])
    ann["budget_remaining"] = _humanize_percentage(remaining)
    if "burn_rate" in ann:
        ann["burn_rate"] = f"{value:.2f}"
        ann["summary"] = ann["summary"].replace('{{ $value | printf "%.1f" }}', f"{value:.1f}")
    return {"exp_labels": labels, "exp_annotations": ann}


def _series(values: np.ndarray) -> str:
    return " ".join(str(int(v)) for v in values)


def _test_case(good: np.ndarray, bad: np.ndarray, rules: dict, for_bins: int, target: str):
    exp = expected(good, bad, for_bins)
    first = next(i for i, e in enumerate(exp) if target in e["firing"])
    cases = []
    for i in (first - 1, first, first + 1):
        alerts = [
            exp_alert(rules, label, value, exp[i]["remaining"])
            for label, value in exp[i]["firing"].items()
        ]
        for name in ("SLOErrorBudgetBurn", "SLOErrorBudgetExhausted"):
            mine = [a for a in alerts if a["exp_labels"]["alertname"] == name]
            cases.append({"eval_time": f"{i * STEP}s", "alertname": name, "exp_alerts": mine})
    assert target not in exp[first - 1]["firing"]
    return {
        "interval": f"{STEP}s",
        "input_series": [
            {"series": 'http_requests_total{service="shop",code="200"}', "values": _series(good)},
            {"series": 'http_requests_total{service="shop",code="500"}', "values": _series(bad)},
        ],
        "alert_rule_test": cases,
    }


SCENARIOS = {
    # target alert: (error-free bins, burn, incident bins) — each crosses the target's threshold
    "page 1h/5m": (12 * 24, 18.8, 24),
    "page 6h/30m": (12 * 24, 7.8, 12 * 8),
    "ticket 1d/2h": (12 * 24 * 3, 3.9, 12 * 24),
    "ticket 3d/6h": (12 * 24 * 3, 1.3, 12 * 60),
    "budget exhausted": (12 * 24, 18.8, 24),
}


@pytest.mark.parametrize("for_s", [0, 600])
def test_generated_unit_tests_pass_for_every_alert(
    for_s: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    rules_file = tmp_path / "rules.yml"
    code, _, err = run_slo(
        capsys,
        "rules",
        str(spec),
        "--interval",
        "5m",
        "--exhausted-alert",
        "--for",
        f"{for_s}s",
        "-o",
        str(rules_file),
    )
    assert code == 0, err
    group = yaml.safe_load(rules_file.read_text(encoding="utf-8"))["groups"][0]
    rules = {r["labels"]["slo_alert"]: r for r in group["rules"] if "alert" in r}
    assert sorted(rules) == sorted(SCENARIOS)
    tests = []
    for target, (base, burn, bins) in SCENARIOS.items():
        good, bad = scenario(base, burn, bins)
        tests.append(_test_case(good, bad, rules, for_s // STEP, target))
    unit = {
        "rule_files": [rules_file.name],
        "evaluation_interval": f"{STEP}s",
        "tests": tests,
    }
    test_file = tmp_path / "rules_test.yml"
    test_file.write_text(yaml.safe_dump(unit, sort_keys=False, width=10**9), encoding="utf-8")
    done = run_promtool("test", "rules", test_file.name, cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "SUCCESS" in done.stdout
