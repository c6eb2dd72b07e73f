"""The report's period: rolling N days ending at the report instant, or the last complete
calendar week (ISO), month or quarter in a time zone.

A calendar report is about a *finished* period: at any instant of November, ``--period month``
reports October, so last month's report can be produced any day (and ``--at`` picks another).
Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slo_cli.errors import UsageError

CALENDAR_PERIODS = ("week", "month", "quarter")
#: rolling periods end on a whole step (seconds): bins and burn events then start on the hour
ROLLING_STEP_S = 3600.0


@dataclass(frozen=True)
class Period:
    """One reporting period and the one before it (epoch seconds, start inclusive, end exclusive).

    `kind` is "rolling" or a calendar name; `label` is what people read (``7d``, ``week``);
    `title` names this period (``2026-W46``, ``November 2026``, ``7 days to 2026-11-20 12:00``).
    """

    kind: str
    label: str
    timezone: str
    start: float
    end: float
    previous_start: float
    previous_end: float
    title: str
    previous_title: str

    @property
    def seconds(self) -> float:
        """The period's length in seconds (calendar periods vary with DST)."""
        return self.end - self.start


def check_timezone(tz: str) -> ZoneInfo:
    """The zone, or a one-line usage error."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone: unknown time zone {tz!r} (e.g. UTC, Europe/Berlin)"
        ) from None


def _title(kind: str, start: float, end: float, zone: ZoneInfo) -> str:
    first = datetime.fromtimestamp(start, zone)
    if kind == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return first.strftime("%B %Y")
    if kind == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    last = datetime.fromtimestamp(end, zone)
    days = (end - start) / 86400
    span = f"{days:g} days" if days != 1 else "1 day"
    return f"{span} to {last.strftime('%Y-%m-%d %H:%M')}"


def resolve_period(text: str, at: float, tz: str = "UTC") -> Period:
    """The period named by ``--period`` for a report produced at `at` (epoch seconds).

    `text`: ``week``/``month``/``quarter`` (calendar, in `tz`), or a duration such as ``7d``,
    ``14d``, ``1w`` (rolling, ending at `at` floored to the hour).

    >>> p = resolve_period("week", 1795176000.0)   # Friday 2026-11-20 12:00 UTC
    >>> p.title, p.previous_title, (p.end - p.start) / 86400
    ('2026-W46', '2026-W45', 7.0)
    >>> resolve_period("7d", 1795176000.0 + 1800).title
    '7 days to 2026-11-20 12:00'
    """
    from slo_cli.engine.calendar import period_bounds, previous_period

    zone = check_timezone(tz)
    kind = text.strip().lower()
    if kind in CALENDAR_PERIODS:
        this_start, _ = period_bounds(at, kind, tz)
        start, end = previous_period(this_start, kind, tz)
        prev_start, prev_end = previous_period(start, kind, tz)
        return Period(
            kind=kind,
            label=kind,
            timezone=tz,
            start=start,
            end=end,
            previous_start=prev_start,
            previous_end=prev_end,
            title=_title(kind, start, end, zone),
            previous_title=_title(kind, prev_start, prev_end, zone),
        )
    from slo_specs.durations import DurationError, parse_duration

    try:
        length = parse_duration(kind)
    except (DurationError, ValueError, TypeError):
        length = math.nan
    if not math.isfinite(length) or length < ROLLING_STEP_S or length % ROLLING_STEP_S:
        raise UsageError(
            f"--period: expected week, month, quarter or a whole number of hours or days "
            f"such as 7d, got {text!r}"
        )
    from slo_specs.durations import MAX_WINDOW_S

    if length > MAX_WINDOW_S:  # the report also reads the period before: two of them
        raise UsageError(f"--period: at most 366d, got {text!r}")
    end = math.floor(at / ROLLING_STEP_S) * ROLLING_STEP_S
    start = end - length
    return Period(
        kind="rolling",
        label=kind,
        timezone=tz,
        start=start,
        end=end,
        previous_start=start - length,
        previous_end=start,
        title=_title("rolling", start, end, zone),
        previous_title=_title("rolling", start - length, start, zone),
    )
