"""Calendar periods across daylight-saving changes; expected instants worked out from the zones'
rules (Berlin: CET = UTC+1, CEST = UTC+2, switching on the last Sundays of March and October;
New York: EST = UTC−5, EDT = UTC−4, switching on the second Sunday of March and the first of
November)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from slo_cli.engine.calendar import period_bounds, previous_period

H = 3600
D = 86400


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("at", "calendar", "tz", "start", "end", "length"),
    [
        # March 2024 in Berlin: 1 March 00:00 CET = 29 Feb 23:00Z; 1 April 00:00 CEST = 31 March
        # 22:00Z; the spring-forward hour is missing: 31 d − 1 h
        (
            utc(2024, 3, 15),
            "month",
            "Europe/Berlin",
            utc(2024, 2, 29, 23),
            utc(2024, 3, 31, 22),
            31 * D - H,
        ),
        # October 2024 in Berlin gains the hour back on the 27th: 31 d + 1 h
        (
            utc(2024, 10, 10),
            "month",
            "Europe/Berlin",
            utc(2024, 9, 30, 22),
            utc(2024, 10, 31, 23),
            31 * D + H,
        ),
        # ISO week of 10 March 2024 (New York springs forward that Sunday): Monday 4 March 00:00
        # EST = 05:00Z to Monday 11 March 00:00 EDT = 04:00Z: 7 d − 1 h
        (
            utc(2024, 3, 8),
            "week",
            "America/New_York",
            utc(2024, 3, 4, 5),
            utc(2024, 3, 11, 4),
            7 * D - H,
        ),
        # the week of 3 November 2024 (falls back): Monday 28 Oct 04:00Z to Monday 4 Nov 05:00Z
        (
            utc(2024, 10, 30),
            "week",
            "America/New_York",
            utc(2024, 10, 28, 4),
            utc(2024, 11, 4, 5),
            7 * D + H,
        ),
        # Q1 2024 in New York: 1 Jan 00:00 EST = 05:00Z to 1 April 00:00 EDT = 04:00Z;
        # 31 + 29 + 31 = 91 days, minus the spring hour
        (
            utc(2024, 2, 1),
            "quarter",
            "America/New_York",
            utc(2024, 1, 1, 5),
            utc(2024, 4, 1, 4),
            91 * D - H,
        ),
        # Sunday 3 March 23:30Z is already Monday 00:30 in Berlin: that Monday's week
        (
            utc(2024, 3, 3, 23, 30),
            "week",
            "Europe/Berlin",
            utc(2024, 3, 3, 23),
            utc(2024, 3, 10, 23),
            7 * D,
        ),
        # Q4 in UTC ends at the new year
        (utc(2023, 12, 31, 23, 59), "quarter", "UTC", utc(2023, 10, 1), utc(2024, 1, 1), 92 * D),
    ],
)
def test_periods(at: float, calendar: str, tz: str, start: float, end: float, length: int) -> None:
    got = period_bounds(at, calendar, tz)
    assert got == (start, end)
    assert got[1] - got[0] == length


def test_boundaries_belong_to_the_period_they_start() -> None:
    start, end = period_bounds(utc(2024, 3, 15), "month", "Europe/Berlin")
    assert period_bounds(start, "month", "Europe/Berlin") == (start, end)
    assert period_bounds(end, "month", "Europe/Berlin")[0] == end
    assert period_bounds(start - 1, "month", "Europe/Berlin")[1] == start


def test_previous_period_across_dst() -> None:
    # the month before Berlin's April 2024 is March (31 d − 1 h, see above)
    april = period_bounds(utc(2024, 4, 10), "month", "Europe/Berlin")
    assert previous_period(april[0], "month", "Europe/Berlin") == (
        utc(2024, 2, 29, 23),
        utc(2024, 3, 31, 22),
    )
    # the ISO week before the New York spring-forward week: 26 Feb 05:00Z .. 4 Mar 05:00Z
    assert previous_period(utc(2024, 3, 8), "week", "America/New_York") == (
        utc(2024, 2, 26, 5),
        utc(2024, 3, 4, 5),
    )


def test_unknown_calendar() -> None:
    with pytest.raises(ValueError, match="calendar must be one of"):
        period_bounds(0.0, "fortnight", "UTC")
