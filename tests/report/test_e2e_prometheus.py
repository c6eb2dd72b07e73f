"""End to end against a real Prometheus: a calendar week in Europe/Berlin with one known
incident that starts and ends inside hourly bins. Every figure is recomputed from the
generator's own increments (tests/datagen.py), never from the tool's output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.datagen import Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip
from tests.report.conftest import slo

HOUR, DAY = 3600.0, 86400.0
AT = datetime.fromisoformat("2026-11-20T12:00:00+00:00").timestamp()
#: ISO week 46 in Berlin (CET, +01:00): Mon 9 Nov 00:00 to Mon 16 Nov 00:00
WEEK = (
    datetime.fromisoformat("2026-11-09T00:00:00+01:00").timestamp(),
    datetime.fromisoformat("2026-11-16T00:00:00+01:00").timestamp(),
)
PREVIOUS = (WEEK[0] - 7 * DAY, WEEK[0])
#: the incident: Thu 12 Nov 14:20 to 17:40 Berlin time, 80× the usual 0.05 % errors
INCIDENT = (
    datetime.fromisoformat("2026-11-12T14:20:00+01:00").timestamp(),
    datetime.fromisoformat("2026-11-12T17:40:00+01:00").timestamp(),
)
OBJECTIVE = 0.999
SPEC = """\
version: slo/v1
service: shop
slos:
  - name: availability
    objective: 99.9
    window: 7d
    sli:
      ratio:
        bad: 'http_requests_total{service="shop",code="500"}'
        total: 'http_requests_total{service="shop"}'
"""


def _dataset() -> Dataset:
    rng = np.random.default_rng(46)
    ds = Dataset()
    t = scrape_times(PREVIOUS[0] - 8 * DAY, AT + 600, 60.0, offset=13.5, rng=rng)
    errors = rates(t, 1000 * 0.0005, rng=rng, incidents=[(*INCIDENT, 80.0)])
    oks = np.maximum(rates(t, 1000.0, rng=rng) - errors, 0)
    labels = {"service": "shop", "instance": "shop-1"}
    add_counter(ds, "http_requests", {**labels, "code": "200"}, t, oks)
    add_counter(ds, "http_requests", {**labels, "code": "500"}, t, errors)
    return ds


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dataset, Server, Path]]:
    ds = _dataset()
    tmp = tmp_path_factory.mktemp("report-prom")
    server = prometheus_or_skip(ds.openmetrics(), tmp)
    spec = tmp / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    try:
        yield ds, server, spec
    finally:
        server.stop()


def counts(ds: Dataset, start: float, end: float) -> tuple[float, float]:
    """True (bad, total) requests in (start, end]."""
    bad = ds.count("http_requests_total", start, end, lambda lab: lab["code"] == "500")
    return bad, ds.count("http_requests_total", start, end)


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_berlin_week_with_one_incident_equals_the_truth(
    world: tuple[Dataset, Server, Path],
) -> None:
    ds, server, spec = world
    run = slo(
        "report",
        str(spec),
        "--prometheus-url",
        server.url,
        "--period",
        "week",
        "--timezone",
        "Europe/Berlin",
        "--at",
        "2026-11-20T12:00:00Z",
        "--format",
        "json",
    )
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["period"]["title"] == "2026-W46"
    assert (doc["period"]["start_epoch_seconds"], doc["period"]["end_epoch_seconds"]) == WEEK
    [s] = doc["slos"]
    cur, prev = s["current"], s["previous"]

    # a rolling 7-day window as long as the week: the window's budget is the week's
    bad, tot = counts(ds, *WEEK)
    budget = (1 - OBJECTIVE) * tot
    assert (cur["budget_consumed_count"], cur["total_count"]) == (bad, tot)
    assert close(cur["sli_ratio"], (tot - bad) / tot)
    assert close(cur["budget_consumed_ratio"], bad / budget)
    assert close(cur["budget_consumed_minutes"], bad / budget * 7 * 1440 * (1 - OBJECTIVE))
    assert close(cur["budget_remaining_ratio"], 1 - bad / budget)
    pbad, ptot = counts(ds, *PREVIOUS)
    assert close(prev["budget_consumed_ratio"], pbad / ((1 - OBJECTIVE) * ptot))
    assert s["trend"] == "worse"

    [event] = s["burn_events"]
    start, end = event["start_epoch_seconds"], event["end_epoch_seconds"]
    # the event's start and end are the edges of the hourly bins holding the incident's ends
    assert 0 <= INCIDENT[0] - start < HOUR
    assert 0 <= end - INCIDENT[1] < HOUR
    assert (start, end) == (INCIDENT[0] - 20 * 60, INCIDENT[1] + 20 * 60)
    # budget consumed: exactly the bad events of the reported span, which differ from the
    # incident's own by the normal traffic of the two part-bins (within one bin)
    in_span, _ = counts(ds, start, end)
    assert event["budget_consumed_count"] == in_span
    assert close(event["budget_consumed_ratio"], in_span / budget)
    incident_bad, _ = counts(ds, *INCIDENT)
    edges_bad = counts(ds, start, INCIDENT[0])[0] + counts(ds, INCIDENT[1], end)[0]
    assert in_span == incident_bad + edges_bad
    assert edges_bad / budget < 0.05 * event["budget_consumed_ratio"]
    hours = [counts(ds, t, t + HOUR) for t in np.arange(start, end, HOUR)]
    assert close(event["peak_burn_rate"], max(b / t for b, t in hours) / (1 - OBJECTIVE))
