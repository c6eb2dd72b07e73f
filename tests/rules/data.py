"""Generated history for the rules and backtest tests, and its truth per minute.

One service `shop` over 4 days ending at datagen.END, scraped every ~60 s, each scrape inside
a given span of its minute (jittered up to ±1 s): a fast incident (errors ×300 for 30 min, 3 h
before the end: pages), a slow burn (errors ×20 for 24 h, from 40 h to 16 h before the end:
tickets), a counter reset on instance b 5 h before the end, a 40-minute scrape gap on instance
a 20 h before the end. Latency (histogram, `le` spelled 0.3 and 0.30) and a probe (0/1 gauge)
suffer during the incident. `availability-by-instance` is the availability SLO grouped by
instance: one SLO per instance (a holds the scrape gap, b the reset); `availability-month` is
it over calendar months in Europe/Berlin, whose December ends an hour before the end (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests import datagen as G

END = G.END
START = END - 4 * G.DAY
MIN = 60.0
INSTANCES = ("a", "b")

EVENTS = {
    "incident_start": END - 3 * 3600 + 17,
    "incident_end": END - 2.5 * 3600 + 17,
    "slow_start": END - 40 * 3600 + 29,
    "slow_end": END - 16 * 3600 + 29,
    "reset_b": END - 5 * 3600 + 23,
    "gap_start": END - 20 * 3600 - 7,
    "gap_end": END - 20 * 3600 + 40 * 60 - 7,
}

SPEC = """version: slo/v1
service: shop
labels: {team: web}
slos:
  - name: availability
    objective: 99
    window: 7d
    sli:
      ratio:
        bad: 'http_requests_total{service="shop",code=~"5.."}'
        total: 'http_requests_total{service="shop"}'
  - name: availability-by-instance
    objective: 99
    window: 7d
    group_by: [instance]
    sli:
      ratio:
        bad: 'http_requests_total{service="shop",code=~"5.."}'
        total: 'http_requests_total{service="shop"}'
  - name: availability-month
    objective: 99
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      ratio:
        bad: 'http_requests_total{service="shop",code=~"5.."}'
        total: 'http_requests_total{service="shop"}'
  - name: latency
    objective: 99
    window: 7d
    sli:
      latency:
        histogram: http_request_duration_seconds
        selector: '{service="shop"}'
        threshold: 300ms
  - name: probe
    objective: 99
    window: 7d
    budgeting: timeslices
    sli:
      timeslices:
        query: 'probe_success{job="shop"}'
        good_when: ">= 1"
        slice: 1m
