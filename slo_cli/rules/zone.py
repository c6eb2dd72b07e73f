"""A time zone's UTC offset as PromQL: PromQL's calendar functions (`month()`,
`day_of_month()`, `day_of_week()`, `days_in_month()`) are UTC only, so local time is written
as `t + offset(t)`, the offset an expression of the UTC calendar of `t`.

A zone qualifies when its transitions follow one yearly rule in the tz database for the years
`YEARS` (as POSIX TZ strings describe them: the n-th or last weekday of a month at a local time,
e.g. Europe/Berlin: last Sunday of March 02:00 → +2 h, last Sunday of October 03:00 → +1 h):
`fit` finds the rule from `zoneinfo` (the same tz data `slo check` uses), and `offset_at`
mirrors the generated expression's arithmetic, which `fit` checks against `zoneinfo` at every
transition and around every local midnight of those years; a zone it cannot match exactly
gets no rule (the caller then labels its rules approximate). Fixed-offset zones are a constant.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import datetime, timezone

UTC = timezone.utc

#: the years a zone's yearly rule is fitted and checked on (its future as the tz data knows it)
YEARS = range(2026, 2046)
_DAY = 86400


@dataclass(frozen=True)
class Transition:
    """One yearly change: on the `nth` (1-4, 5 = last) `weekday` (0 = Sunday, PromQL's
    `day_of_week`) of `month`, at `local_s` seconds after local midnight in the offset before
    it (`before`, seconds east of UTC)."""

    month: int
    nth: int
    weekday: int
    local_s: int
    before: int


@dataclass(frozen=True)
class ZoneRule:
    """`std` (no DST), or `std` and `dst` with the yearly `start` (→ dst) and `end` (→ std)."""

    name: str
    std: int
    dst: int | None = None
    start: Transition | None = None
    end: Transition | None = None


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _transitions(zone: str) -> list[tuple[int, int, int]]:
    """(instant, offset before, offset after) of every change in YEARS (to the second)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)

    def off(t: float) -> int:
        delta = _utc(t).astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    lo = datetime(YEARS.start, 1, 1, tzinfo=UTC).timestamp()
    hi = datetime(YEARS.stop, 1, 1, tzinfo=UTC).timestamp()
    out = []
    t, prev = lo, off(lo)
    while t < hi:
        nxt = min(t + _DAY, hi)
        if off(nxt) != prev:
            a, b = t, nxt  # the change is in (a, b]: bisect to the second
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if off(mid) == prev else (a, mid)
            out.append((int(b), prev, off(b)))
            prev = off(b)
        t = nxt
    return out


def _as_transition(instant: int, before: int) -> Transition:
    local = _utc(instant + before)
    days = _cal.monthrange(local.year, local.month)[1]
    nth = 5 if local.day + 7 > days else (local.day - 1) // 7 + 1
    weekday = (local.weekday() + 1) % 7  # Python: Monday = 0; PromQL: Sunday = 0
    secs = local.hour * 3600 + local.minute * 60 + local.second
    return Transition(local.month, nth, weekday, secs, before)


def fit(zone: str) -> ZoneRule | None:
    """The zone's yearly rule, or None when its offsets follow none (checked exactly)."""
    from zoneinfo import ZoneInfo

    if zone == "UTC":
        return ZoneRule(zone, 0)
    changes = _transitions(zone)
    if not changes:
        delta = datetime(YEARS.start, 1, 1, tzinfo=ZoneInfo(zone)).utcoffset()
        return ZoneRule(zone, int(delta.total_seconds()) if delta is not None else 0)
    ups = {_as_transition(t, b) for t, b, a in changes if a > b}
    downs = {_as_transition(t, b) for t, b, a in changes if a < b}
    offsets = {(b, a) for _, b, a in changes}
    if len(ups) != 1 or len(downs) != 1 or len(offsets) != 2:
        return None
    [start], [end] = ups, downs
    rule = ZoneRule(zone, std=start.before, dst=end.before, start=start, end=end)
    return rule if _matches(rule, changes) else None


