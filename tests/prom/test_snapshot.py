"""`slo snapshot` records a live run; RecordedSource replays it offline to identical counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.plan import check_needs, plan, requests
from slo_cli.sources.errors import SnapshotError
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.recorded import RecordedSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_paths
from tests.clirun import slo
from tests.datagen import END
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

SPECS = """\
version: slo/v1
service: checkout
slos:
  - name: availability
    objective: 99.5
    window: 30d
    sli:
      ratio:
        good: http_requests_total{service="checkout",code!~"5.."}
        total: http_requests_total{service="checkout"}
  - name: latency
    objective: 99
    window: 7d
    sli:
      latency:
        histogram: http_request_duration_seconds
        selector: '{service="search"}'
        threshold: 300ms
  - name: ledger-sliced
    objective: 99
    window: 30d
    budgeting: timeslices
    timeslice: {slice: 5m, target: 99}
    sli:
      ratio:
        bad: ledger_requests_total{service="ledger",instance="a",code=~"5.."}
        total: ledger_requests_total{service="ledger",instance="a"}
  - name: probes
    objective: 99
    window: 28d
    budgeting: timeslices
    sli:
      timeslices:
        query: probe_success{job="blackbox"}
        good_when: ">= 1"
        slice: 1m
"""

AT = END - 2 * 3600 + 301.0
SECRET_TOKEN = "tok-9f8e7d-SECRET"
SECRET_TENANT = "tenant-SECRET-42"


@pytest.fixture(scope="module")
def recorded(prometheus: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("snap")
    specs = root / "checkout.yaml"
    specs.write_text(SPECS)
    out = root / "snap.json"
    result = slo(
        "snapshot",
        str(specs),
        "--out",
        str(out),
        "--at",
        str(AT),
        "--prometheus-url",
        prometheus.url,
        "--header",
        f"X-Scope-OrgID: {SECRET_TENANT}",
        "--bearer-token-env",
        "SNAP_TOKEN",
        env={"SNAP_TOKEN": SECRET_TOKEN},
    )
    assert result.code == 0, result.stderr
    assert "recorded" in result.stderr and "4 SLOs" in result.stderr
    return specs, out


def test_replay_equals_the_live_counts(prometheus: Server, recorded: tuple[Path, Path]) -> None:
    specs_path, snap = recorded
    specs = load_paths([specs_path])
    replay = RecordedSource(snap)
    assert replay.at == AT
    reqs = requests(plan(specs, check_needs(replay.at)))
    live_src = PrometheusSource(
        ConnectionSettings.from_sources({"url": prometheus.url}, {}), clock=system_clock()
    )
    try:
        live = live_src.fetch(reqs)
    finally:
        live_src.close()
    again = replay.fetch(reqs)
    assert [c.key for c in again] == [c.key for c in live]
    for a, b in zip(live, again, strict=True):
        np.testing.assert_array_equal(a.edges, b.edges)
        np.testing.assert_array_equal(a.good, b.good)
        np.testing.assert_array_equal(a.total, b.total)
        assert np.nansum(a.total) > 0
        assert a.notes == b.notes
    # the ledger's 3-day scrape gap (its baseline found by the targeted queries) is replayed too
    assert any(n.startswith("scrape gap 2025-12-01") for n in again[2].notes)


def test_snapshot_holds_no_secret_and_no_url(
    prometheus: Server, recorded: tuple[Path, Path]
) -> None:
    text = recorded[1].read_text()
    assert SECRET_TOKEN not in text and SECRET_TENANT not in text
    assert prometheus.url.split("//")[1] not in text
    doc = json.loads(text)
    assert doc["format"] == "slo/snapshot/v1" and doc["at"] == AT
    assert {a["path"] for a in doc["answers"]} >= {"/api/v1/query_range", "/api/v1/label/le/values"}


def test_replay_at_another_instant_says_what_is_missing(recorded: tuple[Path, Path]) -> None:
    specs = load_paths([recorded[0]])
    replay = RecordedSource(recorded[1])
    with pytest.raises(SnapshotError, match="has no answer for /api/v1/"):
        replay.fetch(requests(plan(specs, check_needs(AT - 3600))))


def test_not_a_snapshot(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "other/v9"}')
    with pytest.raises(SnapshotError, match="expected format 'slo/snapshot/v1', got 'other/v9'"):
        RecordedSource(bad)
    bad.write_text("{")
    with pytest.raises(SnapshotError, match="not valid JSON"):
        RecordedSource(bad)
