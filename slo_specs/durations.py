"""Durations as written in specs (Prometheus style: ``300ms``, ``5m``, ``1h30m``, ``30d``, ``1w``).

Held as float seconds after loading. Units, largest first: ``w`` (7 days), ``d`` (24 hours), ``h``,
``m``, ``s``, ``ms``. Each unit at most once, in that order, integer amounts only (as in
Prometheus), so a duration has exactly one spelling per value.
"""

from __future__ import annotations

import math
import re

UNITS: dict[str, int] = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNIT_ORDER = ("w", "d", "h", "m", "s", "ms")
_PART = re.compile(r"(\d+)(ms|w|d|h|m|s)")
DURATION_PATTERN = r"^([0-9]+(ms|w|d|h|m|s))+$"


#: the longest SLO or alert window accepted: a (leap) year. Longer is a typo, and would make
#: every run read years of data.
MAX_WINDOW_S = 366 * 86400


def window_problem(seconds: float) -> str | None:
    """Why `seconds` cannot be an SLO or alert window (None when it can).

    Windows are counted in whole one-minute bins, so they must be whole minutes.

    >>> window_problem(90.0)
    'a window must be whole minutes (the counts are per minute), got 1m30s'
    >>> window_problem(3600.0) is None
    True
    """
    if seconds > MAX_WINDOW_S:
        return f"a window can be at most 366d, got {format_duration(seconds)}"
    if seconds % 60:
        return (
            "a window must be whole minutes (the counts are per minute), "
            f"got {format_duration(seconds)}"
        )
    return None


class DurationError(ValueError):
    """A string that is not a duration; ``str()`` is a short user message."""


def parse_duration(text: str) -> float:
    """Seconds in a duration string.

    >>> parse_duration("1h30m")
    5400.0
    >>> parse_duration("300ms")
    0.3
    >>> parse_duration("1w")
    604800.0
    """
    if not isinstance(text, str):
        raise DurationError(f"expected a duration like 5m or 30d, got {text!r}")
    stripped = text.strip()
    pos = 0
    last = -1
    millis = 0
    for match in _PART.finditer(stripped):
        if match.start() != pos:
            break
        unit = match.group(2)
        rank = _UNIT_ORDER.index(unit)
        if rank <= last:
            raise DurationError(
                f"units must appear once each, largest first (w d h m s ms), got {text!r}"
            )
        last = rank
        if len(match.group(1)) > 12:
            raise DurationError(
                f"a duration of more than 12 digits is not supported: {text[:40]!r}"
            )
        amount = int(match.group(1))
        millis += amount if unit == "ms" else amount * UNITS[unit] * 1000
        pos = match.end()
    if pos == 0 or pos != len(stripped):
        raise DurationError(f"not a duration: {text!r} (write e.g. 300ms, 5m, 1h30m, 30d or 1w)")
    return millis / 1000.0


def format_duration(seconds: float) -> str:
    """The canonical spelling of a number of seconds (inverse of :func:`parse_duration`).

    >>> format_duration(5400.0)
    '1h30m'
    >>> format_duration(2592000)
    '30d'
    >>> format_duration(1209600)
    '2w'
    >>> format_duration(0.3)
    '300ms'
    """
    if not math.isfinite(seconds) or seconds < 0:
        return f"{seconds:g}s"
    millis = round(seconds * 1000)
    if abs(millis - seconds * 1000) > 1e-6 * max(1.0, abs(seconds)):
        return f"{seconds:g}s"
    if millis == 0:
        return "0s"
    week = UNITS["w"] * 1000
    if millis % week == 0:  # weeks only when exact: 30d reads better than 4w2d
        return f"{millis // week}w"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = UNITS[unit] * 1000
        if millis >= size:
            parts.append(f"{millis // size}{unit}")
            millis %= size
    if millis:
        parts.append(f"{millis}ms")
    return "".join(parts)
