"""Calendar SLO windows: ISO week, month and quarter in an IANA time zone.

A calendar window's budget resets at local midnight of the period's first day. Periods are
computed in local wall time and converted to epoch seconds through :mod:`zoneinfo`, so their
length in real seconds varies across daylight-saving changes (a March month in Berlin is an hour
shorter than 31 × 86400 s). Standard library only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CALENDARS = ("week", "month", "quarter")


def _first_day(day: date, calendar: str) -> date:
    if calendar == "week":  # ISO week: starts on Monday
        return day - timedelta(days=day.weekday())
    if calendar == "month":
        return day.replace(day=1)
    if calendar == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"calendar must be one of {', '.join(CALENDARS)}; got {calendar!r}")


def _next_first_day(first: date, calendar: str) -> date:
    if calendar == "week":
        return first + timedelta(days=7)
    months = 1 if calendar == "month" else 3
    month0 = first.month - 1 + months
    return date(first.year + month0 // 12, month0 % 12 + 1, 1)


def _midnight(day: date, zone: ZoneInfo) -> float:
    # Local midnight as an epoch instant. Where midnight falls in a DST gap (a few zones switch
    # at 00:00), fold=0 resolves it with the offset in force before the gap, as zoneinfo does.
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def period_bounds(at: float, calendar: str, tz: str) -> tuple[float, float]:
    """The calendar period holding instant ``at``: (start, end) in epoch seconds, end exclusive.

    Berlin's March 2024 starts at 23:00 UTC on 29 Feb and loses an hour on 31 March (CET -> CEST),
    so it lasts 31 days minus 3600 s:

    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 3, 15, tzinfo=timezone.utc).timestamp()
    >>> start, end = period_bounds(at, "month", "Europe/Berlin")
    >>> datetime.fromtimestamp(start, timezone.utc).isoformat()
    '2024-02-29T23:00:00+00:00'
    >>> (end - start) == 31 * 86400 - 3600
    True
    >>> s, e = period_bounds(at, "week", "UTC")  # ISO week: Monday 11 March 00:00
    >>> datetime.fromtimestamp(s, timezone.utc).date().isoformat(), (e - s) / 86400
    ('2024-03-11', 7.0)
    """
    zone = ZoneInfo(tz)
    first = _first_day(datetime.fromtimestamp(at, zone).date(), calendar)
    return _midnight(first, zone), _midnight(_next_first_day(first, calendar), zone)


def previous_period(start: float, calendar: str, tz: str) -> tuple[float, float]:
    """The period just before the one starting at ``start`` (any instant of a period works).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 1, 10, tzinfo=timezone.utc).timestamp()
    >>> s, e = previous_period(period_bounds(at, "quarter", "UTC")[0], "quarter", "UTC")
    >>> datetime.fromtimestamp(s, timezone.utc).date().isoformat(), (e - s) / 86400
    ('2023-10-01', 92.0)
    """
    this_start, _ = period_bounds(start, calendar, tz)
    # one second before this period's start lies in the previous period
    return period_bounds(this_start - 1.0, calendar, tz)
