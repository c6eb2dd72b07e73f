"""`slo backtest` over calendar windows uses each period's own length and budget: a 90-day
replay ending 1 April 2026 00:00 UTC (January, February and March) of a constant burn rate of 14
(140 errors in 1,000 requests a minute at 99 %) against `page 1h/5m` at 2 % of the budget,
whose threshold is 2 % × the period's length ÷ 1 h: 14.88 in 31-day months, 13.44 in February
(and 14.86 in Berlin's March, an hour short). Closed form, from the story alone:

- the page fires exactly while the evaluated minute's data lies in February: from its first
  minute + 1 min (t − 1 ms judges the period, as `slo check --at t`) to its end + 1 min: 28 days;
- the budget resets at each period start, so every period holds its own burn event, spending
  14 budgets of its own period (January in Berlin starts an hour before the replay:
  14 × (31 d − 1 h) ÷ 31 d), each detected 1 minute after February starts, at once in March
  (the page still fires in March's first minute), never in January (or Berlin's April hours).

One period length for the whole replay (March's, the one at --at) would page never.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from slo_cli.render.common import iso
from tests.backtest import data as D

pytestmark = pytest.mark.prometheus
DAY = 86400.0
BURN = D.CAL_BAD / D.CAL_TOTAL / 0.01


def _t(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def _events(slo: dict) -> list[tuple[str, str, float, float | None, float | None]]:
    return [
        (
            e["start"],
            e["end"],
            e["budget_consumed_ratio"],
            e["detection_delay_seconds"],
            e["budget_consumed_before_alert_ratio"],
        )
        for e in slo["events"]
    ]


def test_each_calendar_period_has_its_own_length_and_budget(calendar_doc: dict[str, Any]) -> None:
    doc = calendar_doc
    assert (doc["start"], doc["end"]) == ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")
    by_key = {s["key"]: s for s in doc["slos"]}
    minute = 60.0
    for key, feb, mar, apr in (
        ("bt/month-utc", _t("2026-02-01"), _t("2026-03-01"), _t("2026-04-01")),
        ("bt/month-berlin", _t("2026-01-31T23:00"), _t("2026-02-28T23:00"), _t("2026-03-31T22:00")),
    ):
        slo = by_key[key]
        assert [(a["severity"], a["start"], a["duration_seconds"]) for a in slo["alerts"]] == [
            ("page", iso(feb + minute), 28 * DAY)
        ], key
        before_feb = BURN * minute / (mar - feb)  # 1 minute of February's budget
        want = [
            (iso(feb), iso(mar), pytest.approx(BURN, rel=1e-12), 60.0, pytest.approx(before_feb)),
            (iso(mar), iso(min(apr, D.END)), pytest.approx(BURN, rel=1e-12), 0.0, 0.0),
        ]
        start = _t("2026-01-01")
        if key == "bt/month-utc":
            want.insert(0, (iso(start), iso(feb), pytest.approx(BURN, rel=1e-12), None, None))
        else:
            jan = BURN * (feb - start) / (31 * DAY)  # January from 31 Dec 23:00 UTC
            want.insert(0, (iso(start), iso(feb), pytest.approx(jan, rel=1e-12), None, None))
            want.append((iso(apr), iso(D.END), pytest.approx(BURN, rel=1e-12), None, None))
        assert _events(slo) == want, key
        assert slo["burn_events_never_alerted"] == (1 if key == "bt/month-utc" else 2)


def test_adjustments_give_back_the_budget_of_their_own_period(history: Any, tmp_path: Any) -> None:
    """One excluded day in each of January, February and March: every period's ratio of bad
    events stays 14 %, so with its own budget each period consumes 14 budgets without the
    adjustments and gives none back (the period at --at's budget for the whole replay would say
    14 × 90 ÷ 31 = 40.6 consumed without them). Berlin's January holds an hour before the
    replay, so there a little comes back."""
    from tests.backtest.helpers import backtest

    days = ("2026-01-10", "2026-02-10", "2026-03-10")
    entries = "".join(
        f"- reason: day {d}\n  service: bt\n  start: {d}T00:00:00Z\n  end: {d}T23:59:59Z\n"
        for d in days
    )
    # whole minutes: the last excluded minute ends at 23:59, the day's last second is not one
    entries = entries.replace("T23:59:59Z", "T23:59:00Z")
    path = tmp_path / "adjustments.yaml"
    path.write_text(entries, encoding="utf-8")
    doc = backtest(history.calendar_spec, history.server.url, 90, "--adjustments", str(path))
    by_key = {s["key"]: s for s in doc["slos"]}
    minutes = 3 * (24 * 60 - 1)
    hour, month = 3600.0, 31 * DAY
    # Berlin's January starts at 31 Dec 23:00 UTC: its budget holds an hour h of events whose
    # bad ones the replay does not count, so excluding X minutes of it gives back
    # 14 × ((E − h) ÷ E − (E − h − X) ÷ (E − X)) = 14 × h·X ÷ (E·(E − X)), E its 31 days
    e, h, x = month / 60, 60.0, 24 * 60 - 1.0
    for key, consumed, returned in (
        ("bt/month-utc", 3 * BURN, 0.0),
        # Berlin: January (its first hour before the replay), February, March, and April's
        # first 2 hours (UTC 22:00-24:00 on 31 March)
        ("bt/month-berlin", BURN * (month - hour) / month + 3 * BURN, BURN * h * x / (e * (e - x))),
    ):
        adj = by_key[key]["adjustments"]
        assert adj["excluded_count"] == minutes * D.CAL_TOTAL, key
        assert adj["excluded_bad_count"] == minutes * D.CAL_BAD, key
        assert adj["budget_consumed_without_ratio"] == pytest.approx(consumed, rel=1e-12), key
        assert adj["budget_returned_ratio"] == pytest.approx(returned, rel=1e-9, abs=1e-12), key
        assert [u["reason"] for u in adj["applied"]] == [f"day {d}" for d in days], key
        assert (adj["start"], adj["end"]) == ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")
