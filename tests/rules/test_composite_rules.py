"""`slo rules` for composite SLOs: a `weighted` composite's rules pass `promtool check rules`
and a `promtool test rules` unit test whose expected alert is computed by hand here; the
other methods are skipped with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.rules.helpers import run_promtool, run_slo

MEMBER = """  - name: {name}
    objective: 50
    window: 1d
    sli:
      ratio:
        bad: '{name}_requests_total{{code="500"}}'
        total: '{name}_requests_total'
    alerting:
      windows:
        - {{severity: page, long: 10m, short: 5m, burn_rate: 5}}
"""
SPEC = (
    "version: slo/v1\nservice: shop\nlabels: {team: web}\nslos:\n"
    + MEMBER.format(name="a")
    + MEMBER.format(name="b")
    + """composites:
  - name: both
    description: a and b, b weighted three times
    objective: 99
    window: 10m
    method: METHOD
    members: [{slo: a}, {slo: b, weight: 3}]
    alerting:
      windows:
        - {severity: page, long: 10m, short: 5m, burn_rate: 1.9}
"""
)
N, START = 45, 31  # samples (one a minute); the bad events of a start with sample START


def _counters(bad_per_minute: int) -> tuple[str, str]:
    """(good, bad) counter values: 100 requests a minute, `bad_per_minute` of them failing
    from sample START on (the first sample is the counters' start value)."""
    good, bad = [1000], [5]
    for i in range(1, N):
        errors = bad_per_minute if i >= START else 0
        good.append(good[-1] + 100 - errors)
        bad.append(bad[-1] + errors)
    return " ".join(map(str, good)), " ".join(map(str, bad))


def test_weighted_composite_alerts_on_weighted_member_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """a fails 10 of its 100 requests a minute from START, b none: per minute the composite
    holds 1×10 bad of 1×100 + 3×100 = 400 events, 2.5 % (burn 2.5 against 1 %). After k
    minutes the 10 m window burns 10k / 4000 / 0.01 = k/4 and the 5 m window min(k,5)/2: the
    1.9 page fires first at k = 8 (8/4 = 2.0, 5/2 = 2.5; k = 7 gives 1.75), i.e. at sample
    START + 7, with the 10 m burn 2.0 as its value and the 10 m budget left 1 - 2 = -100 %."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC.replace("METHOD", "weighted"), encoding="utf-8")
    rules_file = tmp_path / "rules.yml"
    code, _, err = run_slo(capsys, "rules", str(spec), "-o", str(rules_file))
    assert code == 0, err
    assert "warning" not in err
    checked = run_promtool("check", "rules", str(rules_file))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    groups = yaml.safe_load(rules_file.read_text(encoding="utf-8"))["groups"]
    assert [g["name"] for g in groups] == ["slo:shop/a", "slo:shop/b", "slo:shop/both"]
    [alert] = [r for r in groups[2]["rules"] if "alert" in r]
    series = []
    for name, bad_per_minute in (("a", 10), ("b", 0)):
        good, bad = _counters(bad_per_minute)
        series.append({"series": f'{name}_requests_total{{code="200"}}', "values": good})
        series.append({"series": f'{name}_requests_total{{code="500"}}', "values": bad})
    annotations = dict(alert["annotations"])
    annotations.update(
        burn_rate="2.00",
        budget_remaining="-100%",
        summary=annotations["summary"].replace('{{ $value | printf "%.1f" }}', "2.0"),
    )
    labels = {"alertname": "SLOErrorBudgetBurn", **alert["labels"], "slo_window": "10m"}
    fired = START + 7
    cases = [
        {"eval_time": f"{fired - 1}m", "alertname": "SLOErrorBudgetBurn", "exp_alerts": []},
        {
            "eval_time": f"{fired}m",
            "alertname": "SLOErrorBudgetBurn",
            "exp_alerts": [{"exp_labels": labels, "exp_annotations": annotations}],
        },
    ]
    unit = {
        "rule_files": [rules_file.name],
        "evaluation_interval": "1m",
        "group_eval_order": [g["name"] for g in groups],
        "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": cases}],
    }
    test_file = tmp_path / "rules_test.yml"
    test_file.write_text(yaml.safe_dump(unit, sort_keys=False, width=10**9), encoding="utf-8")
    done = run_promtool("test", "rules", test_file.name, cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("method", ["least_healthy", "weighted_burn"])
def test_other_methods_are_skipped_with_a_warning(
    method: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC.replace("METHOD", method), encoding="utf-8")
    code, out, err = run_slo(capsys, "rules", str(spec))
    assert code == 0, err
    line = f"shop/both: composite skipped: `slo rules` writes no rules for {method} yet"
    assert err.splitlines() == [f"slo: warning: {line}"]
    assert f"# {line}" in out.splitlines()
    assert "slo:shop/both" not in out
