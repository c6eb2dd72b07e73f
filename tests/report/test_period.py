"""Report periods: the last complete ISO week / month / quarter in a zone, across DST changes,
and rolling N-day periods. Expected instants are written out by hand with their UTC offsets."""

from __future__ import annotations

from datetime import datetime

import pytest

from slo_cli.errors import UsageError
from slo_cli.report.period import resolve_period


def ts(text: str) -> float:
    """Epoch seconds of an ISO 8601 instant with an explicit offset."""
    return datetime.fromisoformat(text).timestamp()


HOUR, DAY = 3600.0, 86400.0


def test_iso_week_in_berlin_across_the_spring_dst_change() -> None:
    # Wed 1 April 2026: the last complete ISO week is Mon 23 – Mon 30 March, and Berlin moved
    # from CET (+01:00) to CEST (+02:00) on Sunday 29 March: that week lasts 7 days minus 1 hour.
    p = resolve_period("week", ts("2026-04-01T10:00:00+02:00"), "Europe/Berlin")
    assert p.start == ts("2026-03-23T00:00:00+01:00")
    assert p.end == ts("2026-03-30T00:00:00+02:00")
    assert p.end - p.start == 7 * DAY - HOUR
    assert (p.previous_start, p.previous_end) == (ts("2026-03-16T00:00:00+01:00"), p.start)
    assert p.previous_end - p.previous_start == 7 * DAY
    assert (p.title, p.previous_title) == ("2026-W13", "2026-W12")


def test_month_in_berlin_across_the_autumn_dst_change() -> None:
    # October 2026 in Berlin ends on CET after the change on Sunday 25 October: 31 days + 1 hour.
    p = resolve_period("month", ts("2026-11-20T12:00:00+00:00"), "Europe/Berlin")
    assert p.start == ts("2026-10-01T00:00:00+02:00")
    assert p.end == ts("2026-11-01T00:00:00+01:00")
    assert p.end - p.start == 31 * DAY + HOUR
    assert p.previous_start == ts("2026-09-01T00:00:00+02:00")
    assert p.previous_end - p.previous_start == 30 * DAY
    assert (p.title, p.previous_title) == ("October 2026", "September 2026")


def test_iso_week_in_new_york_across_the_autumn_dst_change() -> None:
    # New York leaves EDT (-04:00) for EST (-05:00) on Sunday 1 November 2026.
    p = resolve_period("week", ts("2026-11-04T09:00:00-05:00"), "America/New_York")
    assert p.start == ts("2026-10-26T00:00:00-04:00")
    assert p.end == ts("2026-11-02T00:00:00-05:00")
    assert p.end - p.start == 7 * DAY + HOUR
    assert p.title == "2026-W44"


def test_iso_week_that_belongs_to_the_previous_iso_year() -> None:
    # Thu 7 Jan 2027: the week before is Mon 28 Dec 2026 – Mon 4 Jan 2027, ISO week 2026-W53.
    p = resolve_period("week", ts("2027-01-07T12:00:00+00:00"), "UTC")
    assert (p.start, p.end) == (ts("2026-12-28T00:00:00+00:00"), ts("2027-01-04T00:00:00+00:00"))
    assert p.title == "2026-W53"


def test_quarter_in_sydney() -> None:
    # Sydney is on AEDT (+11:00) from October to early April: Q4 2026 runs 1 Oct (AEST, +10:00)
    # to 1 Jan 2027 (AEDT), one hour short of 92 days.
    p = resolve_period("quarter", ts("2027-02-10T00:00:00+11:00"), "Australia/Sydney")
    assert p.start == ts("2026-10-01T00:00:00+10:00")
    assert p.end == ts("2027-01-01T00:00:00+11:00")
    assert p.end - p.start == 92 * DAY - HOUR
    assert (p.title, p.previous_title) == ("2026-Q4", "2026-Q3")


def test_at_exactly_a_boundary_reports_the_period_that_just_ended() -> None:
    p = resolve_period("month", ts("2026-11-01T00:00:00+00:00"), "UTC")
    assert (p.start, p.end) == (ts("2026-10-01T00:00:00+00:00"), ts("2026-11-01T00:00:00+00:00"))


def test_rolling_days_end_on_the_hour_before_at() -> None:
    p = resolve_period("7d", ts("2026-11-20T12:34:56+00:00"), "UTC")
    assert p.end == ts("2026-11-20T12:00:00+00:00")
    assert p.start == p.end - 7 * DAY
    assert (p.previous_start, p.previous_end) == (p.start - 7 * DAY, p.start)
    assert p.kind == "rolling" and p.title == "7 days to 2026-11-20 12:00"
    assert resolve_period("28d", p.end).seconds == 28 * DAY


@pytest.mark.parametrize(
    ("text", "tz", "message"),
    [
        ("fortnight", "UTC", "--period: expected week, month, quarter"),
        ("90m", "UTC", "--period: expected week, month, quarter"),
        ("week", "Mars/Olympus", "--timezone: unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_period_or_zone_is_a_usage_error(text: str, tz: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        resolve_period(text, ts("2026-11-20T12:00:00+00:00"), tz)
