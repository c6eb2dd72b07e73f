"""The history behind `examples/`: six services, each telling one story at the instant AT.

Used twice: `scripts/record_examples.py` backfills it into a real Prometheus and records
`examples/snapshot.json`; the end-to-end test backfills it again and compares `slo check` with
the truth computed here from the generator's own increments.

The stories at AT = 2026-11-20T12:00:00Z (a Friday):

* checkout: healthy. 0.02 % errors, 99.7 % of requests under 300 ms, a counter reset 10 days
  back, probes that almost never fail.
* search: a slow burn. 0.01 % errors until 3.5 days before AT, then 0.56 %: 1.12x the 99.5 %
  budget over 3 days and 6 hours (ticket: 1x over 3d and 6h), far below a page.
* payments: a fast burn. 0.01 % errors, then 2 % for the last 90 minutes: 40x the 99.95 %
  budget over 1 h and 5 m (page: 14.4x), budget not yet gone.
* auth: exhausted. A 12-hour outage (2 % errors) centred 2 days before AT spends 1.6x the 7-day
  99.9 % budget; the probe failed for the outage's first 80 minutes (80 one-minute slices
  against a weekly budget of 50.4).
* legacy-reports: no series at all (NO DATA).
* catalog: planned downtime that does not count. 0.02 % errors, but 30 % during its weekly
  maintenance window (Sundays 03:00-05:00 Europe/Berlin, CATALOG_MAINTENANCE); the spec's RRULE
  adjustment excludes those windows, so the 99.9 % SLO is OK (without it: exhausted 3.5 times).

The OpenSLO and Sloth examples read the same metrics (checkout's `le="0.3"` bucket and probe,
search's `le="0.5"` bucket) plus the recording rule `search:index_update_stale:ratio` (0.1 %).
Sloth's 99.9 % search availability sees the slow burn at 5.6x (ticket, still below the 6x page)
with about a quarter of its budget left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests.datagen import (
    Dataset,
    add_counter,
    add_gauge,
    add_histogram,
    rates,
    scrape_times,
)

#: the examples' evaluation instant: 2026-11-20T12:00:00Z
AT = 1_795_176_000.0
HOUR = 3600.0
DAY = 86400.0
#: Monday 2026-11-16T00:00:00Z: start of the calendar week holding AT (UTC)
WEEK_START = 1_794_787_200.0
#: 2026-11-01T00:00:00+01:00 (CET) = 2026-10-31T23:00:00Z: start of November in Europe/Berlin
MONTH_START_BERLIN = 1_793_487_600.0
#: 2026-12-01T00:00:00+01:00 = 2026-11-30T23:00:00Z
MONTH_END_BERLIN = MONTH_START_BERLIN + 30 * DAY

#: days of history recorded into examples/snapshot.json: `slo report --period week` at AT covers
#: 9-16 Nov, its previous week 2-9 Nov and that week's 30-day SLO window from 10 Oct (41.5 days)
SNAPSHOT_DAYS = 50.0

#: story instants (epoch seconds)
SEARCH_BURN_START = AT - 3.5 * DAY
PAYMENTS_INCIDENT_START = AT - 90 * 60
AUTH_OUTAGE = (AT - 2 * DAY - 6 * HOUR, AT - 2 * DAY + 6 * HOUR)
AUTH_PROBE_DOWN = (AUTH_OUTAGE[0], AUTH_OUTAGE[0] + 80 * 60)
CHECKOUT_RESET = AT - 10 * DAY + 1234.5


def _utc(text: str) -> float:
    """Epoch seconds of a UTC time written as ``2026-10-04T01:00:00``."""
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()


#: catalog's maintenance windows in the snapshot's 50 days, written out in UTC by hand: Sundays
#: 03:00-05:00 Berlin = 01:00-03:00 UTC under CEST (until 25 Oct 2026), 02:00-04:00 under CET
CATALOG_MAINTENANCE = [
    (_utc(f"{day}T{hour}:00:00"), _utc(f"{day}T{hour}:00:00") + 2 * HOUR)
    for day, hour in (
        ("2026-10-04", "01"),
        ("2026-10-11", "01"),
        ("2026-10-18", "01"),
        ("2026-10-25", "02"),  # the DST change's day: 03:00 CET is after the change (01:00Z)
        ("2026-11-01", "02"),
        ("2026-11-08", "02"),
        ("2026-11-15", "02"),
    )
]


@dataclass
class ExampleData:
    """The dataset and the span it covers (epoch seconds)."""

    dataset: Dataset
    start: float
    end: float


def _requests(
    ds: Dataset,
    service: str,
    t: np.ndarray,
    per_sample: float,
    error_ratio: float,
    rng: np.random.Generator,
    incidents: list[tuple[float, float, float]],
    resets: list[float] | None = None,
) -> None:
    """`http_requests_total{service, instance, code}` with 200s and 500s."""
    labels = {"service": service, "instance": f"{service}-1", "job": service}
    errors = rates(t, per_sample * error_ratio, rng=rng, incidents=incidents)
    oks = np.maximum(rates(t, per_sample, rng=rng) - errors, 0)
    add_counter(ds, "http_requests", {**labels, "code": "200"}, t, oks, resets=resets or [])
    add_counter(ds, "http_requests", {**labels, "code": "500"}, t, errors, resets=resets or [])


def build(days: float = 35.0, interval: float = 60.0, seed: int = 20261120) -> ExampleData:
    """The examples' history: `days` before AT until 10 minutes after it, scraped every
    ~`interval` seconds (60 s for the recorded snapshot; tests may use a coarser one)."""
    rng = np.random.default_rng(seed)
    start, end = AT - days * DAY, AT + 600.0
    ds = Dataset()
    scale = interval / 60.0  # per-sample traffic keeps per-minute rates fixed

    def times(offset: float) -> np.ndarray:
        return scrape_times(start, end, interval, offset=offset, rng=rng)

    # checkout: healthy, with a counter reset
    t = times(7.25)
    _requests(ds, "checkout", t, 3000 * scale, 0.0002, rng, [], resets=[CHECKOUT_RESET])
    add_histogram(
        ds,
        "http_request_duration_seconds",
        {"service": "checkout", "instance": "checkout-1", "job": "checkout"},
        t,
        rates(t, 3000 * scale, rng=rng),
        {"0.1": 0.7, "0.3": 0.997, "1": 0.9995, "+Inf": 1.0},
        rng=rng,
    )
    tp = times(3.5)
    add_gauge(
        ds,
        "probe_success",
        {"instance": "checkout", "job": "blackbox"},
        tp,
        (rng.random(tp.size) > 0.0005).astype(float),
    )

    # search: slow burn over the last 3.5 days
    t = times(19.0)
    _requests(ds, "search", t, 6000 * scale, 0.0001, rng, [(SEARCH_BURN_START, end, 56.0)])
    add_histogram(
        ds,
        "http_request_duration_seconds",
        {"service": "search", "instance": "search-1", "job": "search"},
        t,
        rates(t, 6000 * scale, rng=rng),
        {"0.1": 0.5, "0.25": 0.9, "0.5": 0.995, "1": 0.999, "+Inf": 1.0},
        rng=rng,
    )
    tg = times(29.0)
    add_gauge(
        ds,
        "search:index_update_stale:ratio",
        {"service": "search"},
        tg,
        np.full(tg.size, 0.001),
    )

    # payments: fast burn in the last 90 minutes
    t = times(41.5)
    _requests(ds, "payments", t, 1200 * scale, 0.0001, rng, [(PAYMENTS_INCIDENT_START, end, 200.0)])

    # auth: a 12-hour outage two days ago, and the probe down for its first 80 minutes
    t = times(52.0)
    _requests(ds, "auth", t, 2400 * scale, 0.0002, rng, [(*AUTH_OUTAGE, 100.0)])
    tp = times(11.0)
    down = (tp >= AUTH_PROBE_DOWN[0]) & (tp < AUTH_PROBE_DOWN[1])
    add_gauge(
        ds, "probe_success", {"instance": "auth", "job": "blackbox"}, tp, (~down).astype(float)
    )

    # catalog: 30 % errors in each weekly maintenance window (added last: the other services'
    # random draws stay as they were)
    t = times(23.0)
    windows = [(a, b, 1500.0) for a, b in CATALOG_MAINTENANCE]
    _requests(ds, "catalog", t, 1800 * scale, 0.0002, rng, windows)
    return ExampleData(ds, start, end)


def bad_and_total(data: ExampleData, service: str, start: float, end: float) -> tuple[float, float]:
    """True (5xx, all) requests of `service` in (start, end], from the generator's increments."""
    bad = data.dataset.count(
        "http_requests_total",
        start,
        end,
        lambda lab: lab["service"] == service and lab["code"] == "500",
    )
    total = data.dataset.count(
        "http_requests_total", start, end, lambda lab: lab["service"] == service
    )
    return bad, total
