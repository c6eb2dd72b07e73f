"""Calendar windows in PromQL: the current local period, its length, and the budget since it
began (docs/rules.md, "Calendar windows").

`slo check` spreads a calendar period's budget over the whole period (docs/design.md §2), so an
alert's threshold is ``budget_share × period length ÷ long window`` (February pages at a lower
burn rate than March), and the budget left is the period's events so far. PromQL's calendar
functions are UTC only, so a calendar SLO's group records, per evaluation:

* `slo:calendar_local_time_seconds`: the instant the evaluation's interval is judged at (the
  middle of the whole interval ending at or before t, so an interval belongs to the period
  `slo check` puts its bin in) in local wall-clock seconds, `t + offset(t)` with the zone's
  offset written by `rules.zone` (exact for zones whose offsets follow a yearly rule);
* `slo:calendar_period_seconds`: the local period's length in real seconds (DST-correct);
* `slo:period_events_{total,bad}:increase<E>`: the interval counts labelled with the period's
  phase (`slo_phase` = the period's index mod 3), so a sum over the longest period (plus a day)
  of one phase's samples is exactly the current period's (the range reaches back at most two
  periods, whose phases differ);
* `slo:error_budget_remaining` from the current phase's sums.

A zone whose offsets follow no yearly rule (`zone.fit` finds none) is written with its offset of
January 1 as a constant: approximate, and the header, a warning and docs/rules.md say by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slo_cli.rules import zone as Z

_DAY = 86400
LOCAL = "slo:calendar_local_time_seconds"
START = "slo:calendar_period_start_local_seconds"
LENGTH = "slo:calendar_period_seconds"
#: the longest period of each calendar, in days (the phase sums reach one day further)
LONGEST_DAYS = {"week": 7, "month": 31, "quarter": 92}


def is_calendar(slo: Any) -> bool:
    return getattr(slo.window, "calendar", None) is not None


def window_seconds(slo: Any) -> float:
    """The rolling window's length (calendar windows have none: see `factor_expr`)."""
    return float(getattr(slo.window, "seconds", 0.0) or 0.0)


@dataclass(frozen=True)
class Zone:
    """How a calendar SLO's zone is written: `rule` (exact) and, when approximate, the bound."""

    rule: Z.ZoneRule
    exact: bool
    bound_s: int = 0


def zone_of(slo: Any) -> Zone:
    """The zone's rule, exact when its offsets follow one checked yearly rule."""
    w = slo.window
    rule = Z.fit(w.timezone)
    if rule is not None and Z.boundaries_ok(rule, w.calendar):
        return Zone(rule, True)
    base, bound = Z.constant(w.timezone)
    return Zone(Z.ZoneRule(w.timezone, base), False, bound)


def _floor_to(x: str, n: int | float) -> str:
    """Scalar `x` (positive) rounded down to a multiple of `n` (PromQL's floor() takes vectors)."""
    return f"({x} - {x} % {n})"


def judged(interval_s: float) -> str:
    """The instant an evaluation's interval is judged at: the middle of the last whole one."""
    e = int(interval_s) if float(interval_s).is_integer() else interval_s
    return f"({_floor_to('time()', e)} - {interval_s / 2!r})"


def local_expr(zone: Zone, interval_s: float) -> str:
    a = judged(interval_s)
    return f"vector({a} + {Z.offset_expr(zone.rule, a)})"


def _ls(sel: str) -> str:
    return f"scalar({LOCAL}{sel})"


def phase_expr(calendar: str, sel: str) -> str:
    """The current period's index mod 3 (a one-element vector)."""
    v = f"vector({_ls(sel)})"
    if calendar == "week":  # ISO weeks: day 0 (1970-01-01) is a Thursday
        days = f"({_floor_to(_ls(sel), _DAY)} / {_DAY} + 3)"
        return f"vector(({_floor_to(days, 7)} / 7) % 3)"
    if calendar == "month":
        return f"((year({v}) * 12 + month({v})) % 3)"
    return f"((year({v}) * 4 + floor((month({v}) - 1) / 3)) % 3)"


