"""The SLO windows of a replay (`slo backtest`): which budget each burn event is measured against
and the window length every alert threshold scales with, at each evaluation instant.

A rolling window is the same at every instant. A calendar window (week, month, quarter in a
time zone, optionally anchored) is a different period from one boundary to the next: each
evaluation instant t judges the period holding t − 1 ms (the last minute of data, as
`plan.slo_window` does for `slo check --at t`), so its thresholds scale with that period's own
length (`budget_share × period length ÷ long window`); and the budget resets at each period's
start, so a burn event is measured against the budget of its own period (the events from the
period's start to its end or the replay's), and an event running over a boundary is two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: how far before an evaluation instant its data ends (plan.slo_window's convention)
JUDGED_BEFORE_S = 1e-3


@dataclass(frozen=True)
class Budget:
    """One budget of a replay: its SLO window starts at `window_start`; the burn events of
    [start, end) are measured against the events of [window_start, end)."""

    window_start: float
    start: float
    end: float


def is_calendar(thing: Any) -> bool:
    """Whether an SLO or composite has a calendar window."""
    return getattr(thing.window, "calendar", None) is not None


def periods(thing: Any, lo: float, hi: float) -> list[tuple[float, float]]:
    """The calendar periods (start, end) holding some instant of [lo, hi], in order.

    >>> from types import SimpleNamespace as NS
    >>> from datetime import datetime, timezone
    >>> slo = NS(window=NS(calendar="month", timezone="UTC", start=None))
    >>> t = lambda s: datetime.fromisoformat(s).replace(tzinfo=timezone.utc).timestamp()
    >>> [round((b - a) / 86400) for a, b in periods(slo, t("2026-01-15"), t("2026-03-02"))]
    [31, 28, 31]
    """
    from slo_cli.engine.calendar import period_bounds

    w = thing.window
    out = []
    t = lo
    while True:
        start, end = period_bounds(t, w.calendar, w.timezone, w.start)
        out.append((float(start), float(end)))
        if end > hi:
            return out
        t = end


def budgets(thing: Any, start: float, end: float) -> list[Budget]:
    """The budgets the burn events of the replay [start, end) are measured against: a rolling
    window's, ending at `end`; else one per calendar period overlapping [start, end)."""
    if not is_calendar(thing):
        from slo_cli.plan import slo_window

        return [Budget(slo_window(thing, end).start, start, end)]
    return [
        Budget(a, max(a, start), min(b, end))
        for a, b in periods(thing, start, end - JUDGED_BEFORE_S)
    ]


def window_per_time(thing: Any, times: np.ndarray, end: float) -> np.ndarray | float:
    """The budgeted window length at each evaluation instant: a rolling window's seconds, or,
    per instant, the length of the calendar period it judges."""
    from slo_cli.plan import slo_window

    if not is_calendar(thing):
        return float(slo_window(thing, end).seconds)
    judged = np.asarray(times, dtype=float) - JUDGED_BEFORE_S
    found = periods(thing, float(judged[0]), float(judged[-1]))
    starts = np.array([a for a, _ in found])
    lengths = np.array([b - a for a, b in found])
    idx = np.searchsorted(starts, judged, side="right") - 1
    return np.asarray(lengths[idx]).reshape(1, -1)
