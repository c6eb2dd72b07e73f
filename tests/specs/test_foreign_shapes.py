"""Issue 11's corpus: every shape OpenSLO v1 and Sloth files legally take, one test per rule.

The files are written here from the formats' own definitions; each test cites where the rule
comes from: the OpenSLO v1 specification (OpenSLO/OpenSLO README.md, "SLO", "SLI",
"AlertPolicy", "AlertCondition"), the OpenSLO Go SDK (OpenSLO/go-sdk pkg/openslo/v1: slo.go,
alert_condition.go, examples/*.yaml) and Sloth (slok/sloth pkg/prometheus/api/v1/v1.go,
internal/storage/io/sloth.go, pkg/common/validation/slo.go).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from slo_specs.errors import SpecError
from slo_specs.loader import check_paths, load_text
from slo_specs.openslo_sli import GAUGE_NOTE
from slo_specs.sloth import RAW_NOTE, RECOGNISED_NOTE


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(text: str, path: str = "spec.yaml") -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_text(textwrap.dedent(text), path)
    return [str(p) for p in caught.value.problems]


SLI_DOC = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: shop-errors}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {metricSourceRef: prom, spec: {query: 'errors_total{service="shop"}'}}}
    total: {metricSource: {metricSourceRef: prom, spec: {query: 'requests_total{service="shop"}'}}}
"""
DATASOURCE_DOC = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: http://prometheus:9090}}
"""
SLO_DOC = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: availability}
spec:
  service: shop
  indicatorRef: shop-errors
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""


def _as_list(*docs: str) -> str:
    """Documents as one YAML list of objects, the Go SDK's file form."""
    items = []
    for doc in docs:
        lines = doc.splitlines()
        items.append("\n".join(["- " + lines[0], *("  " + line for line in lines[1:])]))
    return "\n".join(items) + "\n"


# ------------------------------------------------------------------------------------- OpenSLO


def test_an_openslo_file_whose_top_level_is_a_list_of_objects_is_read() -> None:
    """go-sdk pkg/openslo/v1/examples/slos.yaml and the SDK's decoder take a YAML list."""
    [spec] = load_text(_as_list(DATASOURCE_DOC, SLI_DOC, SLO_DOC), "list.yaml")
    [slo] = spec.slos
    assert slo.sli.ratio is not None
    assert (slo.sli.ratio.bad, slo.sli.ratio.total) == (
        'errors_total{service="shop"}',
        'requests_total{service="shop"}',
    )


def test_a_problem_in_a_listed_object_points_at_its_line() -> None:
    text = _as_list(DATASOURCE_DOC, SLI_DOC, SLO_DOC.replace("target: 0.999", "target: 1.5"))
    [problem] = messages(text, "list.yaml")
    assert problem.startswith("list.yaml:21:27: spec.objectives[0].target:")
    assert "target: must be between 0 and 1 (exclusive), got 1.5" in problem


def test_references_resolve_across_every_file_given(tmp_path: Path) -> None:
    """README (SLO): indicatorRef names an SLI object, metricSourceRef a DataSource object;
    objects are files of their own in the spec's examples."""
    write(tmp_path, "sli.yaml", SLI_DOC)
    write(tmp_path, "datasource.yaml", DATASOURCE_DOC)
    write(tmp_path, "slo.yaml", SLO_DOC)
    report = check_paths([tmp_path])
    assert report.problems == ()
    assert [slo.key for spec in report.specs for slo in spec.slos] == ["shop/availability"]


def test_a_reference_to_a_missing_object_is_one_located_line_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "sli.yaml", SLI_DOC)
    write(tmp_path, "slo.yaml", SLO_DOC.replace("indicatorRef: shop-errors", "indicatorRef: nope"))
    report = check_paths([tmp_path])
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'slo.yaml'}:6:17: spec.indicatorRef: no SLI named 'nope' in the spec files "
        "read (SLI names: shop-errors)"
    ]


def test_a_file_of_objects_without_slos_is_valid(tmp_path: Path) -> None:
    """README: SLI, DataSource, Service and Alert* are objects of their own (kind: SLI ...)."""
    path = write(tmp_path, "objects.yaml", DATASOURCE_DOC + "---\n" + SLI_DOC)
    report = check_paths([path])
    assert (report.problems, report.specs) == ((), ())


