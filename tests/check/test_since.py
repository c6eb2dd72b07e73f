"""`slo check --since` (deploy-scoped figures) and its gate flags: closed-form counts through the
engine, the gate's rules, the CLI's errors, and a real Prometheus where a deploy at a known
minute precedes an incident — the figures must equal the generator's truth and the gate must
fail only for the deploy that burned."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from slo_cli.engine import since_figures
from slo_cli.errors import UsageError
from slo_cli.gate import judge
from slo_cli.render.json_out import SCHEMA_FILE
from slo_cli.results import Gate, Since
from tests.check.conftest import check, slo
from tests.check.factory import result
from tests.datagen import Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip

H = 3600.0


def test_since_figures_closed_form() -> None:
    # hourly bins; two SLOs; the second has no data in the first hour after the deploy
    edges = np.arange(0.0, 5 * H, H)  # 4 bins
    good = np.array([[990.0, 995.0, 980.0, 1000.0], [500.0, np.nan, 490.0, 500.0]])
    total = np.array([[1000.0, 1000.0, 1000.0, 1000.0], [500.0, np.nan, 500.0, 500.0]])
    s = since_figures(
        edges,
        good,
        total,
        since=1 * H,
        end=4 * H,
        window_start=np.array([0.0, 0.0]),
        objective=np.array([0.99, 0.9]),
    )
    assert s.total.tolist() == [3000.0, 1000.0]
    assert s.bad.tolist() == [25.0, 10.0]
    assert s.sli.tolist() == [2975 / 3000, 990 / 1000]
    # budget of the whole window: 1 % of 4,000 events = 40; 10 % of 1,500 = 150
    assert s.consumed.tolist() == pytest.approx([25 / 40, 10 / 150], rel=1e-12)
    assert s.burn_rate.tolist() == pytest.approx([(25 / 3000) / 0.01, (10 / 1000) / 0.1])
    assert s.coverage.tolist() == pytest.approx([1.0, 2 / 3])


def test_since_must_be_a_bin_edge_and_before_the_end() -> None:
    edges = np.array([0.0, H, 2 * H])
    kwargs = dict(window_start=np.array([0.0]), objective=np.array([0.99]))
    g = np.array([[1.0, 1.0]])
    with pytest.raises(ValueError, match="not a bin edge"):
        since_figures(edges, g, g, since=1800.0, end=2 * H, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not before"):
        since_figures(edges, g, g, since=2 * H, end=2 * H, **kwargs)  # type: ignore[arg-type]


def _since(burn: float, consumed: float, total: float = 1000.0) -> Since:
    return Since(0.0, 60.0, total, total, math.nan, consumed, burn, 1.0)


def test_gate_judges_the_release_whatever_fail_on_says() -> None:
    limits = Gate(fail_on="never", max_burn_since=2.0, max_spent_since=0.05)
    fast = result(since=_since(burn=3.0, consumed=0.01))
    verdict = judge(fast, limits)
    assert verdict.breached and verdict.reasons == ("burn since deploy 3× > 2×",)
    spent = judge(result(since=_since(burn=1.0, consumed=0.06)), limits)
    assert spent.breached and spent.reasons == ("spent since deploy 6% > 5%",)
    calm = judge(result(since=_since(burn=2.0, consumed=0.05)), limits)  # at the limit passes
    assert not calm.breached and not calm.unknown
    quiet = judge(result(since=_since(burn=math.nan, consumed=math.nan, total=0.0)), limits)
    assert quiet.unknown and not quiet.breached  # no traffic since: never a pass
    assert not judge(result(since=None), Gate(fail_on="never")).unknown  # no limits: no effect


def test_parse_since_forms() -> None:
    from slo_cli.cli.since import check_since, parse_since

    at = 1_795_176_000.0
    assert parse_since("-2h", at, now=0.0) == at - 2 * H
    assert parse_since("-90m", at, now=0.0) == at - 5400.0
    assert parse_since("2026-11-20T10:00:00Z", at, now=0.0) == at - 2 * H
    assert parse_since(str(at - 60), at, now=0.0) == at - 60
    with pytest.raises(UsageError, match="--since"):
        parse_since("-2x", at, now=0.0)
    with pytest.raises(UsageError, match="less than one bin"):
        check_since(at + 5.0, at + 40.0)  # both in the same minute
    with pytest.raises(UsageError, match="is after"):
        check_since(at + H, at)


def test_cli_since_errors_and_formats() -> None:
    future = check("--since", "2099-01-01T00:00:00Z")
    assert future.code == 2 and "--since" in future.stderr and "Traceback" not in future.stderr
    assert check("--max-burn-since", "2").code == 2
    run = check("--since", "-3h", "--format", "json", "--fail-on", "never", "--allow-no-data")
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert doc["since"] == "2026-11-20T09:00:00Z"
    assert all(s["since"]["start"] == "2026-11-20T09:00:00Z" for s in doc["slos"])
    csv_run = check("--since", "-3h", "--format", "csv", "--fail-on", "never")
    assert "since_burn_rate" in csv_run.stdout.splitlines()[0]
    table = check("--since", "-3h", "--fail-on", "never", "--allow-no-data")
    assert "Since 2026-11-20T09:00:00Z (deploy):" in table.stdout


# --- a real Prometheus: deploys before and after an incident ---------------------------------

AT = 1_795_176_000.0  # 2026-11-20T12:00:00Z
DEPLOY_BEFORE = AT - 150 * 60  # 09:30, before the incident
DEPLOY_AFTER = AT - 60 * 60  # 11:00, after it
INCIDENT = (AT - 2 * H, AT - 1.5 * H)  # 10:00-10:30, errors ×250
SPEC = """version: slo/v1
service: shop
slos:
  - name: availability
    objective: 99
    window: 1d
    sli:
      ratio:
        bad: 'shop_requests_total{code="500"}'
        total: 'shop_requests_total'
