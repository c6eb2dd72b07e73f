"""OpenSLO v1 documents read into the spec model: example, mappings, located errors, round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from slo_specs.errors import SpecError
from slo_specs.loader import load_file, load_text
from slo_specs.model import CalendarWindow, RollingWindow, ServiceSpec
from slo_specs.openslo_sli import APPROXIMATE_NOTE, THRESHOLD_NOTE

ROOT = Path(__file__).resolve().parents[2]


def load(text: str) -> list[ServiceSpec]:
    return load_text(textwrap.dedent(text), "openslo.yaml")


def messages(text: str) -> list[str]:
    """Every problem of a spec text, as the user sees it."""
    with pytest.raises(SpecError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def test_the_example_loads_with_the_values_it_was_written_with() -> None:
    [spec] = load_file(ROOT / "examples" / "openslo" / "checkout.yaml")
    assert spec.source_format == "openslo"
    assert spec.service == "checkout"
    assert spec.labels == {"team": "payments", "tier": "1"}  # from the Service object
    by_name = {s.name: s for s in spec.slos}
    # two objectives on the latency SLO: one SLO each, suffixed with the displayName
    assert list(by_name) == [
        "api-availability",
        "latency-internal",
        "latency-customer",
        "probe-uptime",
    ]

    availability = by_name["api-availability"]
    assert availability.objective == 0.999  # targetPercent 99.9
    assert availability.window == RollingWindow(seconds=30 * 86400)
    assert availability.budgeting == "occurrences"
    assert availability.labels == {"journey": "purchase"}
    assert availability.description == "Checkout API requests that do not fail"
    # indicatorRef to the SLI object, whose queries name the DataSource object
    assert availability.sli.ratio is not None
    assert availability.sli.ratio.bad == 'http_requests_total{service="checkout", code=~"5.."}'
    assert availability.sli.ratio.total == 'http_requests_total{service="checkout"}'

    internal, customer = by_name["latency-internal"], by_name["latency-customer"]
    assert (internal.objective, customer.objective) == (0.995, 0.99)
    for slo in (internal, customer):
        assert slo.window == CalendarWindow(calendar="month", timezone="Europe/Berlin")
        assert slo.sli.ratio is not None
        assert slo.sli.ratio.good == (
            'http_request_duration_seconds_bucket{service="checkout", le="0.3"}'
        )
        assert slo.sli.ratio.total == 'http_request_duration_seconds_count{service="checkout"}'

    probe = by_name["probe-uptime"]
    assert probe.objective == 0.995
    assert probe.window == CalendarWindow(calendar="week", timezone="UTC")
    assert probe.budgeting == "timeslices"
    assert probe.timeslice is None
    assert probe.sli.timeslices is not None
    assert probe.sli.timeslices.query == 'probe_success{instance="checkout"}'
    assert (probe.sli.timeslices.good_when.op, probe.sli.timeslices.good_when.value) == (">=", 1.0)
    assert probe.sli.timeslices.slice == 60.0
    assert probe.description.endswith(f"({THRESHOLD_NOTE})")


RATIO_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: checkout
  indicator:
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: Prometheus, spec: {query: 'errors_total'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'requests_total'}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""


def test_budgeting_methods_map_to_ours_with_their_slices() -> None:
    timeslices = RATIO_SLO.replace("Occurrences", "Timeslices").replace(
        "[{target: 0.999}]", "[{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}]"
    )
    [spec] = load(timeslices)
    [slo] = spec.slos
    assert slo.budgeting == "timeslices"
    assert slo.timeslice is not None
    assert (slo.timeslice.slice, slo.timeslice.target) == (300.0, 0.95)

    ratio = RATIO_SLO.replace("Occurrences", "RatioTimeslices").replace(
        "[{target: 0.999}]",
        "[{target: 0.99, timeSliceWindow: 2}]",  # a bare number: minutes
    )
    [spec] = load(ratio)
    [slo] = spec.slos
    assert slo.budgeting == "ratio_timeslices"
    assert slo.timeslice is not None
    assert (slo.timeslice.slice, slo.timeslice.target) == (120.0, None)
    assert slo.window == RollingWindow(seconds=28 * 86400)


def test_queries_that_are_not_counter_selectors_become_approximate_raw_templates() -> None:
    summed = RATIO_SLO.replace("'errors_total'", "'sum(errors_total{code=\"500\"})'")
    [spec] = load(summed)
    assert spec.slos[0].sli.ratio is not None  # sum(selector): still exact counters
    assert spec.slos[0].sli.ratio.bad == 'errors_total{code="500"}'

    # counter: true over a rate of the counter: the counter is counted, exactly (issue 11)
    rated = RATIO_SLO.replace("'errors_total'", "'sum(rate(errors_total[5m]))'")
    [spec] = load(rated)
    [slo] = spec.slos
    assert slo.sli.ratio is not None
    assert (slo.sli.ratio.bad, slo.sli.ratio.total) == ("errors_total", "requests_total")

    other = RATIO_SLO.replace("'errors_total'", "'max(errors_total) * 2'")
    [spec] = load(other)
    [slo] = spec.slos
    assert slo.sli.raw is not None
    assert slo.sli.raw.bad == "sum(increase((max(errors_total) * 2)[{{window}}:]))"
    assert slo.sli.raw.total == "sum(increase((requests_total)[{{window}}:]))"
    assert slo.description == APPROXIMATE_NOTE


@pytest.mark.parametrize(
    ("duration", "start", "held"),
    [
        # the OpenSLO spec's own example (README, SLO): a month that starts at noon
        ("1M", "2022-01-01 12:00:00", "2022-01-01 12:00:00"),
        ("1w", "'2026-01-07 00:00:00'", "2026-01-07 00:00:00"),  # a Wednesday, quoted: a string
        ("1Q", "2026-02-01 00:00:00", "2026-02-01 00:00:00"),
        ("1Q", "2026-05-01", "2026-05-01 00:00:00"),  # a date: its midnight
        # the calendar's own boundaries need no anchor: the same periods as without startTime
        ("1Q", "2026-07-01", None),
        ("1w", "2026-01-05 00:00:00", None),  # a Monday
    ],
)
def test_a_calendar_start_time_anchors_the_periods_in_the_window_time_zone(
    duration: str, start: str, held: str | None
) -> None:
    """OpenSLO v1 README (SLO, timeWindow.calendar.startTime): "date with time in 24h format,
    format without time zone"; go-sdk validates it as time.DateTime and timeZone as IANA."""
    text = RATIO_SLO.replace(
        "  timeWindow: [{duration: 28d, isRolling: true}]\n",
        f"  timeWindow:\n    - duration: {duration}\n      calendar:\n"
        f"        startTime: {start}\n        timeZone: America/New_York\n",
    )
    [spec] = load(text)
    [slo] = spec.slos
    assert slo.window == CalendarWindow(
        calendar={"1M": "month", "1w": "week", "1Q": "quarter"}[duration],  # type: ignore[arg-type]
        timezone="America/New_York",
        start=held,
    )
    assert slo.description == ""


