"""Composite SLOs against a real Prometheus: a journey of three member SLOs (one with a shorter
window than the composite's), each method's figures equal to the generator's truth computed here
from the raw samples, the members' own rows unchanged, the gate and `slo report` on the same
counts, and an OpenSLO composite read and evaluated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.check.conftest import slo
from tests.datagen import Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip

H = 3600.0
AT = 1_795_176_000.0  # 2026-11-20T12:00:00Z
DAY = 86400.0
#: (page, objective, window seconds, error share per sample, incident)
PAGES = {
    "browse": (0.99, DAY, 0.05, None),
    "cart": (0.995, DAY, 0.2, None),
    "pay": (0.999, 12 * H, 0.02, (AT - 40 * 60, AT - 10 * 60, 60.0)),  # a 30-minute incident
}
WEIGHTS = {"browse": 1.0, "cart": 2.0, "pay": 0.5}

SHOP = """version: slo/v1
service: shop
slos:
""" + "".join(
    f"""  - name: {page}
    objective: {o * 100:g}
    window: {int(w // H)}h
    sli:
      ratio:
        bad: 'shop_requests_total{{page="{page}",code="500"}}'
        total: 'shop_requests_total{{page="{page}"}}'
"""
    for page, (o, w, _, _) in PAGES.items()
)


def _journey(method: str) -> str:
    members = "".join(f"      - {{slo: shop/{p}, weight: {w:g}}}\n" for p, w in WEIGHTS.items())
    return f"""version: slo/v1
service: journey
composites:
  - name: {method.replace("_", "-")}
    objective: 99.5
    window: 1d
    method: {method}
    members:
{members}"""


@pytest.fixture(scope="module")
def shop() -> Dataset:
    rng = np.random.default_rng(2014)
    ds = Dataset()
    times = scrape_times(AT - 26 * H, AT + 300, 15.0, rng=rng)
    for page, (_, _, bad_rate, incident) in PAGES.items():
        add_counter(ds, "shop_requests", {"page": page, "code": "200"}, times,
                    rates(times, 10.0, rng=rng))  # fmt: skip
        bad = rates(times, bad_rate, rng=rng, incidents=[incident] if incident else [])
        add_counter(ds, "shop_requests", {"page": page, "code": "500"}, times, bad)
    return ds


@pytest.fixture(scope="module")
def server(shop: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = prometheus_or_skip(shop.openmetrics(), tmp_path_factory.mktemp("journey"))
    try:
        yield srv
    finally:
        srv.stop()


def _counts(ds: Dataset, page: str, start: float) -> tuple[float, float]:
    """(bad, total) of one page over (start, AT]: the generator's own samples."""
    bad = ds.count("shop_requests_total", start, AT,
                   lambda lab: lab["page"] == page and lab["code"] == "500")  # fmt: skip
    total = ds.count("shop_requests_total", start, AT, lambda lab: lab["page"] == page)
    return bad, total


def _truth(ds: Dataset, method: str, length: float) -> tuple[float, float, float]:
    """(bad, total, burn) of the composite over the last ``length`` seconds, at 99.5 %."""
    counts = {p: _counts(ds, p, AT - length) for p in PAGES}
    if method == "weighted":
        bad = sum(WEIGHTS[p] * b for p, (b, _) in counts.items())
        total = sum(WEIGHTS[p] * t for p, (_, t) in counts.items())
        return bad, total, (bad / total) / 0.005
    if method == "least_healthy":
        worst = max(counts, key=lambda p: counts[p][0] / counts[p][1])
        bad, total = counts[worst]
        return bad, total, (bad / total) / 0.005
    burn = sum(WEIGHTS[p] * (b / t) / (1 - PAGES[p][0]) for p, (b, t) in counts.items())
    total = sum(WEIGHTS[p] * t for p, (_, t) in counts.items())
    return burn * 0.005 * total, total, burn


def _run(tmp_path: Path, server: Server, method: str, *args: str) -> dict:
    (tmp_path / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "journey.yaml").write_text(_journey(method), encoding="utf-8")
    run = slo("check", str(tmp_path), "--prometheus-url", server.url, "--at", str(int(AT)),
              "--format", "json", *args)  # fmt: skip
    assert run.stdout, run.stderr
    return {"code": run.code, **json.loads(run.stdout)}


@pytest.mark.prometheus
@pytest.mark.parametrize("method", ["weighted", "least_healthy", "weighted_burn"])
def test_composite_equals_the_truth(
    shop: Dataset, server: Server, tmp_path: Path, method: str
) -> None:
    doc = _run(tmp_path, server, method, "--fail-on", "never")
    by_key = {s["key"]: s for s in doc["slos"]}
    got = by_key[f"journey/{method.replace('_', '-')}"]
    bad, total, burn = _truth(shop, method, DAY)
    assert got["sli_kind"] == "composite" and got["window"] == "1d"
    assert got["total_count"] == pytest.approx(total, rel=1e-12)
    assert got["total_count"] - got["good_count"] == pytest.approx(bad, rel=1e-9)
    assert got["budget_consumed_ratio"] == pytest.approx(burn, rel=1e-9)
    assert got["budget_remaining_ratio"] == pytest.approx(1 - burn, rel=1e-9)
    for window, length in (("1h", H), ("6h", 6 * H)):
        assert got["burn_rates"][window] == pytest.approx(_truth(shop, method, length)[2], rel=1e-9)
    members = got["composite"]["members"]
    assert [m["slo"] for m in members] == ["shop/browse", "shop/cart", "shop/pay"]
    assert [m["weight"] for m in members] == list(WEIGHTS.values())
    # each member's own row is its own SLO over its own window (pay: 12 h), as without the
    # composite; the member entries repeat its figures
    pay = by_key["shop/pay"]
    b, t = _counts(shop, "pay", AT - 12 * H)
    assert pay["window"] == "12h" and pay["total_count"] == t and pay["good_count"] == t - b
    assert members[2]["budget_remaining_ratio"] == pay["budget_remaining_ratio"]
    shares = [m["burn_share_ratio"] for m in members]
    assert sum(shares) == pytest.approx(1.0)
    if method == "least_healthy":
        assert shares == [0.0, 1.0, 0.0]  # cart: 2 % errors all day
        # over the last hour pay (the incident) is the least healthy: its own error ratio
        b1, t1 = _counts(shop, "pay", AT - H)
        assert got["burn_rates"]["1h"] == pytest.approx((b1 / t1) / 0.005, rel=1e-9)


@pytest.mark.prometheus
def test_composite_gate_alerts_and_report(shop: Dataset, server: Server, tmp_path: Path) -> None:
    doc = _run(tmp_path, server, "least_healthy")
    got = next(s for s in doc["slos"] if s["key"] == "journey/least-healthy")
    # pay's incident: 1h burn ≈ (0.02 × 60 / 10) / 0.005 ≈ 24 over 1h and 5m? the 5m window is
    # after the incident (it ended 10 minutes ago), so the page rule does not fire; cart burns
    # (0.2 / 10) / 0.005 = 4 all day: the composite's budget over 1 day is spent
    _, _, burn = _truth(shop, "least_healthy", DAY)
    assert burn > 1.0 and got["status"] == "CRITICAL"
    assert got["gate"]["breached"] and "budget exhausted" in got["gate"]["reasons"]
    assert doc["code"] == 1
    junit = slo("check", str(tmp_path), "--prometheus-url", server.url, "--at", str(int(AT)),
                "--format", "junit", "--select", "journey/*")  # fmt: skip
    assert 'name="least-healthy"' in junit.stdout and "least healthy member of" in junit.stdout
    report = slo("report", str(tmp_path), "--prometheus-url", server.url, "--at", str(int(AT)),
                 "--period", "7d", "--format", "json")  # fmt: skip
    assert report.code == 0, report.stderr
    rep = next(s for s in json.loads(report.stdout)["slos"] if s["key"] == "journey/least-healthy")
    assert rep["composite"]["method"] == "least_healthy"
    # the period (7 days to AT) holds all data: consumed = the 1-day window's bad events of the
    # least healthy member ÷ its budget over that window, remaining the same as `slo check`
    assert rep["current"]["budget_remaining_ratio"] == pytest.approx(1 - burn, rel=1e-9)


OPENSLO = """apiVersion: openslo/v1
kind: SLO
metadata: {name: journey}
spec:
  service: shop
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
""" + "".join(
    f"""    - displayName: {page}
      target: {PAGES[page][0]}
      compositeWeight: {WEIGHTS[page]:g}
      indicator:
        metadata: {{name: {page}-errors}}
        spec:
          ratioMetric:
            counter: true
            bad:
              metricSource:
                type: Prometheus
                spec: {{query: 'shop_requests_total{{page="{page}",code="500"}}'}}
            total:
              metricSource:
                type: Prometheus
                spec: {{query: 'shop_requests_total{{page="{page}"}}'}}
"""
    for page in PAGES
)


@pytest.mark.prometheus
def test_openslo_composite_is_read_and_evaluated(
    shop: Dataset, server: Server, tmp_path: Path
) -> None:
    """OpenSLO v1 (README, "Notes (Composite SLO)"): the composite burns at Σ weight × the
    objective's burn rate; each objective is an SLO of its own, over the SLO's time window."""
    spec = tmp_path / "journey.openslo.yaml"
    spec.write_text(OPENSLO, encoding="utf-8")
    run = slo("check", str(spec), "--prometheus-url", server.url, "--at", str(int(AT)),
              "--format", "json", "--fail-on", "never")  # fmt: skip
    assert run.code == 0, run.stderr
    by_key = {s["key"]: s for s in json.loads(run.stdout)["slos"]}
    assert sorted(by_key) == ["shop/journey", "shop/journey-browse", "shop/journey-cart",
                              "shop/journey-pay"]  # fmt: skip
    got = by_key["shop/journey"]
    assert got["composite"]["method"] == "weighted_burn"
    counts = {p: _counts(shop, p, AT - DAY) for p in PAGES}
    burn = sum(WEIGHTS[p] * (b / t) / (1 - PAGES[p][0]) for p, (b, t) in counts.items())
    assert got["budget_consumed_ratio"] == pytest.approx(burn, rel=1e-9)
    b, t = counts["cart"]
    assert by_key["shop/journey-cart"]["total_count"] == t  # the member: the objective's SLO
    assert by_key["shop/journey-cart"]["window"] == "1d"
    assert by_key["shop/journey-cart"]["good_count"] == t - b


@pytest.mark.prometheus
def test_a_members_adjustment_applies_to_the_composite(
    shop: Dataset, server: Server, tmp_path: Path
) -> None:
    """pay's incident (AT−40m … AT−10m) excluded by an adjustment at minute edges: pay's grid is
    split there, the others' not; the composite sums onto the edges all share and counts none of
    pay's events in that half hour (one-minute bins: the exclusion is exact)."""
    start, end = AT - 40 * 60, AT - 10 * 60
    adjusted = SHOP.replace(
        "  - name: pay\n",
        "  - name: pay\n    adjustments:\n      - {reason: incident, "
        f"start: {int(start)}, end: {int(end)}}}\n",
    )
    (tmp_path / "shop.yaml").write_text(adjusted, encoding="utf-8")
    (tmp_path / "journey.yaml").write_text(_journey("weighted"), encoding="utf-8")
    run = slo("check", str(tmp_path), "--prometheus-url", server.url, "--at", str(int(AT)),
              "--format", "json", "--fail-on", "never")  # fmt: skip
    assert run.code == 0, run.stderr
    got = next(s for s in json.loads(run.stdout)["slos"] if s["key"] == "journey/weighted")
    bad = total = 0.0
    for page, w in WEIGHTS.items():
        b, t = _counts(shop, page, AT - DAY)
        if page == "pay":
            b_x = shop.count("shop_requests_total", start, end,
                             lambda lab: lab["page"] == "pay" and lab["code"] == "500")  # fmt: skip
            t_x = shop.count("shop_requests_total", start, end, lambda lab: lab["page"] == "pay")
            b, t = b - b_x, t - t_x
        bad, total = bad + w * b, total + w * t
    assert got["total_count"] == pytest.approx(total, rel=1e-12)
    assert got["total_count"] - got["good_count"] == pytest.approx(bad, rel=1e-9)
