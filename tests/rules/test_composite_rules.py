"""`slo rules` for composite SLOs: generated `promtool test rules` unit tests for every method
(weighted, least_healthy, weighted_burn), each alert of each severity (page, ticket, the budget
exhausted page), with the alerts expected at every minute computed here from the input
counters by the methods' definitions (docs/spec-language.md), never by the tool."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.rules.helpers import run_promtool, run_slo

MEMBER = """  - name: {name}
    objective: {objective}
    window: 1d
    sli:
      ratio:
        bad: '{name}_requests_total{{code="500"}}'
        total: '{name}_requests_total'
    alerting: {{windows: []}}
"""
#: member -> (objective, allowed share 1 − objective as written, requests a minute, weight)
MEMBERS = {"a": (96, 0.04, 97, 1.0), "b": (97, 0.03, 211, 3.0)}
ALLOWED = 0.01  # the composite's 99 %
SPEC = (
    "version: slo/v1\nservice: shop\nlabels: {team: web}\nslos:\n"
    + "".join(MEMBER.format(name=n, objective=o) for n, (o, *_) in MEMBERS.items())
    + """composites:
  - name: both
    description: a and b, b weighted three times
    objective: 99
    window: 1h
    method: METHOD
    members: [{slo: a}, {slo: b, weight: 3}]
    alerting:
      windows:
        - {severity: page, long: 10m, short: 5m, burn_rate: PAGE}
        - {severity: ticket, long: 30m, short: 10m, burn_rate: TICKET}
"""
)
N = 130  # samples, one a minute
#: bad requests a minute: a fails 3 of 97 from minute 20 to 109, b 10 of 211 from 60 to 74
#: (odd counts: no burn rate lands on a rounding boundary of the annotations' %.1f)
ERRORS = {"a": (20, 110, 3), "b": (60, 75, 10)}
#: per method: (page threshold, ticket threshold), each crossed in the scenario
THRESHOLDS = {"weighted": (4, 2), "least_healthy": (4, 2.5), "weighted_burn": (2, 1.2)}
WINDOWS = {"page": (10, 5), "ticket": (30, 10)}
LABELS = {"page": "page 10m/5m", "ticket": "ticket 30m/10m"}


def _increments(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(bad, total) events per minute; minute 0 is the counters' start value (no events)."""
    lo, hi, per = ERRORS[name]
    total = np.full(N, float(MEMBERS[name][2]))
    bad = np.where((np.arange(N) >= lo) & (np.arange(N) < hi), float(per), 0.0)
    total[0] = bad[0] = 0.0
    return bad, total


def _counters(name: str) -> tuple[str, str]:
    bad, total = _increments(name)
    good = np.cumsum(total - bad) + 1000
    return " ".join(str(int(v)) for v in good), " ".join(str(int(v)) for v in np.cumsum(bad) + 5)


def burn(method: str, i: int, minutes: int) -> float:
    """The composite's burn rate over the `minutes` ending at minute i, by its definition."""
    sums = {}
    for name in MEMBERS:
        bad, total = _increments(name)
        lo = max(0, i - minutes + 1)
        sums[name] = (bad[lo : i + 1].sum(), total[lo : i + 1].sum())
    if method == "weighted":  # weighted events
        bad = sum(MEMBERS[n][3] * b for n, (b, _) in sums.items())
        total = sum(MEMBERS[n][3] * t for n, (_, t) in sums.items())
        return float(bad / total / ALLOWED) if total else float("nan")
    if method == "least_healthy":  # the highest error ratio, against the composite's objective
        ratios = [b / t for b, t in sums.values() if t > 0]
        return float(max(ratios) / ALLOWED) if ratios else float("nan")
    # weighted_burn: Σ weight × the member's burn against its own objective
    return float(sum(MEMBERS[n][3] * (b / t) / MEMBERS[n][1] for n, (b, t) in sums.items() if t))


def budget_minutes(window: str) -> int:
    """The minutes the budget left is measured over: the rolling hour, or for the calendar week
    (UTC) everything since the week began (promtool's time 0 is Thursday 1970-01-01, so the
    whole input lies in the week from Monday 1969-12-29)."""
    return 60 if window == "1h" else N


def expected(method: str, window: str = "1h") -> list[dict[str, float]]:
    """Per minute: alert label -> its value ($value: the long window's burn; 0 for exhausted)."""
    page, ticket = THRESHOLDS[method]
    budget = budget_minutes(window)
    out = []
    for i in range(N):
        firing = {}
        for severity, factor in (("page", page), ("ticket", ticket)):
            long_m, short_m = WINDOWS[severity]
            if burn(method, i, long_m) >= factor and burn(method, i, short_m) >= factor:
                firing[LABELS[severity]] = burn(method, i, long_m)
        if 1 - burn(method, i, budget) <= 0:
            firing["budget exhausted"] = 0.0
        out.append(firing)
    return out


