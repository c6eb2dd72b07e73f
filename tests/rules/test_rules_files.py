"""`slo rules`: every generated file passes `promtool check rules`, in every format, for every
example spec (native, OpenSLO, Sloth); output is deterministic; bad flags are one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.rules.helpers import ROOT, groups_file, run_promtool, run_slo

EXAMPLES = [
    "examples/checkout.yaml",
    "examples/auth.yaml",
    "examples/payments.yaml",
    "examples/search.yaml",
    "examples/legacy-reports.yaml",
    "examples/catalog.yaml",
    # the journey's composites with their members' specs
    "examples/journey.yaml examples/search.yaml examples/checkout.yaml",
    "examples/openslo/checkout.yaml",
    "examples/sloth/search.yaml",
]
FORMATS = ["prometheus", "prometheus-operator", "mimir"]


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", FORMATS)
def test_promtool_checks_every_example_in_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for spec in EXAMPLES:
        paths = spec.split()
        code, text, err = run_slo(capsys, "rules", *paths, "--format", fmt, "--exhausted-alert")
        assert code == 0, err
        assert "skipped" not in text
        plain = groups_file(text, fmt, tmp_path / f"{Path(paths[0]).stem}.yml")
        if fmt == "prometheus":  # the file itself, not a copy
            plain.write_text(text, encoding="utf-8")
        done = run_promtool("check", "rules", str(plain))
        assert done.returncode == 0, f"{spec} ({fmt}): {done.stdout}{done.stderr}"
        assert "SUCCESS" in done.stdout


def test_operator_and_mimir_envelopes(capsys: pytest.CaptureFixture[str]) -> None:
    _, op, _ = run_slo(
        capsys, "rules", "examples/checkout.yaml", "-f", "prometheus-operator", "--namespace", "obs"
    )
    doc = yaml.safe_load(op)
    assert doc["apiVersion"] == "monitoring.coreos.com/v1" and doc["kind"] == "PrometheusRule"
    assert doc["metadata"]["name"] == "slo-rules" and doc["metadata"]["namespace"] == "obs"
    _, mimir, _ = run_slo(capsys, "rules", "examples/checkout.yaml", "-f", "mimir")
    doc = yaml.safe_load(mimir)
    assert doc["namespace"] == "slo-rules" and [g["name"] for g in doc["groups"]] == [
        "slo:checkout/availability",
        "slo:checkout/latency",
    ]


def test_same_specs_same_bytes_and_atomic_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("rules", "examples", "--exhausted-alert")
    _, first, _ = run_slo(capsys, *args)
    _, second, _ = run_slo(capsys, *args)
    assert first == second
    target = tmp_path / "rules.yml"
    code, out, err = run_slo(capsys, *args, "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == first
    # examples/catalog.yaml has a budget adjustment the rules cannot apply: warned first
    *warnings, wrote = err.splitlines()
    assert wrote.startswith(f"slo: wrote {target}: ")
    assert [w.split(":")[2].strip() for w in warnings] == ["catalog/availability"]
    assert list(tmp_path.iterdir()) == [target]  # no temp file left behind


def test_every_composite_gets_rules_named_in_the_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """examples/journey.yaml holds two composites and no SLO: both get a group, named in the
    header with their members and method; nothing is skipped or warned about."""
    code, out, err = run_slo(capsys, "rules", "examples")
    assert code == 0, err
    assert "composite" not in err
    lag = "their recorded counts, up to one interval after their groups record them"
    assert [x for x in out.splitlines() if x.startswith("# journey/")] == [
        "# journey/browse-to-checkout: weighted composite of 1 × search/availability, "
        f"2 × checkout/availability: {lag}",
        "# journey/weakest-step: least_healthy composite of search/availability, "
        f"checkout/availability: per window the member with the highest error ratio: {lag}",
    ]
    for name in ("browse-to-checkout", "weakest-step"):
        assert f"- name: slo:journey/{name}" in out.splitlines()
    assert "skipped" not in out
    code, out, err = run_slo(capsys, "rules", "examples/checkout.yaml")
    assert code == 0 and "composite" not in err + out


def test_rule_counts_per_slo(capsys: pytest.CaptureFixture[str]) -> None:
    """Default alert windows: 2 interval counts + 7 burn-rate windows + the budget left
    = 10 recording rules, and 4 alerts (+1 with --exhausted-alert). docs/rules.md quotes this."""
    _, text, _ = run_slo(capsys, "rules", "examples/checkout.yaml", "--exhausted-alert")
    group = yaml.safe_load(text)["groups"][0]
    records = [r for r in group["rules"] if "record" in r]
    alerts = [r for r in group["rules"] if "alert" in r]
    assert len(records) == 10 and len(alerts) == 5
    windows = [r["labels"]["slo_window"] for r in records if r["record"] == "slo:burn_rate"]
    assert windows == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    severities = sorted((a["labels"]["severity"], a["labels"]["slo_alert"]) for a in alerts)
    assert severities == [
        ("page", "budget exhausted"),
        ("page", "page 1h/5m"),
        ("page", "page 6h/30m"),
        ("ticket", "ticket 1d/2h"),
        ("ticket", "ticket 3d/6h"),
    ]
    first = alerts[0]
    assert first["annotations"]["runbook_url"] == "https://runbooks.example/checkout/availability"
    assert first["labels"]["team"] == "payments" and first["for"] == "0s"


def test_a_window_the_interval_does_not_divide_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_slo(capsys, "rules", "examples/checkout.yaml", "--interval", "7m")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "slo: error: checkout/availability: alert window 5m is not a multiple of the rule "
        "interval 7m (choose --interval to divide it)"
    ]
    code, _, err = run_slo(capsys, "rules", "examples/checkout.yaml", "--interval", "soon")
    assert code == 2 and err.startswith("slo: error: --interval soon: ")


GROUPED = """version: slo/v1
service: shop
labels: {team: web}
slos:
  - name: availability
    objective: 99.9
    window: 30d
    group_by: [instance, code_class]
    sli:
      ratio:
        bad: 'http_requests_total{service="shop",code=~"5.."} + grpc_errors_total{service="shop"}'
        total: 'http_requests_total{service="shop"} + grpc_requests_total{service="shop"}'
  - name: latency
    objective: 99
    window: 7d
    budgeting: timeslices
    timeslice: {slice: 1m, target: 95}
    group_by: [instance]
    sli:
      latency: {histogram: http_request_duration_seconds, threshold: 300ms}
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_grouped_slos_pass_promtool_in_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "grouped.yaml"
    spec.write_text(GROUPED, encoding="utf-8")
    code, text, err = run_slo(capsys, "rules", str(spec), "--format", fmt, "--exhausted-alert")
    assert code == 0, err
    assert "# shop/availability: one series per group by (instance, code_class)" in text
    plain = groups_file(text, fmt, tmp_path / "grouped.yml")
    done = run_promtool("check", "rules", str(plain))
    assert done.returncode == 0, f"{fmt}: {done.stdout}{done.stderr}"
    groups = yaml.safe_load(plain.read_text(encoding="utf-8"))["groups"]
    [total] = [r for r in groups[0]["rules"] if r.get("record", "").endswith("_total:increase1m")]
    # each term summed by the group labels, and again in the groups a missing term counts 0 in
    assert total["expr"].count("sum by (instance, code_class)(") == 2 + 2 * 2


