"""Rule kept (issue 16, gate honesty), on a real Prometheus: a gate never passes when any window
an alert rule at the gate's level reads lacks data.

A service's exporter reports steady traffic for three days, then 15 minutes with 10 % errors,
then dies: no sample for the last 40 minutes before the instant. By hand, at 99 % over 1 day
(page thresholds 0.02 × 24 = 0.48 over 1h/5m, 0.05 × 4 = 0.2 over 6h/30m; ticket 3d/6h at
0.1 ÷ 3): the 5m and 30m windows hold no sample, so neither page rule can be evaluated; the
budget is far from spent (1.5 bad minutes of ~1,400 ÷ 1 % = 0.107) and the ticket 3d/6h fires
(6h burn 1.5 ÷ 320 ÷ 0.01 = 0.47). Before the rule the status was WARNING and `--fail-on page`
exited 0; now it is NO_DATA and exits 4 (unknown), and with the exporter still alive the same
errors, going on until the instant, page (exit 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.check.conftest import slo
from tests.datagen import Dataset, add_counter, scrape_times
from tests.promserver import Server, prometheus_or_skip

pytestmark = pytest.mark.prometheus

AT = 1_790_000_000.0  # a whole minute
DIED = AT - 40 * 60
ERRORS_FROM = DIED - 15 * 60
START = AT - 3 * 86400 - 3600
SPEC = """version: slo/v1
service: {service}
slos:
  - name: availability
    objective: 99
    window: 1d
    sli:
      ratio:
        bad: 'requests_total{{service="{service}",code="500"}}'
        total: 'requests_total{{service="{service}"}}'
"""


def _service(ds: Dataset, service: str, end: float, seed: int) -> None:
    """60 requests per 1-minute scrape until `end`; 10 % of them fail from ERRORS_FROM on."""
    rng = np.random.default_rng(seed)
    t = scrape_times(START, end, 60.0, jitter=1.0, rng=rng)
    total = np.full(t.size, 60.0)
    bad = np.where(t >= ERRORS_FROM, 6.0, 0.0)
    add_counter(ds, "requests", {"service": service, "code": "500"}, t, bad)
    add_counter(ds, "requests", {"service": service, "code": "200"}, t, total - bad)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ds = Dataset()
    _service(ds, "dead", DIED, 1)  # the exporter died 40 minutes before AT
    _service(ds, "alive", AT + 60, 2)  # no blackout: the errors go on until AT
    srv = prometheus_or_skip(ds.openmetrics(), tmp_path_factory.mktemp("blind"))
    try:
        yield srv
    finally:
        srv.stop()


def _check(server: Server, tmp_path: Path, service: str, *extra: str):  # type: ignore[no-untyped-def]
    spec = tmp_path / f"{service}.yaml"
    spec.write_text(SPEC.format(service=service), encoding="utf-8")
    return slo("check", str(spec), "--prometheus-url", server.url, "--at", str(int(AT)), *extra)


def test_exporter_dead_for_40_minutes_after_errors_never_passes(
    server: Server, tmp_path: Path
) -> None:
    run = _check(server, tmp_path, "dead", "--fail-on", "page", "--format", "json")
    assert run.code == 4, (run.code, run.stdout, run.stderr)
    [doc] = json.loads(run.stdout)["slos"]
    assert doc["status"] == "NO_DATA"
    assert doc["coverage_ratios"]["5m"] == 0.0 and doc["coverage_ratios"]["30m"] == 0.0
    assert doc["coverage_ratios"]["1h"] > 0  # the old check (the 1h window only) saw data
    assert "ticket 3d/6h" in doc["alerts_firing"]
    # the table must not show the window's coverage as complete
    table = _check(server, tmp_path, "dead", "--fail-on", "page")
    assert table.code == 4 and "100%" not in table.stdout.split("gate")[0], table.stdout


def test_a_ticket_gate_breaches_on_the_ticket_that_fires(server: Server, tmp_path: Path) -> None:
    assert _check(server, tmp_path, "dead", "--fail-on", "ticket").code == 1


def test_the_same_errors_with_the_exporter_alive_page(server: Server, tmp_path: Path) -> None:
    run = _check(server, tmp_path, "alive", "--fail-on", "page", "--format", "json")
    assert run.code == 1, (run.code, run.stdout, run.stderr)
    [doc] = json.loads(run.stdout)["slos"]
    assert doc["status"] == "CRITICAL"