def test_a_raw_success_ratio_becomes_one_minus_its_average() -> None:
    text = RATIO_SLO.replace(
        """        bad: {metricSource: {type: Prometheus, spec: {query: 'errors_total'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'requests_total'}}}
""",
        """        rawType: success
        raw: {metricSource: {type: Prometheus, spec: {query: 'job:availability:ratio'}}}
""",
    )
    [spec] = load(text)
    assert spec.slos[0].sli.raw is not None
    assert spec.slos[0].sli.raw.error_ratio == (
        "1 - avg_over_time((job:availability:ratio)[{{window}}:])"
    )


# (what is wrong, (old, new) replacements in RATIO_SLO, every expected message)
BAD = [
    (
        "a data source that is not Prometheus",
        [("bad: {metricSource: {type: Prometheus", "bad: {metricSource: {type: Datadog")],
        [
            "openslo.yaml:11:36: spec.indicator.spec.ratioMetric.bad.metricSource.type: "
            "data source type 'Datadog' is not supported; slo reads Prometheus-compatible "
            "sources only (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics)"
        ],
    ),
    (
        "a ratio target above 1",
        [("{target: 0.999}", "{target: 1.5}")],
        [
            "openslo.yaml:15:25: spec.objectives[0].target: "
            "must be between 0 and 1 (exclusive), got 1.5"
        ],
    ),
    (
        "target and targetPercent together",
        [("{target: 0.999}", "{target: 0.999, targetPercent: 99.9}")],
        [
            "openslo.yaml:15:16: spec.objectives[0]: "
            "give either 'target' or 'targetPercent', not both"
        ],
    ),
    (
        "a targetPercent of 100",
        [("{target: 0.999}", "{targetPercent: 100}")],
        [
            "openslo.yaml:15:32: spec.objectives[0].targetPercent: "
            "must be between 0 and 100 (exclusive), got 100"
        ],
    ),
    (
        "a calendar window of two months",
        [("{duration: 28d, isRolling: true}", "{duration: 2M, calendar: {timeZone: UTC}}")],
        [
            "openslo.yaml:13:27: spec.timeWindow[0].duration: calendar windows of 2M are not "
            "supported; use 1w, 1M or 1Q (week, month, quarter)"
        ],
    ),
    (
        "a rolling window of a month",
        [("{duration: 28d, isRolling: true}", "{duration: 1M, isRolling: true}")],
        [
            "openslo.yaml:13:27: spec.timeWindow[0].duration: a rolling window of 1M has no "
            "fixed length; write it in days, like 30d"
        ],
    ),
    (
        "a calendar in a time zone that does not exist",
        [
            (
                "{duration: 28d, isRolling: true}",
                "{duration: 1M, calendar: {timeZone: Mars/Olympus}}",
            )
        ],
        [
            "openslo.yaml:13:52: spec.timeWindow[0].calendar.timeZone: unknown time zone "
            "'Mars/Olympus' (use an IANA name like Europe/Berlin or UTC)"
        ],
    ),
    (
        "a calendar start that is not a date",
        [
            (
                "{duration: 28d, isRolling: true}",
                "{duration: 1w, calendar: {startTime: next monday}}",
            )
        ],
        [
            "openslo.yaml:13:53: spec.timeWindow[0].calendar.startTime: expected a date and time "
            "like 2026-01-01 00:00:00 (no zone), got 'next monday'"
        ],
    ),
    (
        "Timeslices without a slice length",
        [
            ("Occurrences", "Timeslices"),
            ("{target: 0.999}", "{target: 0.999, timeSliceTarget: 0.95}"),
        ],
        [
            "openslo.yaml:15:16: spec.objectives[0]: missing required key 'timeSliceWindow' "
            "(the slice length, e.g. 1m)"
        ],
    ),
    (
        "a misspelt budgeting method",
        [("Occurrences", "Occurences")],
        [
            "openslo.yaml:14:20: spec.budgetingMethod: must be one of Occurrences, Timeslices, "
            "RatioTimeslices, got 'Occurences' (did you mean 'Occurrences'?)"
        ],
    ),
    (
        "two objectives that end up with the same name",
        [
            (
                "[{target: 0.999}]",
                "[{displayName: SLA, target: 0.99}, {displayName: sla, target: 0.9}]",
            )
        ],
        [
            "openslo.yaml:4:9: metadata.name: duplicate SLO name 'availability-sla' in service "
            "(another SLO has it)"
        ],
    ),
    (
        "an unknown key with a near miss",
        [("  budgetingMethod", "  budgetMethod")],
        [
            "openslo.yaml:6:3: spec: missing required key 'budgetingMethod'",
            "openslo.yaml:14:3: spec.budgetMethod: unknown key 'budgetMethod' "
            "(did you mean 'budgetingMethod'?)",
        ],
    ),
]


