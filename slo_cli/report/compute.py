"""Period arithmetic on one bin grid: figures per period, burn events, chart series (numpy).

Counts telescope: the events of any span whose ends are bin edges are a difference of cumulative
sums, so a period, an SLO window or an event is exact on any grid that has its ends as edges.
The formulas are the engine's (`slo_cli.engine.burn_rate`): burn = (bad ÷ total) ÷ (1 − objective).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slo_cli.report.model import BurnEvent, Chart, PeriodFigures

#: events (and chart bins) are found on bins of this width, counted back from the period's end
EVENT_BIN_S = 3600.0
#: a change of consumed budget smaller than this share of the window's budget reads "same"
SAME_WITHIN = 0.005


@dataclass(frozen=True)
class Row:
    """One SLO's counts on a grid, made NaN-free: per-bin cumulative bad, total and missing
    seconds (leading zero, so the sum over bins [a, b) is C[b] − C[a])."""

    edges: np.ndarray
    bad: np.ndarray
    total: np.ndarray
    missing: np.ndarray
    objective: float

    def at(self, t: float) -> int:
        """Index of the edge at instant `t` (which must be an edge)."""
        from slo_cli.engine import edge_index

        return int(edge_index(self.edges, t)[0])

    def sums(self, start: float, end: float) -> tuple[float, float, float]:
        """(bad, total, missing seconds) over [start, end)."""
        a, b = self.at(start), self.at(end)
        return (
            float(self.bad[b] - self.bad[a]),
            float(self.total[b] - self.total[a]),
            float(self.missing[b] - self.missing[a]),
        )


def make_row(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    objective: float,
    ratio_timeslices: bool = False,
) -> Row:
    """Cumulative sums for one SLO. A bin has data when good and total are both numbers; bins
    without data count no events. good > total counts as good == total (the engine's rule).
    RatioTimeslices weighs each bin's good ÷ total ratio by the bin's width (as the engine does)."""
    width = np.diff(edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        if ratio_timeslices:
            has = total > 0
            ratio = np.minimum(good / np.where(has, total, 1.0), 1.0)
            missing = ~has | np.isnan(ratio)
            tot = np.where(missing, 0.0, width)
            bad = np.where(missing, 0.0, (1.0 - ratio) * width)
        else:
            diff = total - good
            missing = np.isnan(diff)
            bad = np.where(missing, 0.0, np.maximum(diff, 0.0))
            tot = np.where(missing, 0.0, total)

    def cum(x: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(x)])

    return Row(edges, cum(bad), cum(tot), cum(missing * width), float(objective))


def _burn(bad: np.ndarray | float, total: np.ndarray | float, objective: float) -> np.ndarray:
    from slo_cli.engine import burn_rate

    b = np.atleast_1d(np.asarray(bad, dtype=float))
    return burn_rate(b, np.atleast_1d(np.asarray(total, dtype=float)), np.full(b.shape, objective))


def figures(
    row: Row, start: float, end: float, window_start: float, window_s: float
) -> PeriodFigures:
    """The period [start, end) of one SLO whose window, at `end`, starts at `window_start` and
    budgets `window_s` seconds (a calendar window's whole length)."""
    bad, tot, miss = row.sums(start, end)
    bad_w, tot_w, miss_w = row.sums(window_start, end)
    consumed = float(_burn(bad, tot_w, row.objective)[0])
    remaining = 1.0 - float(_burn(bad_w, tot_w, row.objective)[0])
    span, span_w = end - start, end - window_start
    # bad events as time at the window's own event rate (seconds with data per event): one
    # minute per bad 1-minute slice, and for a rolling window the same as consumed × the
    # budget's time equivalent
    per_event = (span_w - miss_w) / tot_w / 60.0 if tot_w > 0 else float("nan")
    return PeriodFigures(
        start=start,
        end=end,
        good=tot - bad,
        total=tot,
        sli=(tot - bad) / tot if tot > 0 else float("nan"),
        consumed=consumed,
        consumed_count=bad,
        consumed_minutes=bad * per_event,
        minutes_per_event=per_event,
        remaining=remaining,
        budget_count=(1.0 - row.objective) * tot_w,
        coverage=1.0 - miss / span if span > 0 else float("nan"),
        window_coverage=1.0 - miss_w / span_w if span_w > 0 else float("nan"),
    )


def coarse_edges(
    edges: np.ndarray, start: float, end: float, keep: tuple[float, ...]
) -> np.ndarray:
    """The grid's edges in [start, end] that lie a whole EVENT_BIN_S before `end`, plus `start`,
    `end` and any of `keep`: the bins burn events and charts are drawn on (about an hour each,
    even where the grid is finer)."""
    inside = edges[(edges >= start - 1e-3) & (edges <= end + 1e-3)]
    back = (end - inside) / EVENT_BIN_S
    on_step = np.abs(back - np.round(back)) < 1e-6
    extra = np.isin(np.round(inside, 3), np.round(np.array((start, end, *keep), dtype=float), 3))
    return inside[on_step | extra]


def burn_events(
    row: Row,
    start: float,
    end: float,
    budget_count: float,
    minutes_per_event: float,
    threshold: float = 1.0,
) -> tuple[BurnEvent, ...]:
    """Spans of [start, end) where each ~hourly bin burned at ≥ `threshold`, most budget first.

    `budget_count` is the window's error budget in events at the period's end (the denominator of
    every `consumed` in the report), `minutes_per_event` the time one bad event stands for
    (PeriodFigures.minutes_per_event).
    """
    t = coarse_edges(row.edges, start, end, ())
    idx = np.array([row.at(x) for x in t])
    bad = np.diff(row.bad[idx])
    tot = np.diff(row.total[idx])
    burn = _burn(bad, tot, row.objective)
    with np.errstate(invalid="ignore"):
        hot = burn >= threshold
    out: list[BurnEvent] = []
    i, n = 0, hot.size
    while i < n:
        if not hot[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and hot[j + 1]:
            j += 1
        spent = float(bad[i : j + 1].sum())
        share = spent / budget_count if budget_count > 0 else float("nan")
        out.append(
            BurnEvent(
                start=float(t[i]),
                end=float(t[j + 1]),
                peak_burn_rate=float(np.max(burn[i : j + 1])),
                consumed=share,
                consumed_count=spent,
                consumed_minutes=spent * minutes_per_event,
                clipped_start=i == 0,
                clipped_end=j + 1 == n,
            )
        )
        i = j + 1
    # most budget first; ties (and NaN shares) by start so the order is deterministic
    out.sort(key=lambda e: (-(e.consumed if e.consumed == e.consumed else -1.0), e.start))
    return tuple(out)


def chart(
    row: Row, start: float, end: float, window_start: float, keep: tuple[float, ...]
) -> Chart:
    """Burn-down and burn-rate series over [start, end] on ~hourly bins."""
    t = coarse_edges(row.edges, start, end, (window_start, *keep))
    idx = np.array([row.at(x) for x in t])
    j0 = row.at(window_start)
    tot_w = float(row.total[row.at(end)] - row.total[j0])
    spent = row.bad[idx] - row.bad[j0]
    remaining = 1.0 - _burn(spent, np.full(t.shape, tot_w), row.objective)
    remaining = np.where(t >= window_start - 1e-3, remaining, np.nan)
    burn = np.concatenate(
        [[np.nan], _burn(np.diff(row.bad[idx]), np.diff(row.total[idx]), row.objective)]
    )
    return Chart(
        times=tuple(float(x) for x in t),
        remaining=tuple(float(x) for x in remaining),
        burn_rate=tuple(float(x) for x in burn),
        window_start=window_start,
    )


def trend(current: PeriodFigures, previous: PeriodFigures) -> str:
    """better / worse / same (within SAME_WITHIN of the budget) / unknown."""
    c, p = current.consumed, previous.consumed
    if not (np.isfinite(c) and np.isfinite(p)) or current.total <= 0 or previous.total <= 0:
        return "unknown"
    if abs(c - p) < SAME_WITHIN:
        return "same"
    return "better" if c < p else "worse"
