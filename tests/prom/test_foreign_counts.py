"""Sloth and OpenSLO SLIs that were recognised as counters count exactly on a real Prometheus.

The expected numbers come from the generator's own samples (tests/datagen), as in
test_exact_counts.py: a foreign spec must give the same exact counts as the native form.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.datagen import END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

DAY = 86400
WINDOWS = [300, 3600, 6 * 3600, DAY, 3 * DAY, 30 * DAY]
#: now-ish, and inside the incident just after a counter reset (see tests/datagen)
ATS = [END - 137.0, END - 2 * 3600 + 301.0]

SLOTH = """\
version: prometheus/v1
service: cart
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="cart",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="cart"}[{{ .window }}]))
"""

OPENSLO = """\
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
        good:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(http_requests_total{service="checkout",code!~"5.."})'}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'http_requests_total{service="checkout"}'}
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{targetPercent: 99}]
"""


@pytest.fixture(scope="module")
def source(prometheus: Server):
    settings = ConnectionSettings.from_sources({"url": prometheus.url}, {})
    src = PrometheusSource(settings, clock=system_clock(), workers=2)
    yield src
    src.close()


def window_sum(c: SeriesCounts, w: float) -> tuple[float, float]:
    end = c.edges[-1]
    sel = c.edges[:-1] >= end - w
    return float(np.nansum(c.good[sel])), float(np.nansum(c.total[sel]))


@pytest.mark.parametrize("at", ATS, ids=["end", "incident"])
def test_recognised_foreign_ratios_count_exactly(
    source: PrometheusSource, shared_data: SharedData, at: float
) -> None:
    [sloth] = load_text(SLOTH, "sloth.yaml")[0].slos
    [openslo] = load_text(textwrap.dedent(OPENSLO), "openslo.yaml")[0].slos
    assert (sloth.sli.kind, openslo.sli.kind) == ("ratio", "ratio")
    end = np.floor(at / 60) * 60
    edges = plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS])
    cart, checkout = source.fetch(
        [FetchRequest("cart", sloth, edges), FetchRequest("checkout", openslo, edges)]
    )
    assert cart.exact and checkout.exact
    ds = shared_data.dataset
    end = edges[-1]
    for w in WINDOWS:
        cart_total = ds.count(
            "http_requests_total", end - w, end, lambda lb: lb["service"] == "cart"
        )
        cart_bad = ds.count(
            "http_requests_total",
            end - w,
            end,
            lambda lb: lb["service"] == "cart" and lb["code"].startswith("5"),
        )
        checkout_total = ds.count(
            "http_requests_total", end - w, end, lambda lb: lb["service"] == "checkout"
        )
        checkout_good = ds.count(
            "http_requests_total",
            end - w,
            end,
            lambda lb: lb["service"] == "checkout" and not lb["code"].startswith("5"),
        )
        if w == 30 * DAY:  # the data is not trivially all-good
            assert cart_bad > 0 and checkout_total > checkout_good
        assert window_sum(cart, w) == (cart_total - cart_bad, cart_total), w
        assert window_sum(checkout, w) == (checkout_good, checkout_total), w