def _matches(rule: ZoneRule, changes: list[tuple[int, int, int]]) -> bool:
    """`offset_at` equals zoneinfo's at every change ± 1 s and at every local midnight ± 1 s."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(rule.name)
    probes = [t + d for t, _, _ in changes for d in (-1, 0, 1)]
    lo = int(datetime(YEARS.start, 1, 2, tzinfo=UTC).timestamp())
    hi = int(datetime(YEARS.stop - 1, 12, 30, tzinfo=UTC).timestamp())
    probes += [t - rule.std + d for t in range(lo, hi, _DAY) for d in (-3601, -1, 0, 3601)]
    for t in probes:
        delta = _utc(t).astimezone(tz).utcoffset()
        if delta is None or offset_at(rule, t) != int(delta.total_seconds()):
            return False
    return True


def _past(tr: Transition, t: float, std: int) -> bool:
    """Python mirror of `_past_expr`: has `tr` of the year (local standard time) of instant t
    happened? (Its months are counted from that year: December before is 0, January after 13.)"""
    u = _utc(t + tr.before - tr.local_s)
    month = u.month + 12 * (u.year - _utc(t + std).year)
    if month != tr.month:
        return month > tr.month
    weekday = (u.weekday() + 1) % 7
    recent = u.day - (weekday - tr.weekday + 7) % 7
    first = _cal.monthrange(u.year, u.month)[1] - 6 if tr.nth == 5 else 7 * (tr.nth - 1) + 1
    return recent >= first


def offset_at(rule: ZoneRule, t: float) -> int:
    """The offset the generated expression gives at instant t (seconds east of UTC)."""
    if rule.dst is None or rule.start is None or rule.end is None:
        return rule.std
    started, ended = _past(rule.start, t, rule.std), _past(rule.end, t, rule.std)
    # northern: DST within one calendar year; southern: across the new year
    northern = rule.start.month < rule.end.month
    dst = (started and not ended) if northern else (started or not ended)
    return rule.dst if dst else rule.std


def _past_expr(tr: Transition, time: str, std: int) -> str:
    """PromQL (0 or 1, a one-element vector) of `_past` at the scalar instant `time`."""
    u = f"vector({time} + {tr.before - tr.local_s})"
    month = f"(month({u}) + 12 * (year({u}) - year(vector({time} + {std}))))"
    first = f"(days_in_month({u}) - 6)" if tr.nth == 5 else str(7 * (tr.nth - 1) + 1)
    recent = f"(day_of_month({u}) - ((day_of_week({u}) - {tr.weekday} + 7) % 7))"
    return (
        f"(({month} > bool {tr.month}) + ({month} == bool {tr.month}) * ({recent} >= bool {first}))"
    )


def offset_expr(rule: ZoneRule, time: str) -> str:
    """PromQL (a scalar) of `offset_at` at the scalar instant `time`."""
    if rule.dst is None or rule.start is None or rule.end is None:
        return str(rule.std)
    started = _past_expr(rule.start, time, rule.std)
    ended = _past_expr(rule.end, time, rule.std)
    if rule.start.month < rule.end.month:
        dst = f"{started} * (1 - {ended})"
    else:
        dst = f"(1 - (1 - {started}) * {ended})"
    return f"({rule.std} + {rule.dst - rule.std} * scalar({dst}))"


def _true_offset(zone: str, t: float) -> int:
    from zoneinfo import ZoneInfo

    delta = _utc(t).astimezone(ZoneInfo(zone)).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def boundaries_ok(rule: ZoneRule, calendar: str) -> bool:
    """Whether the offset the rules compute at each period boundary of YEARS (from its local
    midnight less the standard offset) is the boundary's true offset, so each period's length
    is exact."""
    from slo_cli.engine.calendar import period_bounds

    if rule.dst is None:
        return True
    t = datetime(YEARS.start, 1, 1, tzinfo=UTC).timestamp()
    stop = datetime(YEARS.stop, 1, 1, tzinfo=UTC).timestamp()
    while t < stop:
        start, end = period_bounds(t, calendar, rule.name)
        for edge in (start, end):
            true = _true_offset(rule.name, edge)
            if offset_at(rule, edge + true - rule.std) != true:
                return False
        t = end
    return True


def constant(zone: str) -> tuple[int, int]:
    """(the zone's offset on January 1 of YEARS, the most any offset of YEARS differs from it)."""
    base = _true_offset(zone, datetime(YEARS.start, 1, 1, tzinfo=UTC).timestamp())
    changes = _transitions(zone)
    return base, max([abs(o - base) for _, b, a in changes for o in (b, a)], default=0)
