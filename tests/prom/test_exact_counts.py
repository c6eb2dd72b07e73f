"""Counts from a real Prometheus equal the generator's truth, for every SLI kind and window.

The shared dataset (tests/datagen.shared_dataset) holds steady traffic, an incident, counter
resets, a 40-minute scrape gap, a series born mid-way, unaligned jittered scrapes, several
series per SLI and histograms whose `le` is spelled "0.3"/"0.30" and "1"/"1.0". The expected
numbers come from the generator's own samples (tests/datagen.Series.count), never from the tool.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from slo_cli.sources.errors import NotABucketBoundaryError
from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_specs import load_text
from tests.datagen import END, SharedData, slice_flags
from tests.prom.conftest import make_source
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

DAY = 86400
WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 7 * DAY, 28 * DAY, 30 * DAY]
#: evaluation instants: now-ish, inside the incident just after the reset, just after the gap
ATS = [END - 137.0, END - 2 * 3600 + 301.0, END - 5 * 3600 + 2400.0 + 17.0]


def spec(sli: dict, name: str = "s", budgeting: str = "occurrences") -> object:
    doc = {
        "version": "slo/v1",
        "service": "svc",
        "slos": [
            {"name": name, "objective": 99.0, "window": "30d", "budgeting": budgeting, "sli": sli}
        ],
    }
    return load_text(json.dumps(doc))[0].slos[0]


RATIO_GOOD = {
    "ratio": {
        "good": 'http_requests_total{service="checkout",code!~"5.."}',
        "total": 'http_requests_total{service="checkout"}',
    }
}
RATIO_BAD = {
    "ratio": {
        "bad": 'http_requests_total{service="cart",code=~"5.."}',
        "total": 'http_requests_total{service="cart"}',
    }
}


def latency(threshold: str) -> dict:
    return {
        "latency": {
            "histogram": "http_request_duration_seconds",
            "selector": '{service="search"}',
            "threshold": threshold,
        }
    }


def grid(at: float) -> np.ndarray:
    end = np.floor(at / 60) * 60
    return plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS])


@pytest.fixture(scope="module")
def prom_source(prometheus: Server):
    """Prometheus only: for user PromQL whose answer is the engine's own semantics (a gauge's
    instant-vector lookback is 5 minutes on Prometheus and derived from the scrape interval on
    VictoriaMetrics; increase() extrapolates on Prometheus only)."""
    src = make_source(prometheus)
    yield src
    src.close()


def window_sum(c: SeriesCounts, w: float) -> tuple[float, float]:
    end = c.edges[-1]
    assert end - w in set(c.edges.tolist()), "every window start must be an edge"
    sel = c.edges[:-1] >= end - w
    return float(np.nansum(c.good[sel])), float(np.nansum(c.total[sel]))


@pytest.mark.parametrize("at", ATS, ids=["end", "incident", "after-gap"])
def test_ratio_counts_are_exact_in_every_window(
    source: PrometheusSource, shared_data: SharedData, at: float
) -> None:
    edges = grid(at)
    reqs = [
        FetchRequest("good", spec(RATIO_GOOD), edges),
        FetchRequest("bad", spec(RATIO_BAD), edges),
    ]
    good_form, bad_form = source.fetch(reqs)
    ds = shared_data.dataset
    end = edges[-1]
    for w in WINDOWS:
        checkout = {
            "good": ds.count(
                "http_requests_total",
                end - w,
                end,
                lambda lb: lb["service"] == "checkout" and not lb["code"].startswith("5"),
            ),
            "total": ds.count(
                "http_requests_total", end - w, end, lambda lb: lb["service"] == "checkout"
            ),
        }
        cart_total = ds.count(
            "http_requests_total", end - w, end, lambda lb: lb["service"] == "cart"
        )
        cart_bad = ds.count(
            "http_requests_total",
            end - w,
            end,
            lambda lb: lb["service"] == "cart" and lb["code"].startswith("5"),
        )
        assert window_sum(good_form, w) == (checkout["good"], checkout["total"]), w
        assert window_sum(bad_form, w) == (cart_total - cart_bad, cart_total), w


@pytest.mark.parametrize("at", ATS[:2], ids=["end", "incident"])
@pytest.mark.parametrize(
    ("threshold", "spellings"), [("300ms", {"0.3", "0.30"}), ("1s", {"1", "1.0"})]
)
def test_latency_counts_are_exact_for_every_le_spelling(
    source: PrometheusSource, shared_data: SharedData, at: float, threshold: str, spellings: set
) -> None:
    edges = grid(at)
    [c] = source.fetch([FetchRequest("lat", spec(latency(threshold)), edges)])
    ds = shared_data.dataset
    end = edges[-1]
    for w in WINDOWS:
        good = ds.count(
            "http_request_duration_seconds_bucket", end - w, end, lambda lb: lb["le"] in spellings
        )
        total = ds.count("http_request_duration_seconds_count", end - w, end)
        assert window_sum(c, w) == (good, total), w


def test_threshold_that_is_not_a_boundary_lists_the_boundaries(source: PrometheusSource) -> None:
    edges = grid(ATS[0])
    # an error of this SLO's own query: its counts carry it (the other SLOs go on)
    [c] = source.fetch([FetchRequest("lat", spec(latency("250ms")), edges)])
    assert isinstance(c.error, NotABucketBoundaryError)
    assert "0.25s is not a bucket boundary" in str(c.error)
    assert "boundaries (seconds): 0.1, 0.3, 1, inf" in str(c.error)


@pytest.mark.parametrize("at", ATS[:2], ids=["end", "incident"])
def test_timeslices_count_slice_flags(
    prom_source: PrometheusSource, shared_data: SharedData, at: float
) -> None:
    sli = {
        "timeslices": {"query": 'probe_success{job="blackbox"}', "good_when": ">= 1", "slice": "1m"}
    }
    edges = grid(at)
    [c] = prom_source.fetch([FetchRequest("ts", spec(sli, budgeting="timeslices"), edges)])
    end = edges[-1]
    series = shared_data.dataset.select("probe_success")
    for w in WINDOWS:
        ends = np.arange(end - w + 60, end + 1, 60.0)
        good, data = slice_flags(series, ends, lambda v: v >= 1)
        assert window_sum(c, w) == (good.sum(), data.sum()), w
    # the incident really shows up in the slices (the test data is not trivially all-good)
    g, t = window_sum(c, 6 * 3600)
    assert g < t


def test_at_mid_history_uses_only_data_before_it(
    source: PrometheusSource, shared_data: SharedData
) -> None:
    at = END - 10 * DAY + 33.0
    edges = grid(at)
    [c] = source.fetch([FetchRequest("good", spec(RATIO_GOOD), edges)])
    end = edges[-1]
    total = shared_data.dataset.count(
        "http_requests_total", end - 30 * DAY, end, lambda lb: lb["service"] == "checkout"
    )
    assert window_sum(c, 30 * DAY)[1] == total


def test_raw_templates_are_marked_approximate_and_close(
    prom_source: PrometheusSource, shared_data: SharedData
) -> None:
    sli = {
        "raw": {
            "good": "sum(increase("
            'http_requests_total{service="checkout",code!~"5.."}[{{window}}]))',
            "total": 'sum(increase(http_requests_total{service="checkout"}[{{window}}]))',
        }
    }
    edges = grid(ATS[0])
    [c] = prom_source.fetch([FetchRequest("raw", spec(sli), edges)])
    assert c.exact is False and "approximate" in c.notes[0]
    end = edges[-1]
    truth = shared_data.dataset.count(
        "http_requests_total", end - 30 * DAY, end, lambda lb: lb["service"] == "checkout"
    )
    got = window_sum(c, 30 * DAY)[1]
    # increase() extrapolates per bin: close to the truth, not equal (hence exact=False)
    assert got != truth and abs(got - truth) / truth < 0.05


def test_raw_templates_see_the_short_windows_on_one_minute_bins(
    prom_source: PrometheusSource, shared_data: SharedData
) -> None:
    # The finest bins are 1 minute; a {{window}} of 1m holds fewer than two samples of a
    # 1-minute scrape, so rate()/increase() would return nothing and the 5m/1h burn rates (and
    # the page alerts) would be blind. The template is evaluated over at least 5m and scaled.
    sli = {
        "raw": {
            "good": "sum(increase("
            'http_requests_total{service="checkout",code!~"5.."}[{{window}}]))',
            "total": 'sum(increase(http_requests_total{service="checkout"}[{{window}}]))',
        }
    }
    edges = grid(ATS[0])
    [c] = prom_source.fetch([FetchRequest("raw", spec(sli), edges)])
    end = edges[-1]
    last_hour = c.edges[:-1] >= end - 3600
    assert np.all(np.diff(c.edges[:-1][last_hour]) == 60)  # the hour is in 1-minute bins
    assert not np.isnan(c.total[last_hour]).any()
    truth = shared_data.dataset.count(
        "http_requests_total", end - 3600, end, lambda lb: lb["service"] == "checkout"
    )
    got = window_sum(c, 3600)[1]
    # approximate (a trailing 5-minute average per minute), but the right size
    assert abs(got - truth) / truth < 0.15


def test_raw_error_ratio_weighs_bins_by_their_minutes(prom_source: PrometheusSource) -> None:
    sli = {
        "raw": {
            "error_ratio": '1 - avg_over_time(probe_success{target="https://shop"}[{{window}}])'
        }
    }
    edges = grid(ATS[0])
    [c] = prom_source.fetch([FetchRequest("raw", spec(sli), edges)])
    assert c.exact is False
    # every bin has probe data, so the total is the window in minutes
    assert window_sum(c, DAY)[1] == 1440.0
    assert 0 < window_sum(c, DAY)[0] <= 1440.0
