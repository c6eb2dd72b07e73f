"""Sloth and OpenSLO SLIs of issue 11 evaluated end to end (`slo_cli.evaluate`) on a real
Prometheus, against the generator's own counts (tests/datagen: the truth is the samples).

The history (31 days, ~60 s scrapes, one counter reset): a shop whose `http_requests_total`
has four `request_host`s — `a` at 50 % errors (code 500) over the last 70 minutes, `d` at
20 % errors over the same 70 minutes, `b` and `c` without a single error series — plus a few
429s on `b`, and gRPC counters beside it. Objectives 99.5 % (grouped) and 99 % (disable).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.evaluate import evaluate
from slo_cli.gate import apply_gate
from slo_cli.results import SLOResult
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.datagen import DAY, END, Dataset, SharedData, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip

pytestmark = pytest.mark.prometheus

START = END - 31 * DAY
INCIDENT = END - 70 * 60
AT = END - 17.0
WINDOW = 30 * DAY


def _data() -> Dataset:
    rng = np.random.default_rng(11)
    ds = Dataset()
    for host, offset, errors in (
        ("a", 3.5, 0.5),
        ("b", 17.0, 0.0),
        ("c", 29.25, 0.0),
        ("d", 44.0, 0.2),
    ):
        t = scrape_times(START, END, 60.0, offset=offset, rng=rng)
        ok = rates(t, 100, rng=rng)
        bad = np.zeros(t.size)
        late = t >= INCIDENT
        if errors:
            bad[late] = rng.binomial(ok[late].astype(int) + 1, errors)
            ok[late] -= np.minimum(ok[late], bad[late])
            labels = {"service": "shop", "request_host": host, "code": "500"}
            add_counter(ds, "http_requests", labels, t, bad)
        resets = [END - DAY + 600] if host == "c" else []
        labels = {"service": "shop", "request_host": host, "code": "200"}
        add_counter(ds, "http_requests", labels, t, ok, resets=resets)
        if host == "b":
            labels = {"service": "shop", "request_host": host, "code": "429"}
            add_counter(ds, "http_requests", labels, t, rates(t, 0.3, rng=rng))
    t = scrape_times(START, END, 60.0, offset=51.0, rng=rng)
    add_counter(ds, "grpc_requests", {"service": "shop"}, t, rates(t, 40, rng=rng))
    add_counter(ds, "grpc_errors", {"service": "shop"}, t, rates(t, 0.4, rng=rng))
    return ds


@pytest.fixture(scope="module")
def shop() -> Dataset:
    return _data()


@pytest.fixture(scope="module")
def source(shop: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusSource]:
    server: Server = prometheus_or_skip(shop.openmetrics(), tmp_path_factory.mktemp("shop"))
    src = PrometheusSource(
        ConnectionSettings.from_sources({"url": server.url}, {}), clock=system_clock(), workers=2
    )
    try:
        yield src
    finally:
        src.close()
        server.stop()


def _evaluate(source: PrometheusSource, text: str, path: str) -> dict[str, SLOResult]:
    specs = load_text(textwrap.dedent(text), path)
    evaluation = apply_gate(evaluate(specs, source, now=AT))
    return {r.key: r for r in evaluation.slos}


def _window() -> tuple[float, float]:
    end = np.floor(AT / 60) * 60
    return end - WINDOW, end


def _code(*codes: str) -> Callable[[Mapping[str, str]], bool]:
    return lambda lb: lb.get("code") in codes


def test_a_sloth_sum_of_counter_rates_with_parentheses_in_a_regex_counts_exactly(
    source: PrometheusSource, shop: Dataset
) -> None:
    """The issue's headline: `(5..|429)` inside a selector of a multi-term events query."""
    [result] = _evaluate(
        source,
        """\
        version: prometheus/v1
        service: shop
        slos:
          - name: requests
            objective: 99
            sli:
              events:
                error_query: >-
                  sum(rate(http_requests_total{service="shop",code=~"(5..|429)"}[{{.window}}]))
                  + sum(rate(grpc_errors_total{service="shop"}[{{.window}}]))
                total_query: >-
                  sum(rate(http_requests_total{service="shop"}[{{.window}}]))
                  + sum(rate(grpc_requests_total{service="shop"}[{{.window}}]))
        """,
        "sloth.yaml",
    ).values()
    lo, hi = _window()
    bad = shop.count("http_requests_total", lo, hi, _code("500", "429")) + shop.count(
        "grpc_errors_total", lo, hi
    )
    total = shop.count("http_requests_total", lo, hi) + shop.count("grpc_requests_total", lo, hi)
    assert bad > 0 and shop.count("http_requests_total", lo, hi, _code("429")) > 0
    assert result.exact
    assert (result.total - result.good, result.total) == (bad, total)
    assert result.sli == pytest.approx(1 - bad / total, abs=1e-12)


