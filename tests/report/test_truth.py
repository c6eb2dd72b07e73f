"""`slo report` numbers equal independent arithmetic on the generator's truth.

The recorded snapshot (examples/snapshot.json, scripts/record_examples.py) was taken from a real
Prometheus loaded with tests/check/example_data.build(days=SNAPSHOT_DAYS). The same generator,
run again here, says how many requests and 5xx happened in any span; every figure is recomputed
from those counts with the definitions written in docs (budget = (1 − objective) × events of
the SLO window; consumed = bad events of the period ÷ that budget), never from the tool's output.

The week to 2026-11-20 12:00 holds two known incidents: auth's 12-hour outage (06:00–18:00 on
18 November, bin-aligned) and payments' fast burn from 10:30 (half-way through an hourly bin).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.check.example_data import (
    AT,
    AUTH_OUTAGE,
    DAY,
    HOUR,
    MONTH_START_BERLIN,
    PAYMENTS_INCIDENT_START,
    SNAPSHOT_DAYS,
    ExampleData,
    bad_and_total,
    build,
)
from tests.report.conftest import report

PS, PE = AT - 7 * DAY, AT  # the 7d report's period
QS, QE = PS - 7 * DAY, PS  # the previous period


@pytest.fixture(scope="module")
def data() -> ExampleData:
    return build(days=SNAPSHOT_DAYS)


@pytest.fixture(scope="module")
def doc() -> dict:
    run = report("--period", "7d", "--format", "json")
    assert run.code == 0, run.stderr
    return {s["key"]: s for s in json.loads(run.stdout)["slos"]}


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_auth_availability_equals_the_truth(data: ExampleData, doc: dict) -> None:
    s = doc["auth/availability"]  # 99.9 % over a rolling 7 days: the window is the period
    bad, tot = bad_and_total(data, "auth", PS, PE)
    budget = 0.001 * tot
    cur = s["current"]
    assert (cur["start_epoch_seconds"], cur["end_epoch_seconds"]) == (PS, PE)
    assert (cur["budget_consumed_count"], cur["total_count"]) == (bad, tot)
    assert close(cur["sli_ratio"], (tot - bad) / tot)
    assert close(cur["error_budget_count"], budget)
    assert close(cur["budget_consumed_ratio"], bad / budget)
    assert close(cur["budget_consumed_minutes"], bad / budget * 7 * 1440 * 0.001)
    assert close(cur["budget_remaining_ratio"], 1 - bad / budget)
    assert s["status"] == "CRITICAL"  # overspent

    pbad, ptot = bad_and_total(data, "auth", QS, QE)
    prev = s["previous"]
    assert close(prev["budget_consumed_ratio"], pbad / (0.001 * ptot))
    assert close(prev["budget_remaining_ratio"], 1 - pbad / (0.001 * ptot))
    assert close(s["budget_consumed_change_ratio"], bad / budget - pbad / (0.001 * ptot))
    assert s["trend"] == "worse"

    [event] = s["burn_events"]
    # the outage is bin-aligned, so its span is found exactly (and so within one bin)
    assert (event["start_epoch_seconds"], event["end_epoch_seconds"]) == AUTH_OUTAGE
    assert event["duration_seconds"] == 12 * HOUR
    ebad, _ = bad_and_total(data, "auth", *AUTH_OUTAGE)
    assert event["budget_consumed_count"] == ebad
    assert close(event["budget_consumed_ratio"], ebad / budget)
    # the peak is the worst hour of the outage
    hours = [
        bad_and_total(data, "auth", t, t + HOUR)
        for t in range(int(AUTH_OUTAGE[0]), int(AUTH_OUTAGE[1]), 3600)
    ]
    assert close(event["peak_burn_rate"], max(b / t for b, t in hours) / 0.001)
    assert not event["clipped_start"] and not event["clipped_end"]


def test_payments_fast_burn_event_is_within_one_bin_of_the_truth(
    data: ExampleData, doc: dict
) -> None:
    s = doc["payments/availability"]  # 99.95 % over the calendar month in Berlin
    wbad, wtot = bad_and_total(data, "payments", MONTH_START_BERLIN, PE)
    budget = 0.0005 * wtot
    bad, tot = bad_and_total(data, "payments", PS, PE)
    cur = s["current"]
    assert close(cur["error_budget_count"], budget)
    assert close(cur["budget_consumed_ratio"], bad / budget)
    assert close(cur["budget_remaining_ratio"], 1 - wbad / budget)
    assert close(cur["sli_ratio"], (tot - bad) / tot)
    assert s["status"] == "CRITICAL" and s["alert"] == "page"

    # previous period: its window is the same calendar month, up to the previous period's end
    pwbad, pwtot = bad_and_total(data, "payments", MONTH_START_BERLIN, QE)
    pbad, _ = bad_and_total(data, "payments", QS, QE)
    assert close(s["previous"]["budget_consumed_ratio"], pbad / (0.0005 * pwtot))
    assert close(s["previous"]["budget_remaining_ratio"], 1 - pwbad / (0.0005 * pwtot))

    [event] = s["burn_events"]
    # truth: the burn starts at 10:30 and is still going at the period's end (12:00)
    assert 0 <= PAYMENTS_INCIDENT_START - event["start_epoch_seconds"] < HOUR
    assert event["end_epoch_seconds"] == PE and event["clipped_end"]
    true_bad, _ = bad_and_total(data, "payments", PAYMENTS_INCIDENT_START, PE)
    in_span, _ = bad_and_total(data, "payments", event["start_epoch_seconds"], PE)
    assert event["budget_consumed_count"] == in_span
    # within one bin: the span adds only the half hour of normal traffic before 10:30
    before, _ = bad_and_total(
        data, "payments", event["start_epoch_seconds"], PAYMENTS_INCIDENT_START
    )
    assert in_span - true_bad == before
    assert before / budget < 0.01 * event["budget_consumed_ratio"]
    assert close(event["budget_consumed_ratio"], in_span / budget)


def test_top_burners_and_out_of_budget_follow_the_truth(data: ExampleData) -> None:
    run = report("--period", "7d", "--format", "json")
    summary = json.loads(run.stdout)["summary"]
    # auth's two SLOs are overspent; nobody else is (remaining > 0 for every other SLO)
    assert summary["exhausted"] == ["auth/availability", "auth/probe-uptime"]
    assert [b["key"] for b in summary["top_burners"]][:2] == [
        "auth/probe-uptime",
        "auth/availability",
    ]
    ratios = [b["budget_consumed_ratio"] for b in summary["top_burners"]]
    assert ratios == sorted(ratios, reverse=True)


def test_auth_probe_slices_equal_the_truth(data: ExampleData, doc: dict) -> None:
    # 99.5 % of one-minute slices over the calendar week (UTC) holding the period's end
    from tests.check.example_data import WEEK_START
    from tests.datagen import slice_flags

    series = data.dataset.select("probe_success", lambda lab: lab["instance"] == "auth")

    def slices(a: float, b: float) -> tuple[float, float]:
        good, seen = slice_flags(series, np.arange(a + 60.0, b + 1.0, 60.0), lambda v: v >= 1)
        return float(good.sum()), float(seen.sum())

    good_p, seen_p = slices(PS, PE)
    _, seen_w = slices(WEEK_START, PE)
    budget = 0.005 * seen_w
    cur = doc["auth/probe-uptime"]["current"]
    assert doc["auth/probe-uptime"]["count_unit"] == "slices"
    assert (cur["total_count"], cur["budget_consumed_count"]) == (seen_p, seen_p - good_p)
    assert close(cur["error_budget_count"], budget)
    assert close(cur["budget_consumed_ratio"], (seen_p - good_p) / budget)
    # every slice with data is one minute, so each bad slice is one minute of budget
    assert close(cur["budget_consumed_minutes"], seen_p - good_p)
    [event] = doc["auth/probe-uptime"]["burn_events"]
    assert event["budget_consumed_count"] == seen_p - good_p  # the only failures: the outage
    assert close(event["budget_consumed_minutes"], seen_p - good_p)