def current_phase(calendar: str, sel: str) -> str:
    """A one-element vector labelled `slo_phase` with the current period's phase."""
    ph = phase_expr(calendar, sel)
    return " or ".join(f'label_replace({ph} == {k}, "slo_phase", "{k}", "", "")' for k in range(3))


def _days(calendar: str, sel: str) -> str:
    """Days of the current local period (a scalar)."""
    v = f"vector({_ls(sel)})"
    if calendar == "week":
        return "7"
    if calendar == "month":
        return f"scalar(days_in_month({v}))"
    year, month = f"scalar(year({v}))", f"scalar(month({v}))"
    leap = f"(({year} % 4 == bool 0) - ({year} % 100 == bool 0) + ({year} % 400 == bool 0))"
    # Q1: 90 (+1 in leap years), Q2: 91, Q3 and Q4: 92
    return f"(92 - ({month} <= bool 6) - ({month} <= bool 3) * (1 - {leap}))"


def _start_local(calendar: str, sel: str) -> str:
    """Local midnight (wall-clock seconds) of the current period's first day."""
    ls = _ls(sel)
    v = f"vector({ls})"
    day0 = _floor_to(ls, _DAY)
    if calendar == "week":
        return f"({day0} - scalar((day_of_week({v}) + 6) % 7) * {_DAY})"
    month0 = f"({day0} - (scalar(day_of_month({v})) - 1) * {_DAY})"
    if calendar == "month":
        return month0
    k = f"((scalar(month({v})) - 1) % 3)"
    d1 = f"scalar(days_in_month(vector({month0} - {_DAY})))"
    back1 = f"({month0} - {d1} * {_DAY})"
    d2 = f"scalar(days_in_month(vector({back1} - {_DAY})))"
    return f"({month0} - ({k} >= bool 1) * {d1} * {_DAY} - ({k} >= bool 2) * {d2} * {_DAY})"


def start_expr(calendar: str, sel: str) -> str:
    """The `START` rule: the current period's first local midnight (wall-clock seconds)."""
    return f"vector({_start_local(calendar, sel)})"


def length_expr(zone: Zone, calendar: str, sel: str) -> str:
    """The current period's length in real seconds: its days, less the DST shift in it (the
    zone's offsets at its first and next period's local midnights)."""
    days = _days(calendar, sel)
    if zone.rule.dst is None:
        return f"vector({days} * {_DAY})"
    start = f"scalar({START}{sel})"
    std = zone.rule.std
    off_start = Z.offset_expr(zone.rule, f"({start} - {std})")
    off_end = Z.offset_expr(zone.rule, f"({start} + {days} * {_DAY} - {std})")
    return f"vector({days} * {_DAY} + {off_start} - {off_end})"


def factor_expr(slo: Any, rule: Any, sel: str) -> str:
    """``budget_share × period seconds ÷ long_s`` in the order `burn_factor` computes it."""
    return f"({float(rule.budget_share)!r} * scalar({LENGTH}{sel}) / {float(rule.long_s)!r})"


def note(slo: Any, zone: Zone) -> str:
    w = slo.window
    text = (
        f"calendar {w.calendar} ({w.timezone}): periods, thresholds and the budget left follow "
        "the local period"
    )
    if zone.exact:
        return text + (
            f" ({w.timezone}'s yearly offset rule, checked against the tz database for "
            f"{Z.YEARS.start}-{Z.YEARS.stop - 1})"
            if zone.rule.dst is not None
            else ""
        )
    return approximate(slo, zone)


def approximate(slo: Any, zone: Zone) -> str:
    """The warning for a zone written with a constant offset."""
    w = slo.window
    sign = "+" if zone.rule.std >= 0 else "-"
    hh, mm = divmod(abs(zone.rule.std) // 60, 60)
    bound = f"{zone.bound_s // 3600} h" if zone.bound_s % 3600 == 0 else f"{zone.bound_s} s"
    return (
        f"approximate: {w.calendar} ({w.timezone}) is computed at a constant UTC{sign}{hh:02d}:"
        f"{mm:02d} ({w.timezone}'s offsets follow no yearly rule PromQL can write): period "
        f"boundaries off by up to {bound}, so up to {bound} of events per period counted in the "
        "neighbouring one, and its length (the thresholds) by up to as much"
    )