@pytest.mark.parametrize(("case", "edits", "expected"), BAD, ids=[c[0] for c in BAD])
def test_bad_openslo_documents_give_every_problem_located(
    case: str, edits: list[tuple[str, str]], expected: list[str]
) -> None:
    text = RATIO_SLO
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    assert messages(text) == expected


def test_references_resolve_within_the_file_and_problems_point_into_the_right_document() -> None:
    text = """\
        apiVersion: openslo/v1
        kind: DataSource
        metadata:
          name: dd
        spec:
          type: Datadog
        ---
        apiVersion: openslo/v1
        kind: SLI
        metadata:
          name: errors
        spec:
          ratioMetric:
            bad: {metricSource: {metricSourceRef: dd, spec: {query: 'errors_total'}}}
            total: {metricSource: {metricSourceRef: missing, spec: {query: 'requests_total'}}}
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: availability
        spec:
          service: checkout
          indicatorRef: errors
          timeWindow: [{duration: 30d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{targetPercent: 99.9}]
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: latency
        spec:
          service: checkout
          indicatorRef: latency-sli
          timeWindow: [{duration: 30d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{targetPercent: 99}]
        """
    assert messages(text) == [
        "openslo.yaml:14:43: spec.ratioMetric.bad.metricSource.metricSourceRef: DataSource 'dd' "
        "is of type 'Datadog'; slo reads Prometheus-compatible sources only "
        "(Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics)",
        "openslo.yaml:15:45: spec.ratioMetric.total.metricSource.metricSourceRef: no DataSource "
        "named 'missing' in the spec files read (DataSource names: dd)",
        "openslo.yaml:34:17: spec.indicatorRef: no SLI named 'latency-sli' in the spec files "
        "read (SLI names: errors)",
    ]