"""


@dataclass
class Data:
    dataset: G.Dataset
    openmetrics: str


def build(free: tuple[float, float] = (2.0, 58.0), seed: int = 13) -> Data:
    """The history; every scrape falls `free[0]` to `free[1]` seconds into its minute."""
    rng = np.random.default_rng(seed)
    lo, hi = free
    off_a, off_b, off_p = (lo + (hi - lo) * f for f in (0.2, 0.8, 0.5))
    jitter = min(1.0, (hi - lo) * 0.1)
    ev = EVENTS
    fast = (ev["incident_start"], ev["incident_end"], 300.0)
    slow = (ev["slow_start"], ev["slow_end"], 20.0)
    ds = G.Dataset()
    t_a = G.scrape_times(
        START,
        END,
        60.0,
        offset=off_a,
        jitter=jitter,
        gaps=[(ev["gap_start"], ev["gap_end"])],
        rng=rng,
    )
    t_b = G.scrape_times(START, END, 60.0, offset=off_b, jitter=jitter, rng=rng)
    base = {"service": "shop", "job": "api"}
    for inst, times, ok, err, resets in (
        ("a", t_a, 60, 0.03, ()),
        ("b", t_b, 40, 0.02, (ev["reset_b"],)),
    ):
        labels = {**base, "instance": inst}
        G.add_counter(
            ds,
            "http_requests",
            {**labels, "code": "200"},
            times,
            G.rates(times, ok, rng=rng),
            resets=resets,
        )
        G.add_counter(
            ds,
            "http_requests",
            {**labels, "code": "500"},
            times,
            G.rates(times, err, rng=rng, incidents=[fast, slow]),
            resets=resets,
        )
    for inst, times, le in (("a", t_a, "0.3"), ("b", t_b, "0.30")):
        slow_share = np.where((times >= fast[0]) & (times < fast[1]), 0.8, 0.998)
        G.add_histogram(
            ds,
            "http_request_duration_seconds",
            {"service": "shop", "instance": inst},
            times,
            G.rates(times, 30, rng=rng),
            {"0.1": 0.5 * slow_share, le: slow_share, "+Inf": 1.0},
            rng=rng,
        )
    tp = G.scrape_times(START, END, 60.0, offset=off_p, jitter=jitter, rng=rng)
    ok = ~((tp >= fast[0]) & (tp < fast[1]) & (rng.random(tp.size) < 0.6))
    G.add_gauge(ds, "probe_success", {"job": "shop", "target": "https://shop"}, tp, ok * 1.0)
    return Data(ds, ds.openmetrics())


def minute_bins(series: list[G.Series], edges: np.ndarray) -> np.ndarray:
    """True events per bin (edges[i], edges[i+1]] summed over the series (datagen's rule)."""
    out = np.zeros(edges.size - 1)
    for s in series:
        t, inc = s.increments()
        idx = np.searchsorted(edges, t, side="left") - 1
        ok = (idx >= 0) & (idx < out.size)
        np.add.at(out, idx[ok], inc[ok])
    return out


def truth(data: Data, edges: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per SLO: (bad, total) per 1-minute bin, from the samples."""
    ds = data.dataset
    shop = {"service": "shop"}

    def sel(name: str, **want: str) -> list[G.Series]:
        return ds.select(
            name, lambda lab: all(lab.get(k) == v for k, v in {**shop, **want}.items())
        )

    total = minute_bins(sel("http_requests_total"), edges)
    bad = minute_bins(sel("http_requests_total", code="500"), edges)
    groups = {
        f'shop/availability-by-instance{{instance="{i}"}}': (
            minute_bins(sel("http_requests_total", code="500", instance=i), edges),
            minute_bins(sel("http_requests_total", instance=i), edges),
        )
        for i in INSTANCES
    }
    lat_total = minute_bins(sel("http_request_duration_seconds_count"), edges)
    buckets = [
        s for s in sel("http_request_duration_seconds_bucket") if s.labels["le"] in ("0.3", "0.30")
    ]
    lat_good = minute_bins(buckets, edges)
    probe = ds.select("probe_success")
    good_p, data_p = G.slice_flags(probe, edges[1:], lambda v: v >= 1)
    return {
        "shop/availability": (bad, total),
        "shop/availability-month": (bad, total),
        "shop/latency": (lat_total - lat_good, lat_total),
        "shop/probe": (data_p - good_p, data_p),
        **groups,
    }


def reset_bound(data: Data, edges: np.ndarray, instance: str | None = None) -> np.ndarray:
    """Per bin: the documented error bound of the recorded counts (availability, or its group
    of `instance`): the events of a series in a bin holding a reset and two or more of its
    samples."""
    out = np.zeros(edges.size - 1)
    for s in data.dataset.select(
        "http_requests_total",
        lambda lab: lab["service"] == "shop" and instance in (None, lab["instance"]),
    ):
        t, inc = s.increments()
        drops = np.flatnonzero(np.diff(s.values) < 0)
        for k in drops:
            i = int(np.searchsorted(edges, t[k], side="left")) - 1
            in_bin = (t > edges[i]) & (t <= edges[i + 1])
            if in_bin.sum() >= 2:
                out[i] += inc[in_bin].sum()
    return out
