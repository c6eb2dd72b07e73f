"""The same data on two engines gives the same numbers, and each engine's trap is handled.

Prometheus and VictoriaMetrics (both real, tests/conftest.py) hold the same samples. `slo check
--format json` must print the same figures on both (VictoriaMetrics through its preset, which
sends `nocache=1`); without the preset VictoriaMetrics' cache moves range-query points onto
multiples of the step, which must fail with exit 3 — never silently wrong numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check.conftest import slo
from tests.datagen import END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

SPECS = """\
version: slo/v1
service: shop
slos:
  - name: checkout
    objective: 99.5
    window: 30d
    sli:
      ratio:
        good: http_requests_total{service="checkout",code!~"5.."}
        total: http_requests_total{service="checkout"}
  - name: search-latency
    objective: 99
    window: 7d
    sli:
      latency:
        histogram: http_request_duration_seconds
        selector: '{service="search"}'
        threshold: 300ms
  - name: ledger
    objective: 99.9
    window: 28d
    sli:
      ratio:
        bad: ledger_requests_total{service="ledger",code=~"5.."}
        total: ledger_requests_total{service="ledger"}
"""

#: inside the 2.5-hour gap's aftermath (the ledger's notes name two bridged gaps)
AT = str(END - 15 * 3600 - 50 * 60 + 7.0)


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engines") / "shop.yaml"
    path.write_text(SPECS)
    return path


def check_json(server: Server, specs: Path, *flags: str) -> tuple[int, dict]:
    run = slo("check", str(specs), "--prometheus-url", server.url, "--at", AT, "--format", "json",
              *flags)  # fmt: skip
    assert run.stdout, run.stderr
    return run.code, json.loads(run.stdout)


def test_victoriametrics_preset_gives_the_same_json_as_prometheus(
    prometheus: Server, victoriametrics: Server, specs: Path
) -> None:
    code_p, prom = check_json(prometheus, specs)
    code_v, vm = check_json(victoriametrics, specs, "--engine", "victoriametrics")
    assert code_p == code_v
    assert vm["slos"] == prom["slos"]
    # the comparison is not vacuous: real counts, a bridged gap named in both
    ledger = next(s for s in prom["slos"] if s["name"] == "ledger")
    assert ledger["total_count"] > 1e6 and ledger["good_count"] < ledger["total_count"]
    assert any(n.startswith("scrape gap ") for n in ledger["notes"])


def test_victoriametrics_without_its_preset_caches_the_aligned_queries_unmoved(
    prometheus: Server, victoriametrics: Server, specs: Path
) -> None:
    # VictoriaMetrics' response cache (on without nocache=1) moves a range query's points onto
    # multiples of its step when its start is not one. Every range query of the plan starts on
    # a multiple of its step (epoch-aligned bins; a cut bin's pieces come from an instant
    # query), so the cache is used and moves nothing: twice (the second run from its cache),
    # the same JSON as Prometheus gives.
    _, prom = check_json(prometheus, specs)
    for _ in range(2):
        _, vm = check_json(victoriametrics, specs)
        assert vm["slos"] == prom["slos"]


INVENTORY = """\
version: slo/v1
service: inventory
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      ratio:
        bad: inventory_requests_total{service="inventory",code=~"5.."}
        total: inventory_requests_total{service="inventory"}
"""


def test_an_error_counter_never_created_is_zero_errors(
    engine_server: Server, shared_data: SharedData, tmp_path: Path
) -> None:
    # client libraries create a labelled series on its first event: a service that never
    # failed has no 5xx series at all. Absent sub-series of a present total are zero events.
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY)
    flags = ("--engine", engine_server.engine)
    code, doc = check_json(engine_server, path, *flags)
    [r] = doc["slos"]
    end = r["window_end_epoch_seconds"]
    total = shared_data.dataset.count("inventory_requests_total", end - 30 * 86400, end)
    assert (
        shared_data.dataset.select("inventory_requests_total", lambda lb: lb["code"] != "200") == []
    )
    assert (r["good_count"], r["total_count"]) == (total, total) and total > 0
    assert (r["status"], r["sli_ratio"], code) == ("OK", 1.0, 0)