GROUPED = """\
version: prometheus/v1
service: shop
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: >-
          sum by (request_host)
          (rate(http_requests_total{service="shop",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="shop"}[{{.window}}])) by (request_host)
"""


def test_a_grouped_sloth_sli_is_one_slo_per_group_and_only_the_failing_group_pages(
    source: PrometheusSource, shop: Dataset
) -> None:
    """Sloth keeps the `by` labels in every rule: one SLI, budget and alert per host."""
    results = _evaluate(source, GROUPED, "grouped.yaml")
    keys = [f'shop/availability{{request_host="{h}"}}' for h in "abcd"]
    assert sorted(results) == keys
    lo, hi = _window()
    for host, key in zip("abcd", keys, strict=True):
        r = results[key]
        total = shop.count(
            "http_requests_total", lo, hi, lambda lb, h=host: lb["request_host"] == h
        )
        bad = shop.count(
            "http_requests_total",
            lo,
            hi,
            lambda lb, h=host: lb["request_host"] == h and lb["code"] == "500",
        )
        assert (r.total - r.good, r.total) == (bad, total), host
        assert r.exact
    a, b, c, d = (results[k] for k in keys)
    # host a: 50 % errors for 70 minutes, 100x the sustainable rate: it pages and fails the gate
    assert a.page and a.status == "CRITICAL" and a.verdict is not None and a.verdict.breached
    assert a.burn_rates["1h"] == pytest.approx(100, rel=0.1)
    # hosts b and c never fail (no error series at all: zero bad events, not "no data")
    for r in (b, c):
        assert (r.page, r.ticket, r.status, r.sli) == (False, False, "OK", 1.0)
        assert r.verdict is not None and not r.verdict.breached and not r.verdict.unknown
    assert d.page  # 20 % errors: 40x, pages too, on its own row


NATIVE_GROUPED = """\
version: slo/v1
service: shop
slos:
  - name: availability
    objective: 99.5
    window: 30d
    group_by: [request_host]
    max_groups: 3
    sli:
      ratio:
        bad: http_requests_total{service="shop",code=~"5.."}
        total: http_requests_total{service="shop"}
"""


def test_native_group_by_gives_the_same_groups_and_more_than_max_groups_is_an_error(
    source: PrometheusSource,
) -> None:
    # more groups than max_groups: that SLO's row is an ERROR (issue 10: per-SLO errors)
    [over] = _evaluate(source, NATIVE_GROUPED, "native.yaml").values()
    assert over.status == "ERROR" and over.error is not None
    assert over.error.kind == "LimitError"
    assert "4 groups by (request_host), more than its limit of 3" in over.error.message
    native = _evaluate(source, NATIVE_GROUPED.replace("max_groups: 3", "max_groups: 4"), "n.yaml")
    sloth = _evaluate(source, GROUPED, "grouped.yaml")
    assert sorted(native) == sorted(sloth)
    for key, r in native.items():
        assert (r.good, r.total, r.page) == (sloth[key].good, sloth[key].total, sloth[key].page)