def test_a_group_label_the_rules_or_the_spec_set_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    for label, what in (("team", "also a spec label"), ("severity", "a label the rules set")):
        spec.write_text(GROUPED.replace("[instance]", f"[{label}]"), encoding="utf-8")
        code, out, err = run_slo(capsys, "rules", str(spec))
        assert code == 2 and out == ""
        assert err.strip() == (
            f"slo: error: shop/latency: group_by label {label!r} is {what}; rename one"
        )


def test_budget_adjustments_the_rules_cannot_apply_are_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "adj.yaml"
    spec.write_text(
        GROUPED.replace(
            "labels: {team: web}\n",
            "labels: {team: web}\nadjustments:\n  - reason: weekly rebuild\n"
            "    rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0\n    duration: 2h\n",
        ),
        encoding="utf-8",
    )
    code, out, err = run_slo(capsys, "rules", str(spec))
    assert code == 0, err
    lines = err.strip().splitlines()
    assert [line.split(": ")[2] for line in lines] == ["shop/availability", "shop/latency"]
    assert all("1 budget adjustment not applied: the rules count every event" in x for x in lines)
    [header] = [line for line in out.splitlines() if line.startswith("# shop/latency: ")]
    assert "1 budget adjustment not applied" in header


def test_a_composite_says_its_members_budget_adjustments_are_not_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`slo check` excludes a member's adjusted events from its composites too; the rules
    cannot: the composite's header line and a stderr warning name the members and counts."""
    spec = tmp_path / "adj.yaml"
    spec.write_text(
        """version: slo/v1
service: shop
slos:
  - name: a
    objective: 99
    window: 7d
    sli: {ratio: {bad: 'x_total{code="500"}', total: 'x_total'}}
    adjustments:
      - {reason: rebuild, rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3", duration: 2h}
      - {reason: outage, start: "2026-11-18T06:10:00Z", end: "2026-11-18T07:00:00Z"}
  - name: b
    objective: 99
    window: 7d
    sli: {ratio: {bad: 'y_total{code="500"}', total: 'y_total'}}
composites:
  - {name: both, objective: 99, window: 7d, method: weighted, members: [{slo: a}, {slo: b}]}
""",
        encoding="utf-8",
    )
    code, out, err = run_slo(capsys, "rules", str(spec))
    assert code == 0, err
    said = [line for line in err.strip().splitlines() if "shop/both" in line]
    assert said == [
        "slo: warning: shop/both: 2 budget adjustments of its members not applied (shop/a (2)): "
        "the composite's rules count every member event (PromQL cannot drop their periods), "
        "while `slo check` excludes those events from the composite too, so around them its "
        "burn rates, budget and alerts may differ; silence planned maintenance in Alertmanager"
    ]
    [header] = [line for line in out.splitlines() if line.startswith("# shop/both: ")]
    assert "2 budget adjustments of its members not applied (shop/a (2))" in header
    assert not [line for line in err.splitlines() if "shop/b:" in line]
