"""Budget adjustments through the real CLI: located validation errors (specs and --adjustments
FILE), and a real Prometheus where incidents fall inside and just outside a weekly RRULE
maintenance window in Europe/Berlin across the October 2026 DST change — the budget given back
must equal the generator's truth over intervals written out by hand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tests.clirun import slo
from tests.datagen import Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip

ROOT = Path(__file__).resolve().parents[2]
H = 3600.0

HEAD = """version: slo/v1
service: shop
slos:
  - name: availability
    objective: 99
    window: 28d
    sli:
      ratio:
        bad: 'shop_requests_total{code="500"}'
        total: 'shop_requests_total'
"""


def _utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()


BAD_SPEC = (
    HEAD
    + """    adjustments:
      - reason: inverted
        start: 2026-10-28T11:00:00Z
        end: 2026-10-28T10:00:00Z
      - reason: weekly
        rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3
        duration: 8d
        timezone: Europe/Berlin
      - reason: typo
        rrule: FREQ=WEEKLY;BYDAI=SU
        duration: 1h
      - reason: zone
        rrule: FREQ=DAILY
        duration: 1h
        timezone: Europe/Berlinn
      - start: 2026-10-01T00:00:00Z
        end: 2026-10-01T01:00:00Z
"""
)


def test_spec_problems_are_located(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    run = slo("check", str(spec), "--prometheus-url", "http://127.0.0.1:9")
    assert run.code == 2 and "Traceback" not in run.stderr
    p = str(spec)
    for line in (
        f"{p}:14:14: slos[0].adjustments[0].end: end (2026-10-28T10:00Z) must be after start "
        "(2026-10-28T11:00Z)",
        f"{p}:16:16: slos[0].adjustments[1].rrule: occurrences overlap: 2020-01-05T02:00Z and "
        "2020-01-12T02:00Z are 1w apart, less than the duration 8d",
        f"{p}:20:16: slos[0].adjustments[2].rrule: not a valid RRULE: unknown parameter 'BYDAI'",
        f"{p}:25:19: slos[0].adjustments[3].timezone: unknown time zone 'Europe/Berlinn' (use an "
        "IANA name like Europe/Berlin or UTC)",
        f"{p}:26:9: slos[0].adjustments[4]: missing required key 'reason'",
    ):
        assert line in run.stderr, run.stderr


def test_overlapping_one_offs_are_refused_at_the_later_one(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        HEAD.replace(
            "slos:\n",
            "adjustments:\n  - {reason: a, start: 2026-10-28T10:00:00Z, "
            "end: 2026-10-28T12:00:00Z}\n  - {reason: b, start: "
            "'2026-10-28T12:30:00+01:00', end: 2026-10-28T12:30:00Z}\nslos:\n",
        ),
        encoding="utf-8",
    )
    run = slo("validate", str(spec))
    assert run.code == 2
    assert (
        f"{spec}:5:24: adjustments[1].start: overlaps adjustment [0] "
        "(2026-10-28T10:00Z–2026-10-28T12:00Z): merge them into one"
    ) in run.stdout + run.stderr


def test_adjustments_file_problems_are_located(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(HEAD, encoding="utf-8")
    bad = tmp_path / "adjustments.yaml"
    bad.write_text(
        "- reason: upstream\n  service: shop\n  start: 2026-10-28T10:00:00Z\n"
        "  end: 2026-10-28T11:00:00Z\n"
        "- reason: again\n  service: shop\n  start: 2026-10-28T10:30:00Z\n"
        "  end: 2026-10-28T11:30:00Z\n"
        "- reason: zone\n  rrule: FREQ=DAILY\n  duration: 1h\n  timezone: Nowhere/City\n",
        encoding="utf-8",
    )
    args = ("--prometheus-url", "http://127.0.0.1:9", "--adjustments", str(bad))
    run = slo("check", str(spec), *args)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert f"{bad}:12:13: [2].timezone: unknown time zone 'Nowhere/City'" in run.stderr
    bad.write_text(bad.read_text().split("- reason: zone")[0], encoding="utf-8")
    run = slo("report", str(spec), *args)
    assert run.code == 2
    assert f"{bad}:7:10: [1].start: overlaps adjustment [0]" in run.stderr, run.stderr
    bad.write_text("- reason: x\n  slo: shop/availabilty\n  start: 0\n  end: 60\n")
    run = slo("backtest", str(spec), *args)
    assert run.code == 2
    assert f"{bad}:2:3: [0].slo: no SLO of the specs matches slo: shop/availabilty" in run.stderr


# --- a real Prometheus ------------------------------------------------------------------------

AT = _utc("2026-11-03T12:00:00")
SPEC = HEAD.replace(
    "slos:\n",
    "adjustments:\n  - reason: weekly maintenance\n"
    "    rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0\n    duration: 2h\n"
    "    timezone: Europe/Berlin\nslos:\n",
)
#: the independent truth: 03:00-05:00 Berlin written out in UTC by hand — 01:00-03:00 under
#: CEST (UTC+2, until 25 Oct 2026 03:00 local), 02:00-04:00 under CET (UTC+1) after
WINDOWS = [
    (_utc("2026-10-11T01:00:00"), _utc("2026-10-11T03:00:00")),
    (_utc("2026-10-18T01:00:00"), _utc("2026-10-18T03:00:00")),
    (_utc("2026-10-25T02:00:00"), _utc("2026-10-25T04:00:00")),
    (_utc("2026-11-01T02:00:00"), _utc("2026-11-01T04:00:00")),
]
INCIDENTS = [
    (_utc("2026-10-18T01:20:00"), _utc("2026-10-18T02:40:00"), 300.0),  # inside (CEST)
    (_utc("2026-10-25T02:10:00"), _utc("2026-10-25T03:30:00"), 300.0),  # inside (DST day)
    (_utc("2026-11-01T01:00:00"), _utc("2026-11-01T02:30:00"), 300.0),  # half before (CET)
    (_utc("2026-10-29T09:00:00"), _utc("2026-10-29T09:30:00"), 100.0),  # outside
]


@pytest.fixture(scope="module")
def shop() -> Dataset:
    rng = np.random.default_rng(1402)
    ds = Dataset()
    times = scrape_times(AT - 29 * 86400.0, AT + 300, 60.0, rng=rng)
    add_counter(ds, "shop_requests", {"code": "200"}, times, rates(times, 60.0, rng=rng))
    bad = rates(times, 0.02, rng=rng, incidents=INCIDENTS)
    add_counter(ds, "shop_requests", {"code": "500"}, times, bad)
    return ds


@pytest.fixture(scope="module")
def shop_prometheus(shop: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = prometheus_or_skip(shop.openmetrics(), tmp_path_factory.mktemp("adjust"))
    try:
        yield server
    finally:
        server.stop()


def _count(ds: Dataset, a: float, b: float, bad: bool) -> float:
    def is_bad(labels: object) -> bool:
        return labels.get("code") == "500"  # type: ignore[attr-defined]

    return ds.count("shop_requests_total", a, b, is_bad if bad else None)


def _truth(ds: Dataset, start: float, end: float, budget_start: float) -> dict[str, float]:
    """Bad and total events of [start, end) with and without the windows, and the budget the
    windows give back (consumed over the SLO window [budget_start, end)'s budget)."""
    inside = [(max(a, start), min(b, end)) for a, b in WINDOWS if a < end and b > start]
    ex_bad = sum(_count(ds, a, b, True) for a, b in inside)
    ex_total = sum(_count(ds, a, b, False) for a, b in inside)
    bad, total = _count(ds, start, end, True), _count(ds, start, end, False)
    window_total = _count(ds, budget_start, end, False)
    window_ex = sum(
        _count(ds, max(a, budget_start), min(b, end), False)
        for a, b in WINDOWS
        if a < end and b > budget_start
    )
    with_ = (bad - ex_bad) / (0.01 * (window_total - window_ex))
    without = bad / (0.01 * window_total)
    return {
        "ex_bad": ex_bad,
        "ex_total": ex_total,
        "bad": bad - ex_bad,
        "total": total - ex_total,
        "consumed": with_,
        "without": without,
        "returned": without - with_,
    }


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.mark.prometheus
def test_check_gives_the_budget_back_exactly(
    shop: Dataset, shop_prometheus: Server, tmp_path: Path
) -> None:
    from slo_cli.render.json_out import SCHEMA_FILE

    base = ("check", str(_spec(tmp_path)), "--prometheus-url", shop_prometheus.url,
            "--at", str(int(AT)), "--fail-on", "never")  # fmt: skip
    run = slo(*base, "--format", "json")
    assert run.code in (0, 4), run.stderr
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    [got] = doc["slos"]
    truth = _truth(shop, AT - 28 * 86400.0, AT, AT - 28 * 86400.0)
    adj = got["adjustments"]
    assert adj["excluded_count"] == truth["ex_total"] > 0
    assert adj["excluded_bad_count"] == truth["ex_bad"]
    assert got["total_count"] == truth["total"]
    assert got["total_count"] - got["good_count"] == truth["bad"]
    assert got["budget_consumed_ratio"] == pytest.approx(truth["consumed"], rel=1e-12)
    assert adj["budget_returned_ratio"] == pytest.approx(truth["returned"], rel=1e-12)
    assert adj["budget_consumed_without_ratio"] == pytest.approx(truth["without"], rel=1e-12)
    [applied] = adj["applied"]
    spans = [(i["start_epoch_seconds"], i["end_epoch_seconds"]) for i in applied["intervals"]]
    assert spans == WINDOWS and adj["exact"] and got["exact"]
    assert applied["reason"] == "weekly maintenance" and applied["origin"].endswith(":4")
    for fmt, text in (
        ("table", "Budget adjustments"),
        ("markdown", "**Budget adjustments**"),
        ("csv", "adjustments_budget_returned_ratio"),
        ("junit", "adjustments: weekly maintenance (4 intervals)"),
    ):
        out = slo(*base, "--format", fmt)
        assert text in out.stdout, (fmt, out.stdout)
        assert "2026-10-25T02:00:00Z–2026-10-25T04:00:00Z" in out.stdout or fmt != "table"


@pytest.mark.prometheus
def test_report_and_backtest_use_the_adjusted_counts(
    shop: Dataset, shop_prometheus: Server, tmp_path: Path
) -> None:
    from slo_cli.render.report_json import SCHEMA_FILE

    url = ("--prometheus-url", shop_prometheus.url, "--at", str(int(AT)))
    spec = str(_spec(tmp_path))
    run = slo("report", spec, *url, "--period", "week", "--timezone", "Europe/Berlin",
              "--format", "json")  # fmt: skip
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    [got] = doc["slos"]
    start, end = _utc("2026-10-25T23:00:00"), _utc("2026-11-01T23:00:00")  # Mon-Mon, CET
    truth = _truth(shop, start, end, end - 28 * 86400.0)
    adj = got["adjustments"]
    assert (adj["excluded_count"], adj["excluded_bad_count"]) == (truth["ex_total"],
                                                                  truth["ex_bad"])  # fmt: skip
    assert got["current"]["total_count"] == truth["total"]
    assert got["current"]["budget_consumed_ratio"] == pytest.approx(truth["consumed"], rel=1e-12)
    assert adj["budget_returned_ratio"] == pytest.approx(truth["returned"], rel=1e-12)
    # the incident of 1 Nov burns only before the window (01:00-02:00 UTC): one hour-long event
    # (with CEST offsets it would have been excluded); those inside the windows do not burn
    assert sorted((e["start"], e["end"]) for e in got["burn_events"]) == [
        ("2026-10-29T09:00:00Z", "2026-10-29T10:00:00Z"),  # the incident outside
        ("2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z"),
    ]
    md = slo("report", spec, *url, "--period", "week", "--timezone", "Europe/Berlin")
    assert "**Budget adjustments**" in md.stdout and "weekly maintenance" in md.stdout
    bt = slo("backtest", spec, *url, "--days", "10", "--format", "json")
    assert bt.code == 0, bt.stderr
    [s] = json.loads(bt.stdout)["slos"]
    replay = _truth(shop, AT - 10 * 86400.0, AT, AT - 28 * 86400.0)
    assert s["adjustments"]["excluded_count"] == replay["ex_total"]
    assert s["adjustments"]["excluded_bad_count"] == replay["ex_bad"]
    # inside the windows nothing pages; the 1 Nov hour before the window and 29 Oct do
    starts = [a["start"] for a in s["alerts"] if a["severity"] == "page"]
    assert not any(x.startswith("2026-10-25T02") or x.startswith("2026-10-25T03") for x in starts)