def test_openslo_counter_true_over_sum_of_rate_counts_the_counter_exactly(
    source: PrometheusSource, shop: Dataset
) -> None:
    """OpenSLO v1 README (SLI, ratioMetric.counter): "true if the metric is a monotonically
    increasing counter"; the query `sum(rate(x[5m]))` is a rate of that counter, so the counter's
    own increases are the events (issue 11: an increase of the rate gave 347,856 "events")."""
    [result] = _evaluate(
        source,
        """\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: availability}
        spec:
          service: shop
          indicator:
            metadata: {name: shop-errors}
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: Prometheus
                    spec: {query: 'sum(rate(http_requests_total{service="shop",code="200"}[5m]))'}
                total:
                  metricSource:
                    type: Prometheus
                    spec: {query: 'sum(rate(http_requests_total{service="shop"}[5m]))'}
          timeWindow: [{duration: 30d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """,
        "openslo.yaml",
    ).values()
    lo, hi = _window()
    good = shop.count("http_requests_total", lo, hi, _code("200"))
    total = shop.count("http_requests_total", lo, hi)
    assert result.exact and (result.good, result.total) == (good, total)
    # the short windows see the incident: a and d at 50 % and 20 % of a quarter of the traffic
    assert result.burn_rates["5m"] == pytest.approx(17.5, rel=0.25)


DISABLED = """\
version: prometheus/v1
service: shop
slos:
  - name: host-d
    objective: 99
    sli:
      events:
        error_query: sum(rate(http_requests_total{request_host="d",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{request_host="d"}[{{.window}}]))
    alerting:
      name: HostD
      page_alert: {disable: true}
"""


def test_a_sloth_page_alert_disabled_never_pages_so_the_page_gate_passes(
    source: PrometheusSource,
) -> None:
    """sloth pkg/prometheus/api/v1 Alert.Disable: "disables the alert"; the SLO is the same."""
    enabled = _evaluate(source, DISABLED.replace("{disable: true}", "{disable: false}"), "on.yaml")
    disabled = _evaluate(source, DISABLED, "off.yaml")
    on, off = enabled["shop/host-d"], disabled["shop/host-d"]
    # 20 % errors over 70 minutes: 20x the sustainable rate, a few percent of the budget
    assert 0 < on.remaining < 1 and on.page and on.verdict is not None and on.verdict.breached
    assert (off.good, off.total, off.remaining) == (on.good, on.total, on.remaining)
    assert not off.page and off.alerts_firing == ()
    assert off.verdict is not None and not off.verdict.breached


def test_a_grouped_latency_sli_counts_each_instance_exactly(
    prometheus: Server, shared_data: SharedData
) -> None:
    """group_by on a classic histogram: per instance, requests within 300ms of all requests
    (instance a spells the bound "0.3", b "0.30": both found, each in its own group)."""
    text = """\
    version: slo/v1
    service: search
    slos:
      - name: latency
        objective: 99
        window: 7d
        group_by: [instance]
        sli:
          latency:
            histogram: http_request_duration_seconds
            selector: '{service="search"}'
            threshold: 300ms
    """
    at = shared_data.end - 137.0
    src = PrometheusSource(
        ConnectionSettings.from_sources({"url": prometheus.url}, {}), clock=system_clock()
    )
    try:
        specs = load_text(textwrap.dedent(text), "latency.yaml")
        results = {r.key: r for r in evaluate(specs, src, now=at).slos}
    finally:
        src.close()
    assert sorted(results) == ['search/latency{instance="a"}', 'search/latency{instance="b"}']
    end = np.floor(at / 60) * 60
    ds = shared_data.dataset
    for host in "ab":
        r = results[f'search/latency{{instance="{host}"}}']
        good = ds.count(
            "http_request_duration_seconds_bucket",
            end - 7 * DAY,
            end,
            lambda lb, h=host: lb["instance"] == h and float(lb["le"]) == 0.3,
        )
        total = ds.count(
            "http_request_duration_seconds_count",
            end - 7 * DAY,
            end,
            lambda lb, h=host: lb["instance"] == h,
        )
        assert good > 0 and (r.good, r.total) == (good, total), host
