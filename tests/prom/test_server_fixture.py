"""The test servers themselves: the generated data is visible, the same on both engines."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from tests.conftest import stored_samples
from tests.datagen import SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus


def _query(server: Server, expr: str, at: float) -> list[dict]:
    params = {"query": expr, "time": at}
    if server.engine == "victoriametrics":
        params["nocache"] = "1"
    url = server.url + "/api/v1/query?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as resp:
        body = json.load(resp)
    assert body["status"] == "success"
    return body["data"]["result"]


def test_backfilled_values_are_served(engine_server: Server, shared_data: SharedData) -> None:
    at = shared_data.end - 600.5
    for s in shared_data.dataset.select("http_requests_total")[:3]:
        sel = ",".join(f'{k}="{v}"' for k, v in s.labels.items())
        result = _query(engine_server, f"last_over_time(http_requests_total{{{sel}}}[5m])", at)
        assert len(result) == 1
        assert float(result[0]["value"][1]) == s.value_at(at)


def test_both_engines_hold_every_generated_sample(
    prometheus: Server, victoriametrics: Server, shared_data: SharedData
) -> None:
    held = [stored_samples(s, shared_data.end + 1) for s in (prometheus, victoriametrics)]
    assert held == [shared_data.dataset.samples()] * 2


def test_every_le_spelling_is_a_distinct_series(
    engine_server: Server, shared_data: SharedData
) -> None:
    result = _query(
        engine_server,
        "count by (le) (last_over_time(http_request_duration_seconds_bucket[40d]))",
        shared_data.end,
    )
    assert {r["metric"]["le"] for r in result} == {"0.1", "0.3", "0.30", "1", "1.0", "+Inf"}