def _exp_alert(rule: dict, value: float, remaining: float) -> dict:
    labels = {"alertname": rule["alert"], **rule["labels"]}
    if rule["alert"] == "SLOErrorBudgetBurn":
        labels["slo_window"] = rule["labels"]["slo_alert"].split()[1].split("/")[0]
    ann = dict(rule["annotations"])
    ann["budget_remaining"] = f"{remaining * 100:.4g}%"  # Go's humanizePercentage
    if "burn_rate" in ann:
        ann["burn_rate"] = f"{value:.2f}"
        ann["summary"] = ann["summary"].replace('{{ $value | printf "%.1f" }}', f"{value:.1f}")
    return {"exp_labels": labels, "exp_annotations": ann}


def _generate(spec_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    spec = tmp_path / "shop.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    rules_file = tmp_path / "rules.yml"
    code, _, err = run_slo(capsys, "rules", str(spec), "--exhausted-alert", "-o", str(rules_file))
    assert code == 0, err
    assert "warning" not in err
    checked = run_promtool("check", "rules", str(rules_file))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return rules_file


def _promtool_test(rules_file: Path, groups: list[dict], series: list[dict], cases: list) -> None:
    unit = {
        "rule_files": [rules_file.name],
        "evaluation_interval": "1m",
        "group_eval_order": [g["name"] for g in groups],
        "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": cases}],
    }
    test_file = rules_file.parent / "rules_test.yml"
    test_file.write_text(yaml.safe_dump(unit, sort_keys=False, width=10**9), encoding="utf-8")
    done = run_promtool("test", "rules", test_file.name, cwd=rules_file.parent)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "SUCCESS" in done.stdout


def _input_series() -> list[dict]:
    series = []
    for name in MEMBERS:
        good, bad = _counters(name)
        series.append({"series": f'{name}_requests_total{{code="200"}}', "values": good})
        series.append({"series": f'{name}_requests_total{{code="500"}}', "values": bad})
    return series