def test_the_same_object_name_in_two_files_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SLI_DOC)
    write(tmp_path, "b.yaml", SLI_DOC)
    [problem] = check_paths([tmp_path]).problems
    assert "duplicate SLI name 'shop-errors' (also in" in problem.message


def _inline(query_bad: str, query_total: str, counter: str = "true") -> str:
    return f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: availability}}
spec:
  service: shop
  indicator:
    metadata: {{name: errors}}
    spec:
      ratioMetric:
        counter: {counter}
        bad: {{metricSource: {{type: Prometheus, spec: {{query: '{query_bad}'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: '{query_total}'}}}}}}
  timeWindow: [{{duration: 28d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999}}]
"""


def test_counter_true_queries_grouped_by_labels_become_one_slo_per_group() -> None:
    """README (SLI): counter: true says the metric is a counter; `sum by (host)` keeps hosts."""
    text = _inline(
        "sum by (host) (rate(errors_total[5m]))", "sum by (host) (rate(requests_total[5m]))"
    )
    [spec] = load_text(text, "grouped.yaml")
    [slo] = spec.slos
    assert slo.group_by == ["host"]
    assert slo.sli.ratio is not None and slo.sli.ratio.bad == "errors_total"


def test_counter_false_rates_of_counters_count_the_counters_and_gauges_are_approximate() -> None:
    """README (SLI): counter: false is "a single number that can arbitrarily go up or down":
    a rate of a counter is such a number, and still the counter's events per second."""
    [rated] = load_text(
        _inline("sum(rate(errors_total[1m]))", "sum(rate(requests_total[1m]))", "false"), "r.yaml"
    )
    assert rated.slos[0].sli.ratio is not None
    [gauge] = load_text(
        _inline("errors_in_last_minute", "requests_in_last_minute", "false"), "g.yaml"
    )
    raw = gauge.slos[0].sli.raw
    assert raw is not None
    assert raw.bad == "sum(sum_over_time((errors_in_last_minute)[{{window}}:]))"
    assert gauge.slos[0].description == GAUGE_NOTE


def test_queries_of_rates_that_are_not_counter_sums_are_approximate_per_second() -> None:
    [spec] = load_text(
        _inline("max(rate(errors_total[5m]))", "max(rate(requests_total[5m]))"), "m.yaml"
    )
    raw = spec.slos[0].sli.raw
    assert raw is not None and raw.unit == "per_second"
    assert raw.bad == "avg_over_time((max(rate(errors_total[5m])))[{{window}}:])"


POLICY = """\
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast-burn}
      spec:
        alertWhenBreaching: true
        conditions:
          - kind: AlertCondition
            metadata: {name: fast}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
        notificationTargets: [{targetRef: on-call}]
    - alertPolicyRef: slow-burn
"""
SLOW_POLICY = """\
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: slow-burn}
spec:
  alertWhenBreaching: true
  conditions: [{conditionRef: slow}]
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: slow}
spec:
  severity: ticket
  condition: {kind: burnrate, op: gt, threshold: 1, lookbackWindow: 3d, alertAfter: 1h}
"""


def test_alert_policies_inline_and_by_reference_become_the_slos_alert_windows(
    tmp_path: Path,
) -> None:
    """README (AlertPolicy, AlertCondition): one burnrate condition per policy; threshold is
    the burn rate, lookbackWindow its window; go-sdk alert_condition.go: kind burnrate."""
    text = SLO_DOC.replace("objectives:", "objectives:") + POLICY
    path = write(
        tmp_path, "slo.yaml", SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n" + text + SLOW_POLICY
    )
    report = check_paths([path])
    assert report.problems == ()
    [spec] = report.specs
    alerting = spec.slos[0].alerting
    assert alerting is not None
    got = [(w.severity, w.long, w.short, w.burn_rate) for w in alerting.windows]
    assert got == [("page", 3600.0, None, 14.4), ("ticket", 259200.0, None, 1.0)]
    warned = sorted(w.message.split(" ")[0] for w in report.warnings)
    assert warned == ["alertAfter", "notificationTargets"]  # read, not used: said


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("severity: page", "severity: sev1"), "severity 'sev1' cannot be mapped"),
        (("op: gte", "op: lte"), "op 'lte' alerts while the budget burns slowly"),
        (("kind: burnrate", "kind: threshold"), "only kind: burnrate conditions are read"),
        (
            ("alertPolicyRef: slow-burn", "alertPolicyRef: missing"),
            "no AlertPolicy named 'missing'",
        ),
    ],
)
def test_alert_conditions_that_cannot_be_mapped_are_refused_at_their_place(
    edit: tuple[str, str], expected: str
) -> None:
    text = (
        SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n" + SLO_DOC + POLICY.replace(*edit) + SLOW_POLICY
    )
    [problem] = messages(text)
    assert expected in problem