def test_a_threshold_metric_is_read_only_with_timeslices() -> None:
    text = """\
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: probe
        spec:
          service: checkout
          indicator:
            spec:
              thresholdMetric: {metricSource: {type: Prometheus, spec: {query: probe_success}}}
          timeWindow: [{duration: 30d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{op: gte, value: 1, target: 0.99}]
        """
    assert messages(text) == [
        "openslo.yaml:11:20: spec.budgetingMethod: a thresholdMetric SLI is read only with "
        "budgetingMethod Timeslices (slo judges one sample per time slice)"
    ]


def test_an_unknown_kind_and_a_foreign_document_are_reported() -> None:
    text = """\
        apiVersion: openslo/v1
        kind: SLOs
        metadata: {name: x}
        spec: {}
        """
    assert messages(text) == [
        "openslo.yaml:2:7: kind: unknown OpenSLO kind 'SLOs' (did you mean 'SLO'?); expected one "
        "of SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget"
    ]


def test_an_openslo_slo_and_a_native_slo_for_the_same_objective_give_equal_slo_fields() -> None:
    [openslo] = load(
        """\
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: availability
          labels: {journey: purchase}
        spec:
          description: Checkout requests that do not fail
          service: checkout
          indicator:
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: Prometheus
                    spec: {query: 'ok_total{service="checkout"}'}
                total:
                  metricSource:
                    type: Prometheus
                    spec: {query: 'sum(all_total{service="checkout"})'}
          timeWindow:
            - duration: 1Q
              calendar: {startTime: "2026-01-01 00:00:00", timeZone: Europe/Berlin}
          budgetingMethod: Timeslices
          objectives:
            - targetPercent: 99.5
              timeSliceTarget: 0.9
              timeSliceWindow: 10m
        """
    )
    [native] = load(
        """\
        version: slo/v1
        service: checkout
        slos:
          - name: availability
            description: Checkout requests that do not fail
            labels: {journey: purchase}
            objective: 99.5
            window: {calendar: quarter, timezone: Europe/Berlin}
            budgeting: timeslices
            timeslice: {slice: 10m, target: 90}
            sli:
              ratio:
                good: ok_total{service="checkout"}
                total: all_total{service="checkout"}
        """
    )
    assert openslo.service == native.service
    assert openslo.slos[0].model_dump() == native.slos[0].model_dump()