@pytest.mark.parametrize("window", ["1h", "{calendar: week}"])
@pytest.mark.parametrize("method", ["weighted", "least_healthy", "weighted_burn"])
def test_every_alert_of_every_method_fires_in_the_minutes_its_definition_says(
    method: str, window: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page, ticket = THRESHOLDS[method]
    text = SPEC.replace("METHOD", method).replace("PAGE", f"{page}")
    text = text.replace("    window: 1h\n", f"    window: {window}\n")
    rules_file = _generate(text.replace("TICKET", f"{ticket}"), tmp_path, capsys)
    groups = yaml.safe_load(rules_file.read_text(encoding="utf-8"))["groups"]
    assert [g["name"] for g in groups] == ["slo:shop/a", "slo:shop/b", "slo:shop/both"]
    rules = {r["labels"]["slo_alert"]: r for r in groups[2]["rules"] if "alert" in r}
    assert sorted(rules) == sorted([*LABELS.values(), "budget exhausted"])
    exp = expected(method, window)
    budget = budget_minutes(window)
    for label in rules:  # each alert fires in some minutes and not in others
        on = [label in e for e in exp]
        assert any(on) and not all(on), (method, label)
    cases = []
    for i, firing in enumerate(exp):
        left = 1 - burn(method, i, budget)
        alerts = [_exp_alert(rules[k], v, left) for k, v in firing.items()]
        for name in ("SLOErrorBudgetBurn", "SLOErrorBudgetExhausted"):
            mine = [a for a in alerts if a["exp_labels"]["alertname"] == name]
            cases.append({"eval_time": f"{i}m", "alertname": name, "exp_alerts": mine})
    _promtool_test(rules_file, groups, _input_series(), cases)


def test_least_healthy_follows_the_member_with_the_highest_error_ratio() -> None:
    """By hand: from minute 20 a fails 3 of 97 (ratio 0.0309, burn 3.09 against 1 %); b's
    incident (10 of 211 a minute, 0.0474) makes b the least healthy: 5 minutes in, its
    5-minute burn is 4.74 while a's stays 3.09; weighted_burn at that minute:
    1 × (3/97)/0.04 + 3 × (10/211)/0.03 = 0.773 + 4.739; weighted: (3 + 3 × 10) / (97 + 3 × 211)."""
    assert burn("least_healthy", 40, 5) == pytest.approx(3 / 97 / 0.01)
    assert burn("least_healthy", 64, 5) == pytest.approx(10 / 211 / 0.01)
    assert burn("weighted_burn", 64, 5) == pytest.approx(3 / 97 / 0.04 + 3 * 10 / 211 / 0.03)
    assert burn("weighted", 64, 5) == pytest.approx(33 / 730 / 0.01)


EXACT = """version: slo/v1
service: shop
slos:
  - name: a
    objective: 99
    window: 1h
    sli:
      ratio:
        bad: 'a_requests_total{code="500"}'
        total: 'a_requests_total'
    alerting:
      windows:
        - {severity: page, long: 10m, short: 5m, burn_rate: 1}
"""


def test_a_window_exactly_as_bad_as_the_objective_allows_burns_exactly_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1 bad of 100 a minute at 99 % is a burn rate of exactly 1 (as `slo check` computes
    it) from the first minute with events on: the threshold of 1 is reached. Written as
    `/ (1 - 0.99)` (0.010000000000000009) the burn would be 0.9999999999999991 and the alert
    silent."""
    rules_file = _generate(EXACT, tmp_path, capsys)
    text = rules_file.read_text(encoding="utf-8")
    assert "(1 - 0.99)" not in text and "/ 0.01" in text
    groups = yaml.safe_load(text)["groups"]
    [rule] = [r for r in groups[0]["rules"] if r.get("alert") == "SLOErrorBudgetBurn"]
    good = " ".join(str(1000 + 99 * i) for i in range(20))
    bad = " ".join(str(5 + i) for i in range(20))
    series = [
        {"series": 'a_requests_total{code="200"}', "values": good},
        {"series": 'a_requests_total{code="500"}', "values": bad},
    ]
    cases = [
        {
            "eval_time": f"{m}m",
            "alertname": "SLOErrorBudgetBurn",
            "exp_alerts": [_exp_alert(rule, 1.0, 0.0)] if m >= 1 else [],
        }
        for m in (0, 1, 10, 15)
    ]
    _promtool_test(rules_file, groups, series, cases)


MIXED = """version: slo/v1
service: shop
slos:
  - name: fast
    objective: 99
    window: 1d
    budgeting: timeslices
    sli:
      timeslices: {query: 'probe_success{job="a"}', good_when: ">= 1", slice: 1m}
  - name: slow
    objective: 99
    window: 1d
    budgeting: timeslices
    sli:
      timeslices: {query: 'probe_success{job="b"}', good_when: ">= 1", slice: 5m}
composites:
  - name: both
    objective: 99
    window: 1d
    method: METHOD
    members: [{slo: fast}, {slo: slow}]
"""


@pytest.mark.parametrize("method", ["weighted", "least_healthy", "weighted_burn"])
def test_members_at_different_intervals_are_summed_into_the_coarsest(
    method: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member with 1-minute slices and one with 5-minute slices: the composite's group runs
    every 5 minutes and each copy sums the member's series over the last 5 m less 1 ms (five
    of the fast member's samples, one of the slow one's); the header says so. A composite
    window the common interval does not divide is exit 2."""
    rules_file = _generate(MIXED.replace("METHOD", method), tmp_path, capsys)
    text = rules_file.read_text(encoding="utf-8")
    groups = {g["name"]: g for g in yaml.safe_load(text)["groups"]}
    both = groups["slo:shop/both"]
    assert [groups[f"slo:shop/{n}"]["interval"] for n in ("fast", "slow")] == ["1m", "5m"]
    assert both["interval"] == "5m"
    copies = [r for r in both["rules"] if r.get("record", "").endswith(":increase5m")]
    assert len(copies) == 2
    for rule in copies:
        kind = "total" if "total" in rule["record"] else "bad"
        for member, e in (("fast", "1m"), ("slow", "5m")):
            sel = f'slo:sli_events_{kind}:increase{e}{{slo_service="shop",slo_name="{member}"}}'
            assert f"{sel}[4m59s999ms]" in rule["expr"]
    assert "members record at different intervals (shop/fast every 1m, shop/slow every 5m)" in text
    bad = MIXED.replace("METHOD", method).replace(
        "    window: 1d\n    method", "    window: 7m\n    method"
    )
    (tmp_path / "shop.yaml").write_text(bad, encoding="utf-8")
    code, out, err = run_slo(capsys, "rules", str(tmp_path / "shop.yaml"))
    assert code == 2 and out == ""
    assert "shop/both: composite" in err and "common rule interval 5m" in err