def test_a_policy_that_does_not_alert_on_breaches_turns_alerting_off_with_a_warning(
    tmp_path: Path,
) -> None:
    text = SLO_DOC + POLICY.replace("alertWhenBreaching: true", "alertWhenBreaching: false")
    text = text.replace("    - alertPolicyRef: slow-burn\n", "")
    report = check_paths(
        [write(tmp_path, "s.yaml", SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n" + text)]
    )
    [spec] = report.specs
    assert spec.slos[0].alerting is not None and spec.slos[0].alerting.windows == []
    assert any("raises no burn-rate alert" in w.message for w in report.warnings)


def test_a_missing_time_window_is_refused_since_openslo_defines_no_default() -> None:
    """README (SLO): "timeWindow[ ] optional"; neither the spec nor go-sdk (slo.go, omitempty,
    SliceLength(1, 1) when given) defines a default; the budget depends on it."""
    [problem] = messages(
        SLI_DOC
        + "---\n"
        + DATASOURCE_DOC
        + "---\n"
        + SLO_DOC.replace("  timeWindow: [{duration: 28d, isRolling: true}]\n", "")
    )
    assert "no timeWindow: OpenSLO defines no default window" in problem


COMPOSITE = SLO_DOC.replace("  indicatorRef: shop-errors\n", "").replace(
    "objectives: [{target: 0.999}]",
    "objectives:\n    - {displayName: Browse, target: 0.999, indicatorRef: shop-errors, "
    "compositeWeight: 2}\n    - {target: 0.99, indicatorRef: shop-errors}",
)


def test_composite_objectives_become_members_of_a_weighted_burn_composite() -> None:
    """README (Objectives, Notes (Composite SLO)): objectives with their own indicator make a
    composite SLO; compositeWeight (default 1) multiplies each objective's burn rate."""
    [spec] = load_text(SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n" + COMPOSITE, "spec.yaml")
    assert [s.name for s in spec.slos] == ["availability-browse", "availability-1"]
    assert [s.objective for s in spec.slos] == [0.999, 0.99]
    assert all(s.window.seconds == 28 * 86400 for s in spec.slos)
    [composite] = spec.composites
    assert composite.key == "shop/availability" and composite.method == "weighted_burn"
    assert composite.member_keys == ("shop/availability-browse", "shop/availability-1")
    assert composite.weights == (2.0, 1.0)
    assert composite.objective == 0.999  # the highest target
    assert composite.source_line == 23 and composite._member_at[1].line == 24


def test_composite_objectives_problems_are_located() -> None:
    docs = SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n"
    spec_level = COMPOSITE.replace("  service: shop\n", "  service: shop\n  indicatorRef: x\n")
    timeslices = COMPOSITE.replace("Occurrences", "Timeslices")
    weight = COMPOSITE.replace("compositeWeight: 2", "compositeWeight: 0")
    missing = COMPOSITE.replace(", indicatorRef: shop-errors}", "}")
    assert messages(docs + spec_level) == [
        "spec.yaml:20:3: spec.indicatorRef: a composite SLO has its indicators in its "
        "objectives, not in spec"
    ]
    assert messages(docs + timeslices) == [
        "spec.yaml:21:20: spec.budgetingMethod: composite SLOs with budgetingMethod Timeslices "
        "are not supported: OpenSLO counts a slice bad when any objective's slice is bad, which "
        "needs each objective's slices; use Occurrences or RatioTimeslices"
    ]
    assert messages(docs + weight) == [
        "spec.yaml:23:88: spec.objectives[0].compositeWeight: a weight must be a positive "
        "number, got 0"
    ]
    assert messages(docs + missing) == [
        "spec.yaml:24:7: spec.objectives[1]: each objective of a composite SLO needs its own "
        "indicator or indicatorRef"
    ]


@pytest.mark.parametrize("version", ["openslo/v1alpha", "openslo.com/v2alpha"])
def test_other_openslo_versions_get_the_same_unsupported_version_line(version: str) -> None:
    """OpenSLO enhancements/v2alpha.md names its apiVersion openslo.com/v2alpha."""
    [problem] = messages(SLO_DOC.replace("openslo/v1", version))
    assert problem == (
        f"spec.yaml:1:13: apiVersion: unsupported OpenSLO version '{version}' "
        "(supported: openslo/v1)"
    )


def test_a_calendar_start_time_anchors_the_evaluated_period() -> None:
    """README (SLO): calendar.startTime "date with time in 24h format, format without time
    zone" in calendar.timeZone: monthly periods start on that day and time each month."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from slo_cli.plan import slo_window

    text = SLO_DOC.replace(
        "timeWindow: [{duration: 28d, isRolling: true}]",
        "timeWindow: [{duration: 1M, calendar: {startTime: '2026-01-15 09:00:00', "
        "timeZone: Europe/Berlin}}]",
    )
    [spec] = load_text(SLI_DOC + "---\n" + DATASOURCE_DOC + "---\n" + text)
    zone = ZoneInfo("Europe/Berlin")
    at = datetime(2026, 7, 3, 12, tzinfo=zone).timestamp()
    window = slo_window(spec.slos[0], at)
    assert window.start == datetime(2026, 6, 15, 9, tzinfo=zone).timestamp()
    assert window.seconds == datetime(2026, 7, 15, 9, tzinfo=zone).timestamp() - window.start


# --------------------------------------------------------------------------------------- Sloth

ERROR_QUERY = (
    'sum(rate(http_requests_total{code=~"(5..|429)"}[{{.window}}]))'
    " + sum(rate(grpc_errors_total[{{.window}}]))"
)
TOTAL_QUERY = (
    "sum(rate(http_requests_total[{{.window}}])) + sum(rate(grpc_requests_total[{{.window}}]))"
)
SLOTH = (
    "version: prometheus/v1\n"
    "service: shop\n"
    "slos:\n"
    "  - name: requests\n"
    "    objective: 99.9\n"
    "    sli:\n"
    "      events:\n"
    f"        error_query: {ERROR_QUERY}\n"
    f"        total_query: {TOTAL_QUERY}\n"
)


def test_a_sum_of_counter_rates_with_parentheses_in_a_selector_is_counted_exactly() -> None:
    """sloth v1.go SLIEvents: error_query/total_query are PromQL with {{.window}}; the ratio is
    error ÷ total. Every term is a counter rate, so every term is counted."""
    [spec] = load_text(SLOTH, "sloth.yaml")
    ratio = spec.slos[0].sli.ratio
    assert ratio is not None
    assert ratio.bad == 'http_requests_total{code=~"(5..|429)"} + grpc_errors_total'
    assert ratio.total == "http_requests_total + grpc_requests_total"
    assert spec.slos[0].description == RECOGNISED_NOTE


def test_a_grouped_sloth_sli_becomes_one_slo_per_group() -> None:
    text = SLOTH.replace("sum(rate(", "sum by (request_host) (rate(")
    [spec] = load_text(text, "sloth.yaml")
    assert spec.slos[0].group_by == ["request_host"]


def test_error_and_total_grouped_differently_are_refused() -> None:
    text = SLOTH.replace("error_query: sum(rate(", "error_query: sum by (a) (rate(").replace(
        "+ sum(rate(grpc_errors", "+ sum by (a) (rate(grpc_errors"
    )
    [problem] = messages(text)
    assert "error_query is grouped by (a) but total_query by ()" in problem


def test_queries_that_are_not_counter_sums_are_kept_as_written_and_labelled() -> None:
    """sloth examples/home-wifi.yml: sum_over_time of counts (events over the window);
    rates stay per second: never a silent change of units."""
    text = SLOTH.replace(
        "sum(rate(grpc_errors_total[{{.window}}]))", "2 * sum(rate(grpc_errors_total[{{.window}}]))"
    )
    [spec] = load_text(text, "sloth.yaml")
    raw = spec.slos[0].sli.raw
    assert raw is not None and raw.unit == "per_second"
    assert raw.bad is not None and raw.bad.startswith(
        'sum(rate(http_requests_total{code=~"(5..|429)"}'
    )
    assert spec.slos[0].description == RAW_NOTE
    wifi = SLOTH.replace(
        SLOTH.split("error_query: ")[1].split("\n")[0],
        "sum_over_time((count(x < 0.5))[{{.window}}:]) OR on() vector(0)",
    ).replace(
        SLOTH.split("total_query: ")[1].split("\n")[0], "sum_over_time((count(x))[{{.window}}:])"
    )
    [spec] = load_text(wifi, "wifi.yaml")
    assert spec.slos[0].sli.raw is not None and spec.slos[0].sli.raw.unit == "events"


@pytest.mark.parametrize(
    ("disabled", "left"),
    [("page_alert", {"ticket"}), ("ticket_alert", {"page"}), ("both", set())],
)
def test_disabled_sloth_alerts_are_off_and_the_rest_keep_their_windows(
    disabled: str, left: set[str]
) -> None:
    """sloth v1.go Alert.Disable; io/sloth.go keeps the other alert's metadata."""
    alerts = ("page_alert", "ticket_alert") if disabled == "both" else (disabled,)
    block = "    alerting:\n      name: ShopErrors\n" + "".join(
        f"      {a}: {{disable: true}}\n" for a in alerts
    )
    [spec] = load_text(SLOTH + block, "sloth.yaml")
    alerting = spec.slos[0].alerting
    assert alerting is not None
    assert {w.severity for w in alerting.windows} == left


def test_sloth_plugins_and_keys_its_decoder_ignores_are_warnings_not_errors(
    tmp_path: Path,
) -> None:
    """sloth v1.go: slo_plugins (root) and plugins (SLO) are part of the format; the YAML
    decoder (k8s.io/apimachinery yaml.Unmarshal, not strict) ignores unknown keys."""
    text = SLOTH.replace("service: shop\n", "service: shop\nslo_plugins: {chain: [{id: x}]}\n")
    text = text.replace(
        "    objective: 99.9\n", "    objective: 99.9\n    plugins: {chain: []}\n    owner: me\n"
    )
    report = check_paths([write(tmp_path, "sloth.yaml", text)])
    assert report.problems == ()
    assert sorted(w.loc for w in report.warnings) == [
        "slo_plugins",
        "slos[0].owner",
        "slos[0].plugins",
    ]


def test_an_objective_of_100_percent_is_allowed_as_in_sloth() -> None:
    """sloth pkg/common/validation/slo.go: `slo.Objective <= 0 || slo.Objective > 100` fails."""
    [spec] = load_text(SLOTH.replace("objective: 99.9", "objective: 100"), "sloth.yaml")
    assert spec.slos[0].objective == 1.0


def test_the_same_slo_in_two_documents_of_one_file_is_caught() -> None:
    """Sloth names its rules service-slo (io/sloth.go, ID); two documents with the same pair
    would overwrite each other."""
    assert messages(SLOTH + "---\n" + SLOTH, "sloth.yaml") == [
        "sloth.yaml:14:11: slos[0].name: duplicate SLO 'shop/requests': an earlier document of "
        "this file has it"
    ]


def test_native_group_by_is_refused_for_slis_that_are_not_counters() -> None:
    text = """\
    version: slo/v1
    service: shop
    slos:
      - name: r
        objective: 99
        window: 30d
        group_by: [host]
        sli: {raw: {error_ratio: 'avg_over_time(x[{{window}}])'}}
    """
    [problem] = messages(text)
    assert "group_by needs a ratio or latency SLI (counters), not a raw SLI" in problem
