"""Sloth prometheus/v1 specs read into the spec model: the example, located errors, a round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from slo_specs import sloth
from slo_specs.errors import SpecError
from slo_specs.loader import load_file, load_text
from slo_specs.promql_forms import counter_form
from slo_specs.sloth import RECOGNISED_NOTE
from slo_specs.yamlio import read_text

ROOT = Path(__file__).resolve().parents[2]
DAYS_30 = 30 * 24 * 3600  # Sloth's SLO period, in seconds


def messages(text: str) -> list[str]:
    """Every problem of a spec text, as the user sees it."""
    with pytest.raises(SpecError) as caught:
        load_text(textwrap.dedent(text), "sloth.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_example_loads_with_the_values_it_was_written_with() -> None:
    [spec] = load_file(ROOT / "examples" / "sloth" / "search.yaml")
    assert spec.source_format == "sloth"
    assert spec.service == "search"
    assert spec.labels == {"team": "discovery", "tier": "2"}
    assert [s.name for s in spec.slos] == [
        "requests-availability",
        "requests-latency",
        "index-freshness",
    ]
    availability, latency, freshness = spec.slos
    # 99.9 % written, a ratio held: 1 - 0.1/100
    assert availability.objective == 0.999
    assert latency.objective == 0.99
    assert freshness.objective == 0.995
    for slo in spec.slos:
        assert slo.window.seconds == DAYS_30  # type: ignore[union-attr]
        assert slo.budgeting == "occurrences"
        assert slo.key == f"search/{slo.name}"
    # both events queries are sum(rate(selector[{{.window}}])): exact counters
    assert availability.sli.kind == "ratio"
    assert availability.sli.ratio is not None
    assert availability.sli.ratio.bad == 'http_requests_total{service="search",code=~"5.."}'
    assert availability.sli.ratio.total == 'http_requests_total{service="search"}'
    assert availability.sli.ratio.good is None
    assert availability.description == (
        f"Search API requests that do not fail with a server error. ({RECOGNISED_NOTE})"
    )
    # a difference of sums of counter rates is a difference of counters: exact too
    assert latency.sli.kind == "ratio"
    assert latency.sli.ratio is not None
    assert latency.sli.ratio.bad == (
        'http_request_duration_seconds_count{service="search"}'
        ' - http_request_duration_seconds_bucket{service="search",le="0.5"}'
    )
    assert latency.sli.ratio.total == 'http_request_duration_seconds_count{service="search"}'
    # page_alert: {disable: true}: only the ticket windows remain (sloth v1.go Alert.Disable)
    assert latency.alerting is not None
    assert {w.severity for w in latency.alerting.windows} == {"ticket"}
    assert latency.description == f"Search API requests answered within 500ms. ({RECOGNISED_NOTE})"
    for slo in (availability, freshness):
        assert slo.alerting is None  # Sloth's alert names configure its rules; ours are defaults
    assert freshness.sli.kind == "raw"
    assert freshness.sli.raw is not None
    assert freshness.sli.raw.error_ratio == (
        'avg_over_time(search:index_update_stale:ratio{service="search"}[{{window}}])'
    )


HEAD = """\
version: prometheus/v1
service: search
slos:
"""

# (what is wrong, the SLO items under `slos:`, every expected message)
BAD = [
    (
        "an objective above 100 % (Sloth: 0 < objective <= 100, pkg/common/validation/slo.go)",
        """\
          - name: a
            objective: 100.5
            sli: {raw: {error_ratio_query: "x[{{.window}}]"}}
        """,
        ["sloth.yaml:5:16: slos[0].objective: must be more than 0 and at most 100, got 100.5"],
    ),
    (
        "an events query without the window placeholder",
        """\
          - name: a
            objective: 99
            sli:
              events:
                error_query: sum(rate(errors_total[5m]))
                total_query: sum(rate(requests_total[{{.window}}]))
        """,
        [
            "sloth.yaml:8:22: slos[0].sli.events.error_query: "
            "must contain the {{.window}} placeholder"
        ],
    ),
    (
        "an SLI plugin, which is Go code inside Sloth",
        """\
          - name: a
            objective: 99
            sli:
              plugin:
                id: sloth-common/kubernetes/apiserver/availability
        """,
        [
            "sloth.yaml:8:9: slos[0].sli.plugin: Sloth SLI plugins "
            "'sloth-common/kubernetes/apiserver/availability' are not supported by slo; "
            "write the SLI as 'events' or 'raw' queries"
        ],
    ),
    (
        "a misspelt query key",
        """\
          - name: a
            objective: 99
            sli:
              raw:
                error_ratio_querry: x[{{.window}}]
        """,
        # the misspelt key itself is a warning: Sloth's decoder ignores unknown keys
        ["sloth.yaml:8:9: slos[0].sli.raw: missing required key 'error_ratio_query'"],
    ),
    (
        "two SLI kinds at once",
        """\
          - name: a
            objective: 99
            sli:
              raw: {error_ratio_query: "x[{{.window}}]"}
              events: {error_query: "e[{{.window}}]", total_query: "t[{{.window}}]"}
        """,
        [
            "sloth.yaml:7:7: slos[0].sli: give exactly one of 'events', 'raw' or 'plugin', "
            "got 'events' and 'raw'"
        ],
    ),
    (
        "the same SLO name twice",
        """\
          - name: a
            objective: 99
            sli: {raw: {error_ratio_query: "x[{{.window}}]"}}
          - name: a
            objective: 99.5
            sli: {raw: {error_ratio_query: "y[{{.window}}]"}}
        """,
        ["sloth.yaml:7:11: slos[1].name: duplicate SLO name 'a' (also slos[0])"],
    ),
    (
        "a name that is not a label-friendly word",
        """\
          - name: "api requests"
            objective: 99
            sli: {raw: {error_ratio_query: "x[{{.window}}]"}}
        """,
        [
            "sloth.yaml:4:11: slos[0].name: 'api requests' is not a valid name: start with a "
            "letter or digit, then letters, digits, '-', '_' or '.'"
        ],
    ),
    (
        "an objective written as a string and a non-boolean alert switch",
        """\
          - name: a
            objective: "99.9%"
            sli: {raw: {error_ratio_query: "x[{{.window}}]"}}
            alerting:
              name: A
              page_alert: {disable: "yes"}
        """,
        [
            "sloth.yaml:5:16: slos[0].objective: expected a number, got a string",
            "sloth.yaml:9:29: slos[0].alerting.page_alert.disable: "
            "expected true or false, got a string",
        ],
    ),
    (
        "an SLO without an SLI",
        """\
          - name: a
            objective: 99
        """,
        ["sloth.yaml:4:5: slos[0]: missing required key 'sli'"],
    ),
]


@pytest.mark.parametrize(("case", "slos", "expected"), BAD, ids=[c[0] for c in BAD])
def test_bad_sloth_specs_give_every_problem_located(
    case: str, slos: str, expected: list[str]
) -> None:
    assert messages(HEAD + textwrap.indent(textwrap.dedent(slos), "  ")) == expected


def test_a_missing_service_and_an_empty_slo_list_are_both_reported() -> None:
    assert messages("version: prometheus/v1\nslos: []\n") == [
        "sloth.yaml:1:1: missing required key 'service'",
        "sloth.yaml:2:7: slos: must not be empty",
    ]


def test_a_sloth_file_and_a_native_file_for_the_same_slo_give_equal_slo_fields() -> None:
    [sloth] = load_text(
        textwrap.dedent(
            """\
            version: prometheus/v1
            service: checkout
            labels: {team: payments}
            slos:
              - name: availability
                objective: 99.9
                description: Checkout requests that do not fail
                labels: {journey: purchase}
                sli:
                  events:
                    error_query: >-
                      sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{ .window }}]))
                    total_query: sum(rate(http_requests_total{service="checkout"}[{{.window}}]))
            """
        ),
        "sloth.yaml",
    )
    [native] = load_text(
        textwrap.dedent(
            """\
            version: slo/v1
            service: checkout
            labels: {team: payments}
            slos:
              - name: availability
                objective: 99.9
                description: Checkout requests that do not fail
                labels: {journey: purchase}
                window: 30d
                sli:
                  ratio:
                    bad: http_requests_total{service="checkout",code=~"5.."}
                    total: http_requests_total{service="checkout"}
            """
        ),
        "native.yaml",
    )
    assert (sloth.service, sloth.labels) == (native.service, native.labels)
    [from_sloth], [from_native] = sloth.slos, native.slos
    # the description differs only by the note that says the counters were recognised
    assert from_sloth.description == f"{from_native.description} ({RECOGNISED_NOTE})"
    assert from_sloth.model_dump(exclude={"description"}) == from_native.model_dump(
        exclude={"description"}
    )
    assert (sloth.source_format, native.source_format) == ("sloth", "native")


@pytest.mark.parametrize(
    ("query", "expression", "by"),
    [
        ('sum(rate(a_total{code=~"[45].."}[{{.window}}]))', 'a_total{code=~"[45].."}', ()),
        ("sum( increase( a_total [ {{ .window }} ] ) )", "a_total", ()),
        ("sum by (code) (rate(a_total[{{.window}}]))", "a_total", ("code",)),
        ("sum(rate(a_total[{{.window}}])) by (code, host)", "a_total", ("code", "host")),
        ("sum(rate(a_total[5m]))", "a_total", ()),  # any range: the counter is what counts
        ("sum(irate(a_total[{{.window}}]))", "a_total", ()),
        ("sum(sum by (host) (rate(a_total[{{.window}}])))", "a_total", ()),
        (
            'sum(rate(a{code=~"(5..|429)"}[{{.window}}])) + sum(rate(b[{{.window}}]))',
            'a{code=~"(5..|429)"} + b',
            (),
        ),
        ("(sum(rate(a[{{.window}}])) - sum(rate(b[{{.window}}])))", "a - b", ()),
        ("sum(rate(a[{{.window}}])) or vector(0)", "a", ()),
        ("sum(rate(a[{{.window}}])) OR on() vector(0)", "a", ()),
        ("sum(rate(a_total[{{.window}}])) * 60", None, None),
        ("sum(rate(rate(a_total[5m])[{{.window}}:]))", None, None),
        ("sum without (code) (rate(a_total[{{.window}}]))", None, None),
        ("sum(rate(a[{{.window}}])) + sum by (h) (rate(b[{{.window}}]))", None, None),
        ("sum(rate(a[{{.window}}] offset 1h))", None, None),
    ],
)
def test_sums_of_counter_rates_are_read_as_counters_and_nothing_else_is(
    query: str, expression: str | None, by: tuple[str, ...] | None
) -> None:
    """Sloth's events queries are PromQL templates (sloth pkg/prometheus/api/v1, SLIEvents);
    PromQL's sum/rate/increase/irate/+ semantics decide which are sums of counters."""
    form = counter_form(query)
    assert (form.expression if form else None, form.by if form else None) == (expression, by)


