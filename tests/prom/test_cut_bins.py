"""Cut bins (grid.cut_plan) on a series that starts late: a window start that cuts a day with
no data for any counter and one that cuts a day with data each cost the one cut query (a dry
run lists it, so a live run sends it whatever the day holds), and both count every window
exactly.

The series `http_requests_total{service="checkout", instance="c"}` of tests/datagen starts 12
days before END; the truth is the generator's own samples.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources.grid import plan_grid
from slo_cli.sources.http import QueryLog
from slo_cli.sources.model import FetchRequest
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.datagen import DAY, END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

TOTAL = 'http_requests_total{service="checkout",instance="c"}'


def _late_series(labels: Mapping[str, str]) -> bool:
    return labels["service"] == "checkout" and labels["instance"] == "c"


@pytest.mark.parametrize(
    "window_d",
    [28, 7],
    ids=["cut-day-without-data", "cut-day-with-data"],
)
def test_a_cut_day_costs_one_query_and_counts_exactly(
    engine_server: Server, shared_data: SharedData, window_d: int
) -> None:
    at = END - 137.0
    end = float(np.floor(at / 60) * 60)
    doc = {
        "version": "slo/v1",
        "service": "svc",
        "slos": [
            {
                "name": "late",
                "objective": 99.0,
                "window": "30d",
                "sli": {"ratio": {"good": TOTAL[:-1] + ',code="200"}', "total": TOTAL}},
            }
        ],
    }
    slo = load_text(json.dumps(doc))[0].slos[0]
    edges = plan_grid(at, 30 * DAY, must_edges=[end - window_d * DAY, end - 3600.0])
    log = QueryLog()
    settings = ConnectionSettings.from_sources(
        {"url": engine_server.url, "engine": engine_server.engine}, {}
    )
    src = PrometheusSource(settings, clock=system_clock(), workers=1, query_log=log)
    try:
        (got,) = src.fetch([FetchRequest("late", slo, edges)])
    finally:
        src.close()
    assert got.error is None
    cut = [c for c in log.calls if " offset " in dict(c.params).get("query", "")]
    assert len(cut) == 1
    ds = shared_data.dataset
    for w in (window_d * DAY, 3600.0, 30 * DAY):
        sel = got.edges[:-1] >= end - w
        assert float(np.nansum(got.total[sel])) == ds.count(
            "http_requests_total", end - w, end, _late_series
        ), w
    head = got.edges[:-1] < END - 12 * DAY  # the days before the series' first sample
    assert np.isnan(got.total[head]).all() and head.any()
