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
ALLOWED = 0.001  # 1 − 99.9 %, as its exact decimal (the rules write it so, as `slo check`)
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


def _generate(spec_text: str, for_s: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """`slo rules` of the spec (5-minute interval, with the exhausted alert): the rule file
    and its alerts by label."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(spec_text, encoding="utf-8")
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
    return rules_file, rules


def _promtool_test(rules_file: Path, tests: list[dict]) -> None:
    unit = {"rule_files": [rules_file.name], "evaluation_interval": f"{STEP}s", "tests": tests}
    test_file = rules_file.parent / "rules_test.yml"
    test_file.write_text(yaml.safe_dump(unit, sort_keys=False, width=10**9), encoding="utf-8")
    done = run_promtool("test", "rules", test_file.name, cwd=rules_file.parent)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("for_s", [0, 600])
def test_generated_unit_tests_pass_for_every_alert(
    for_s: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_file, rules = _generate(SPEC, for_s, tmp_path, capsys)
    tests = []
    for target, (base, burn, bins) in SCENARIOS.items():
        good, bad = scenario(base, burn, bins)
        tests.append(_test_case(good, bad, rules, for_s // STEP, target))
    _promtool_test(rules_file, tests)


GROUPED_SPEC = SPEC.replace("    runbook_url:", "    group_by: [instance]\n    runbook_url:")


def _grouped_case(target: str, rules: dict, for_bins: int) -> dict:
    """Instance a burns (the target's scenario), instance b serves the same traffic without
    errors: only a's group alerts, with its label and its own budget in the annotations."""
    good, bad = scenario(*SCENARIOS[target])
    clean_good, clean_bad = scenario(SCENARIOS[target][0], 0.0, SCENARIOS[target][2])
    assert (clean_bad == clean_bad[0]).all()  # no errors at all
    assert not any(e["firing"] for e in expected(clean_good, clean_bad, for_bins))
    case = _test_case(good, bad, rules, for_bins, target)
    for test in case["alert_rule_test"]:
        for alert in test["exp_alerts"]:
            alert["exp_labels"]["instance"] = "a"
            ann = alert["exp_annotations"]
            for key, text in ann.items():
                ann[key] = text.replace("{{ $labels.instance }}", "a")
    case["input_series"] = [
        {
            "series": f'http_requests_total{{service="shop",code="{code}",instance="{i}"}}',
            "values": _series(values),
        }
        for i, pair in (("a", (good, bad)), ("b", (clean_good, clean_bad)))
        for code, values in zip(("200", "500"), pair, strict=True)
    ]
    return case


@pytest.mark.parametrize("for_s", [0, 600])
def test_generated_unit_tests_of_a_grouped_slo_alert_per_group(
    for_s: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_file, rules = _generate(GROUPED_SPEC, for_s, tmp_path, capsys)
    summary = rules["page 1h/5m"]["annotations"]["summary"]
    assert summary.startswith('shop/availability{instance="{{ $labels.instance }}"}: ')
    _promtool_test(rules_file, [_grouped_case(t, rules, for_s // STEP) for t in SCENARIOS])


SIGNED_SPEC = """version: slo/v1
service: shop
slos:
  - name: signed
    objective: 99
    window: 1d
    group_by: [instance]
    sli:
      ratio:
        good: 'a_total + b_total'
        total: 'c_total'
"""


def test_a_grouped_signed_sum_counts_a_missing_term_as_zero_per_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Per group: good = a + b where only the group's present terms count (x has no b, z no
    good term at all), bad = total − good — the rule of `slo check`'s grouped counts."""
    spec = tmp_path / "signed.yaml"
    spec.write_text(SIGNED_SPEC, encoding="utf-8")
    out = str(tmp_path / "rules.yml")
    code, _, err = run_slo(capsys, "rules", str(spec), "--interval", "5m", "-o", out)
    assert code == 0, err
    per = {("a", "x"): 10, ("c", "x"): 15, ("a", "y"): 3, ("b", "y"): 4, ("c", "y"): 10}
    per[("c", "z")] = 8
    inputs = [
        {"series": f'{m}_total{{instance="{i}"}}', "values": f"100+{n}x4"}
        for (m, i), n in per.items()
    ]
    want = {"x": (15, 15 - 10), "y": (10, 10 - 7), "z": (8, 8)}  # (total, bad) per interval

    def expect(metric: str, k: int) -> list[dict]:
        return [
            {
                "labels": f'{metric}{{instance="{i}",slo_name="signed",slo_service="shop"}}',
                "value": v[k],
            }
            for i, v in sorted(want.items())
        ]

    unit = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "5m",
                "input_series": inputs,
                "promql_expr_test": [
                    {"expr": m, "eval_time": "10m", "exp_samples": expect(m, k)}
                    for m, k in (
                        ("slo:sli_events_total:increase5m", 0),
                        ("slo:sli_events_bad:increase5m", 1),
                    )
                ],
            }
        ],
    }
    (tmp_path / "t.yml").write_text(yaml.safe_dump(unit, sort_keys=False), encoding="utf-8")
    done = run_promtool("test", "rules", "t.yml", cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