K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: search
  namespace: discovery
spec:
  service: search
  labels: {team: discovery}
  slos:
    - name: requests-availability
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{service="search",code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total{service="search"}[{{.window}}]))
      alerting:
        name: SearchHighErrorRate
        pageAlert: {labels: {severity: critical}}
        ticketAlert: {disable: true}
    - name: index-freshness
      objective: 99.5
      sli:
        raw:
          errorRatioQuery: avg_over_time(search:index_update_stale:ratio[{{.window}}])
"""


def convert_text(text: str) -> list[Any]:
    """Sloth's converter on the one document of ``text`` (the loader's dispatch left out)."""
    result = read_text(text, "k8s.yaml")
    assert not result.problems
    [doc] = result.documents
    return sloth.convert(doc.data, "k8s.yaml", doc.locator)


def test_the_kubernetes_resource_reads_like_the_file_format() -> None:
    [spec] = convert_text(K8S)
    assert (spec.service, spec.labels, spec.source_format) == (
        "search",
        {"team": "discovery"},
        "sloth",
    )
    availability, freshness = spec.slos
    assert availability.objective == 0.999
    assert availability.sli.ratio is not None
    assert availability.sli.ratio.bad == 'http_requests_total{service="search",code=~"5.."}'
    assert availability.sli.ratio.total == 'http_requests_total{service="search"}'
    assert freshness.sli.raw is not None
    assert freshness.sli.raw.error_ratio == (
        "avg_over_time(search:index_update_stale:ratio[{{window}}])"
    )
    assert freshness.window.seconds == DAYS_30  # type: ignore[union-attr]


def test_the_kubernetes_resource_reports_problems_at_its_camel_case_keys() -> None:
    text = (
        K8S.replace("kind: PrometheusServiceLevel", "kind: ServiceLevel")
        .replace("errorQuery:", "error_query:")
        .replace("objective: 99.5", "objective: 0")
    )
    with pytest.raises(SpecError) as caught:
        convert_text(text)
    assert [str(p) for p in caught.value.problems] == [
        "k8s.yaml:2:7: kind: expected kind 'PrometheusServiceLevel', got 'ServiceLevel'",
        "k8s.yaml:14:11: spec.slos[0].sli.events: missing required key 'errorQuery'",
        "k8s.yaml:21:18: spec.slos[1].objective: must be more than 0 and at most 100, got 0",
    ]