"""


@pytest.fixture(scope="module")
def shop() -> Dataset:
    rng = np.random.default_rng(14)
    ds = Dataset()
    times = scrape_times(AT - 26 * H, AT + 300, 15.0, rng=rng)
    add_counter(ds, "shop_requests", {"code": "200"}, times, rates(times, 20.0, rng=rng))
    bad = rates(times, 0.04, rng=rng, incidents=[(*INCIDENT, 250.0)])
    add_counter(ds, "shop_requests", {"code": "500"}, times, bad)
    return ds


@pytest.fixture(scope="module")
def shop_prometheus(shop: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = prometheus_or_skip(shop.openmetrics(), tmp_path_factory.mktemp("shop"))
    try:
        yield server
    finally:
        server.stop()


def _truth(ds: Dataset, since: float) -> dict[str, float]:
    def is_bad(labels: object) -> bool:
        return labels.get("code") == "500"  # type: ignore[attr-defined]

    bad = ds.count("shop_requests_total", since, AT, is_bad)
    total = ds.count("shop_requests_total", since, AT)
    window_total = ds.count("shop_requests_total", AT - 86400.0, AT)
    return {
        "bad": bad,
        "total": total,
        "burn": (bad / total) / 0.01,
        "consumed": bad / (0.01 * window_total),
    }


@pytest.mark.prometheus
def test_since_against_prometheus_equals_the_truth(
    shop: Dataset, shop_prometheus: Server, tmp_path: Path
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    base = ("check", str(spec), "--prometheus-url", shop_prometheus.url, "--at", str(int(AT)))
    for deploy in (DEPLOY_BEFORE, DEPLOY_AFTER):
        truth = _truth(shop, deploy)
        run = slo(*base, "--since", str(int(deploy)), "--format", "json", "--fail-on", "never")
        assert run.code == 0, run.stderr
        got = json.loads(run.stdout)["slos"][0]["since"]
        assert got["start_epoch_seconds"] == deploy
        assert got["bad_count"] == truth["bad"]
        assert got["total_count"] == truth["total"]
        assert got["burn_rate"] == pytest.approx(truth["burn"], rel=1e-12)
        assert got["budget_consumed_ratio"] == pytest.approx(truth["consumed"], rel=1e-12)
        assert got["coverage_ratio"] == 1.0
    before, after = _truth(shop, DEPLOY_BEFORE), _truth(shop, DEPLOY_AFTER)
    assert before["burn"] > 2.0 > after["burn"]  # the story: only the first release burned
    gate = (*base, "--fail-on", "never", "--max-burn-since", "2")
    failing = slo(*gate, "--since", "2026-11-20T09:30:00Z", "--format", "junit")
    assert failing.code == 1
    assert "burn since deploy" in failing.stdout and "<failure" in failing.stdout
    assert slo(*gate, "--since", "2026-11-20T11:00:00Z").code == 0
    # just above / just below the first release's own figures
    spent = before["consumed"] * 100
    over = ("--since", str(int(DEPLOY_BEFORE)), "--fail-on", "never")
    assert slo(*base, *over, "--max-spent-since", f"{spent * 1.001}").code == 0
    assert slo(*base, *over, "--max-spent-since", f"{spent * 0.999}").code == 1
    assert slo(*base, *over, "--max-burn-since", f"{before['burn'] * 1.001}").code == 0
    assert slo(*base, *over, "--max-burn-since", f"{before['burn'] * 0.999}").code == 1


@pytest.mark.prometheus
def test_since_in_the_hourly_tier_is_an_edge_and_replays_from_a_snapshot(
    shop: Dataset, shop_prometheus: Server, tmp_path: Path
) -> None:
    """A deploy at 16:37 the day before lies inside an hourly bin: the planner splits that bin
    at the deploy's minute, the counts stay exact, and `slo snapshot --since` records them."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    deploy = AT - 19 * H - 23 * 60  # 2026-11-19T16:37:00Z
    truth = _truth(shop, deploy)
    url = ("--prometheus-url", shop_prometheus.url)
    snap = tmp_path / "snap.json"
    rec = slo("snapshot", str(spec), *url, "--at", str(int(AT)), "--since", str(int(deploy)),
              "--out", str(snap))  # fmt: skip
    assert rec.code == 0, rec.stderr
    live = slo("check", str(spec), *url, "--at", str(int(AT)), "--since", str(int(deploy)),
               "--format", "json", "--fail-on", "never")  # fmt: skip
    replay = slo("check", str(spec), "--from", str(snap), "--since", "2026-11-19T16:37:00Z",
                 "--format", "json", "--fail-on", "never")  # fmt: skip
    assert live.code == replay.code == 0, (live.stderr, replay.stderr)
    for run in (live, replay):
        got = json.loads(run.stdout)["slos"][0]["since"]
        assert (got["bad_count"], got["total_count"]) == (truth["bad"], truth["total"])
        assert got["budget_consumed_ratio"] == pytest.approx(truth["consumed"], rel=1e-12)
