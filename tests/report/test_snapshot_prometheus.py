"""`slo snapshot --period P --timezone TZ` against a real Prometheus: the snapshot replays
`slo report --period P --timezone TZ` offline to exactly the report a live run gives (and still
replays `slo check`), and holds nothing else: another period, zone or a snapshot recorded
without --period exits 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.datagen import Dataset, add_counter, add_gauge, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip
from tests.report.conftest import slo
from tests.report.test_e2e_prometheus import SPEC as SHOP_SPEC

DAY = 86400.0
AT = "2026-11-20T12:00:00Z"
AT_EPOCH = datetime.fromisoformat("2026-11-20T12:00:00+00:00").timestamp()
ZONE = "Europe/Berlin"
GENERATED_AT = "2026-11-20T12:05:00Z"
#: three SLO shapes: the e2e test's rolling ratio, a calendar month in Berlin, probe timeslices
SPEC = (
    SHOP_SPEC
    + """\
  - name: monthly
    objective: 99.5
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      ratio:
        good: 'http_requests_total{service="shop",code="200"}'
        total: 'http_requests_total{service="shop"}'
  - name: probe
    objective: 99
    window: 7d
    budgeting: timeslices
    sli:
      timeslices:
        query: 'probe_success{instance="shop"}'
        good_when: ">= 1"
"""
)
#: Berlin week 46 (9-16 Nov) and its previous week, rolling 7 days to AT and the 7 before,
#: each with a 7-day window before it: 26 days of history reach back far enough
DAYS = 26.0


def _dataset() -> Dataset:
    rng = np.random.default_rng(2046)
    ds = Dataset()
    t = scrape_times(AT_EPOCH - DAYS * DAY, AT_EPOCH + 600, 60.0, offset=11.0, rng=rng)
    incident = (AT_EPOCH - 9 * DAY, AT_EPOCH - 9 * DAY + 3 * 3600, 60.0)
    errors = rates(t, 500 * 0.0005, rng=rng, incidents=[incident])
    oks = np.maximum(rates(t, 500.0, rng=rng) - errors, 0)
    labels = {"service": "shop", "instance": "shop-1"}
    add_counter(ds, "http_requests", {**labels, "code": "200"}, t, oks)
    add_counter(ds, "http_requests", {**labels, "code": "500"}, t, errors)
    add_gauge(ds, "probe_success", {"instance": "shop"}, t, (rng.random(t.size) > 0.002) * 1.0)
    return ds


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, Path]]:
    """A live server, the spec file, and a snapshot recorded for week and 7d in Berlin."""
    tmp = tmp_path_factory.mktemp("snapshot-report")
    server = prometheus_or_skip(_dataset().openmetrics(), tmp)
    spec = tmp / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    snap = tmp / "snap.json"
    try:
        run = slo(
            "snapshot", str(spec), "--out", str(snap), "--at", AT, "--prometheus-url",
            server.url, "--period", "week", "--period", "7d", "--timezone", ZONE,
        )  # fmt: skip
        assert run.code == 0, run.stderr
        assert "reports for week, 7d, time zone Europe/Berlin" in run.stderr
        yield server, spec, snap
    finally:
        server.stop()


def _report(spec: Path, *args: str) -> tuple[int, str, str]:
    run = slo("report", str(spec), "--format", "json", "--generated-at", GENERATED_AT, *args)
    return run.code, run.stdout, run.stderr


@pytest.mark.parametrize("period", ["week", "7d"])
def test_replayed_report_equals_the_live_report(
    recorded: tuple[Server, Path, Path], period: str
) -> None:
    server, spec, snap = recorded
    args = ("--period", period, "--timezone", ZONE)
    code, live, err = _report(spec, *args, "--prometheus-url", server.url, "--at", AT)
    assert code == 0, err
    # no --at: the report is as of the snapshot's instant
    code, replayed, err = _report(spec, *args, "--from", str(snap))
    assert code == 0, err
    doc = json.loads(replayed)
    assert doc == json.loads(live)
    assert [s["key"] for s in doc["slos"]] == ["shop/availability", "shop/monthly", "shop/probe"]
    # the report has data in both periods (so equality compares real figures, not empties)
    for s in doc["slos"]:
        assert s["current"]["total_count"] > 0 and s["previous"]["total_count"] > 0, s["key"]


def test_the_snapshot_still_replays_check(recorded: tuple[Server, Path, Path]) -> None:
    server, spec, snap = recorded
    live = slo("check", str(spec), "--format", "json", "--prometheus-url", server.url, "--at", AT)
    replayed = slo("check", str(spec), "--format", "json", "--from", str(snap))
    assert replayed.code == live.code != 3, replayed.stderr
    assert json.loads(replayed.stdout) == json.loads(live.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ("--period", "month", "--timezone", ZONE),  # a period not recorded
        ("--period", "week", "--timezone", "UTC"),  # the recorded period in another zone
    ],
)
def test_a_report_not_recorded_exits_3(
    recorded: tuple[Server, Path, Path], args: tuple[str, ...]
) -> None:
    _, spec, snap = recorded
    code, out, err = _report(spec, *args, "--from", str(snap))
    assert code == 3 and out == ""
    assert err.startswith("slo: error: snapshot ") and "has no answers for `slo report" in err


def test_another_instant_exits_2_as_in_check(recorded: tuple[Server, Path, Path]) -> None:
    _, spec, snap = recorded
    args = ("--period", "7d", "--timezone", ZONE, "--at", "2026-11-19T12:00:00Z")
    code, out, err = _report(spec, *args, "--from", str(snap))
    assert code == 2 and out == ""
    assert err.startswith("slo: error: --at 2026-11-19T12:00:00Z: the snapshot was recorded at ")
    assert err.endswith(" and replays only at that instant\n")


def test_without_period_the_snapshot_holds_only_the_check(
    recorded: tuple[Server, Path, Path], tmp_path: Path
) -> None:
    server, spec, _ = recorded
    snap = tmp_path / "check-only.json"
    run = slo("snapshot", str(spec), "--out", str(snap), "--at", AT, "--prometheus-url", server.url)
    assert run.code == 0, run.stderr
    assert "reports for" not in run.stderr
    assert slo("check", str(spec), "--from", str(snap)).code != 3
    code, _, err = _report(spec, "--period", "7d", "--from", str(snap))
    assert code == 3, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "fortnight"), "slo: error: --period: expected week, month, quarter"),
        (("--timezone", "Mars/Olympus"), "slo: error: --timezone: unknown time zone"),
    ],
)
def test_bad_period_or_zone_is_a_usage_error_before_any_query(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "snap.json"
    # nothing listens on port 9 (discard): a query would fail with exit 3, not 2
    run = slo(
        "snapshot", str(spec), "--out", str(out), "--at", AT,
        "--prometheus-url", "http://127.0.0.1:9", *args,
    )  # fmt: skip
    assert run.code == 2 and run.stderr.startswith(message), run.stderr
    assert not out.exists()
