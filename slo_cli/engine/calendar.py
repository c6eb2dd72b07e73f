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


def _shift(anchor: datetime, calendar: str, k: int) -> datetime:
    """The start of the k-th period after the one starting at ``anchor`` (local wall time): the
    same weekday and time for weeks; the same day of the month (or the month's last day, when
    shorter) and time for months and quarters."""
    if calendar == "week":
        return anchor + timedelta(days=7 * k)
    months = k * (1 if calendar == "month" else 3)
    month0 = anchor.month - 1 + months
    year, month = anchor.year + month0 // 12, month0 % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return anchor.replace(year=year, month=month, day=min(anchor.day, last))


def _anchored(at: float, calendar: str, zone: ZoneInfo, start: str) -> tuple[float, float]:
    """Periods counted from ``start`` (local 'YYYY-MM-DD HH:MM:SS'), forwards and backwards."""
    if calendar not in CALENDARS:
        raise ValueError(f"calendar must be one of {', '.join(CALENDARS)}; got {calendar!r}")
    anchor = datetime.fromisoformat(start)
    local = datetime.fromtimestamp(at, zone).replace(tzinfo=None)
    if calendar == "week":
        k = (local - anchor).days // 7
    else:
        k = ((local.year - anchor.year) * 12 + local.month - anchor.month) // (
            1 if calendar == "month" else 3
        )

    def epoch(n: int) -> float:
        return _shift(anchor, calendar, n).replace(tzinfo=zone).timestamp()

    while epoch(k) > at:
        k -= 1
    while epoch(k + 1) <= at:
        k += 1
    return epoch(k), epoch(k + 1)


def period_bounds(
    at: float, calendar: str, tz: str, start: str | None = None
) -> tuple[float, float]:
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

    ``start`` (local wall time, OpenSLO's calendar ``startTime``) anchors the periods instead:
    monthly periods from 15 January 09:00 in New York start on the 15th at 09:00 local time
    (``at`` is 14 March 20:00 there, so in the period from 15 February, EST, to 15 March, EDT).

    >>> s, e = period_bounds(at, "month", "America/New_York", "2024-01-15 09:00:00")
    >>> datetime.fromtimestamp(s, timezone.utc).isoformat()
    '2024-02-15T14:00:00+00:00'
    >>> datetime.fromtimestamp(e, timezone.utc).isoformat()
    '2024-03-15T13:00:00+00:00'
    """
    zone = ZoneInfo(tz)
    if start is not None:
        return _anchored(at, calendar, zone, start)
    first = _first_day(datetime.fromtimestamp(at, zone).date(), calendar)
    return _midnight(first, zone), _midnight(_next_first_day(first, calendar), zone)


def previous_period(
    start: float, calendar: str, tz: str, anchor: str | None = None
) -> tuple[float, float]:
    """The period just before the one starting at ``start`` (any instant of a period works).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 1, 10, tzinfo=timezone.utc).timestamp()
    >>> s, e = previous_period(period_bounds(at, "quarter", "UTC")[0], "quarter", "UTC")
    >>> datetime.fromtimestamp(s, timezone.utc).date().isoformat(), (e - s) / 86400
    ('2023-10-01', 92.0)
    """
    this_start, _ = period_bounds(start, calendar, tz, anchor)
    # one second before this period's start lies in the previous period
    return period_bounds(this_start - 1.0, calendar, tz, anchor)
