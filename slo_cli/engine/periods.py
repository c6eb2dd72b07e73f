"""Figures over periods of one SLO's counts: period figures, burn events, the burn-down (numpy).

What `slo report` shows for an SLO is :func:`period_report`; its parts are public:

* :func:`cumulative` cleans the bins with the kernel's own rule (:meth:`kernel.Buffers.clean`:
  a bin without data counts 0 of 0, good > total counts good = total) and keeps cumulative bad
  events, total events and missing seconds at every edge. Counts telescope, so the events of any
  span whose ends are bin edges are a difference of two cumulative sums: a period, an SLO window
  or an event is exact on any grid that has its ends as edges.
* :func:`period_figures`: a period's consumption, SLI, coverage and the remaining budget.
* :func:`burn_events`: THE definition of a burn event (docs/design.md §2).
* :func:`burn_down`: the burn-down and burn-rate series of the charts.

The formulas are :mod:`slo_cli.engine.formulas`'. RatioTimeslices counts are transformed first
(:func:`slo_cli.engine.measures.ratio_timeslice_counts`), as for ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slo_cli.engine import formulas as f
from slo_cli.engine.kernel import EDGE_TOLERANCE_S, Buffers, check_grid, edge_index
from slo_cli.engine.records import EVENT_BIN_S, BurnDown, BurnEvent, PeriodFigures

#: a change of consumed budget smaller than this share of the window's budget reads "same"
SAME_WITHIN = 0.005


@dataclass(frozen=True)
class Cumulative:
    """One SLO's cleaned counts as cumulative sums at every edge (leading zero, so the sum over
    bins [a, b) is C[b] − C[a]): ``bad``, ``total`` events and ``missing`` seconds."""

    edges: np.ndarray
    bad: np.ndarray
    total: np.ndarray
    missing: np.ndarray
    objective: float

    def at(self, t: float) -> int:
        """Index of the edge at instant `t` (which must be an edge)."""
        return int(edge_index(self.edges, t)[0])

    def sums(self, start: float, end: float) -> tuple[float, float, float]:
        """(bad, total, missing seconds) over [start, end)."""
        a, b = self.at(start), self.at(end)
        return (
            float(self.bad[b] - self.bad[a]),
            float(self.total[b] - self.total[a]),
            float(self.missing[b] - self.missing[a]),
        )


def cumulative(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray, objective: float
) -> Cumulative:
    """Cumulative sums of one SLO's counts (1-D ``good``/``total`` on ``edges``).

    >>> c = cumulative(np.array([0.0, 60, 120, 180]), np.array([9.0, np.nan, 12]),
    ...                np.array([10.0, 5, 10]), 0.9)
    >>> c.bad.tolist(), c.total.tolist(), c.missing.tolist()  # good > total counts as equal
    ([0.0, 1.0, 1.0, 1.0], [0.0, 10.0, 10.0, 20.0], [0.0, 0.0, 60.0, 60.0])
    """
    edges, good2, total2 = check_grid(edges, good, total)
    bad, tot, miss, _ = Buffers(1, total2.shape[1]).clean(good2, total2)

    def cum(x: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(x)])

    return Cumulative(edges, cum(bad[0]), cum(tot[0]), cum(miss[0] * np.diff(edges)), objective)


def _burn(c: Cumulative, bad: np.ndarray | float, total: np.ndarray | float) -> np.ndarray:
    b = np.atleast_1d(np.asarray(bad, dtype=float))
    t = np.atleast_1d(np.asarray(total, dtype=float))
    return f.burn_rate(b, t, np.full(b.shape, c.objective))


def minutes_per_event(c: Cumulative, window_start: float, end: float) -> float:
    """The time one event stands for in the SLO window [window_start, end): seconds with data ÷
    events, in minutes (one minute per bad 1-minute slice; for a rolling window, bad events ×
    this = consumed × the budget's time equivalent); NaN without traffic."""
    _, tot_w, miss_w = c.sums(window_start, end)
    return (end - window_start - miss_w) / tot_w / 60.0 if tot_w > 0 else float("nan")


def period_figures(
    c: Cumulative, start: float, end: float, window_start: float, window_s: float
) -> PeriodFigures:
    """The period [start, end) of one SLO whose window, at `end`, starts at `window_start` and
    budgets `window_s` seconds (a calendar window's whole length).

    ``consumed = bad in the period ÷ error_budget(SLO window at end)``: the same denominator for
    the period, the previous period (its own window) and every burn event, so events add up to
    at most the period's consumption. ``remaining = 1 − consumed(SLO window at end)``.

    >>> edges = np.arange(0, 4 * 3600 + 1, 3600.0)
    >>> c = cumulative(edges, np.array([100, 98, 100, 99.0]), np.full(4, 100.0), 0.99)
    >>> p = period_figures(c, 7200.0, 14400.0, 0.0, 14400.0)  # last 2 h of a 4 h window
    >>> p.consumed_count, round(p.budget_count, 9), round(p.consumed, 12), round(p.remaining, 12)
    (1.0, 4.0, 0.25, 0.25)
    """
    bad, tot, miss = c.sums(start, end)
    bad_w, tot_w, miss_w = c.sums(window_start, end)
    consumed = float(_burn(c, bad, tot_w)[0])
    remaining = float(f.remaining(_burn(c, bad_w, tot_w))[0])
    per_event = minutes_per_event(c, window_start, end)
    return PeriodFigures(
        start=start,
        end=end,
        good=tot - bad,
        total=tot,
        sli=float(f.sli(np.array([tot - bad]), np.array([tot]))[0]),
        consumed=consumed,
        consumed_count=bad,
        consumed_minutes=bad * per_event,
        minutes_per_event=per_event,
        remaining=remaining,
        budget_count=float(f.error_budget(c.objective, np.array([tot_w]))[0]),
        coverage=float(f.coverage(np.array([miss]), end - start)[0]),
        window_coverage=float(f.coverage(np.array([miss_w]), end - window_start)[0]),
    )


def event_edges(
    edges: np.ndarray,
    start: float,
    end: float,
    keep: Sequence[float] = (),
    bin_s: float = EVENT_BIN_S,
) -> np.ndarray:
    """The event bins' edges: the grid's edges in [start, end] that lie a whole ``bin_s`` before
    `end` (or, on a grid without them, on a whole multiple of ``bin_s``), plus `start`, `end`
    and any of `keep` (about an hour each where the grid is finer; a coarser grid's bins as
    they are)."""
    tol = EDGE_TOLERANCE_S
    inside = edges[(edges >= start - tol) & (edges <= end + tol)]
    back = (end - inside) / bin_s
    on_step = np.abs(back - np.round(back)) < 1e-6
    whole = inside / bin_s
    on_epoch = np.abs(whole - np.round(whole)) < 1e-6
    if int(on_epoch.sum()) > int(on_step.sum()):
        # an epoch-aligned grid ending inside an hour (a report period's end in a zone whose
        # offset is not whole hours): its whole hours
        on_step = on_epoch
    extra = np.isin(np.round(inside, 3), np.round(np.array((start, end, *keep), dtype=float), 3))
    return inside[on_step | extra]


def events_of(
    c: Cumulative,
    start: float,
    end: float,
    window_start: float,
    threshold: float = 1.0,
    bin_s: float = EVENT_BIN_S,
) -> tuple[BurnEvent, ...]:
    """The burn events of one SLO in the period [start, end), most budget first (see
    :func:`burn_events` for the definition)."""
    t = event_edges(c.edges, start, end, (), bin_s)
    idx = edge_index(c.edges, t)
    bad = np.diff(c.bad[idx])
    burn = _burn(c, bad, np.diff(c.total[idx]))
    budget = float(f.error_budget(c.objective, np.array([c.sums(window_start, end)[1]]))[0])
    per_event = minutes_per_event(c, window_start, end)
    with np.errstate(invalid="ignore"):
        hot = np.concatenate([[False], burn >= threshold, [False]])
    step = np.diff(hot.astype(np.int8))
    out: list[BurnEvent] = []
    for i, stop in zip(np.flatnonzero(step == 1), np.flatnonzero(step == -1), strict=True):
        spent = float(bad[i:stop].sum())
        out.append(
            BurnEvent(
                start=float(t[i]),
                end=float(t[stop]),
                peak_burn_rate=float(np.max(burn[i:stop])),
                consumed=spent / budget if budget > 0 else float("nan"),
                consumed_count=spent,
                consumed_minutes=spent * per_event,
                clipped_start=bool(i == 0),
                clipped_end=bool(stop == burn.size),
            )
        )
    # most budget first; ties (and NaN shares) by start so the order is deterministic
    out.sort(key=lambda e: (-(e.consumed if e.consumed == e.consumed else -1.0), e.start))
    return tuple(out)


def burn_events(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    objective: np.ndarray | float,
    window_start: np.ndarray | float,
    period_start: float,
    period_end: float,
    threshold: float = 1.0,
    bin_s: float = EVENT_BIN_S,
) -> list[tuple[BurnEvent, ...]]:
    """Per SLO (row), its burn events in the period [period_start, period_end).

    THE definition (docs/design.md §2). The period is cut into *event bins*: the grid's bins
    merged into steps of ``bin_s`` counted back from ``period_end`` (coarser grid bins stay as
    they are; the first bin may be shorter). A burn event is a maximal run of consecutive event
    bins each burning at ``burn = (bad ÷ total) ÷ (1 − objective) ≥ threshold`` (the alerts'
    comparison; a bin without traffic never burns). ``start``/``end`` are the run's outer
    edges, ``peak_burn_rate`` its hottest bin, ``consumed_count`` its bad events and
    ``consumed = consumed_count ÷ error_budget`` of the SLO window [window_start,
    period_end) — the period's own denominator. ``clipped_start``/``clipped_end``: the run
    touches the period's start/end.

    Reconciliation: events are disjoint and inside the period, so Σ consumed_count ≤ the
    period's bad events (and Σ consumed ≤ the period's consumed), with equality exactly when
    every event bin of the period holding a bad event burns at ≥ the threshold.

    Hourly bins of 100 events at 99 %, 30 bad in hour 2 and 2 in hour 4; the 6 h window's budget
    is 0.01 × 600 = 6 events; hour 2 burns 30, hour 4 burns 2:

    >>> edges = np.arange(0, 6 * 3600 + 1, 3600.0)
    >>> total = np.full((1, 6), 100.0); good = total.copy(); good[0, 1] = 70; good[0, 3] = 98
    >>> [(a, b)] = burn_events(edges, good, total, objective=0.99, window_start=0.0,
    ...                        period_start=0.0, period_end=6 * 3600.0)
    >>> a.start, a.end, round(a.peak_burn_rate, 12), a.consumed_count, round(a.consumed, 12)
    (3600.0, 7200.0, 30.0, 30.0, 5.0)
    >>> b.start, b.end, b.consumed_count, round(b.consumed, 12)
    (10800.0, 14400.0, 2.0, 0.333333333333)
    """
    edges, good, total = check_grid(edges, good, total)
    n_slo = total.shape[0]
    obj = np.broadcast_to(np.asarray(objective, dtype=float), (n_slo,))
    starts = np.broadcast_to(np.asarray(window_start, dtype=float), (n_slo,))
    return [
        events_of(
            cumulative(edges, good[i], total[i], float(obj[i])),
            period_start,
            period_end,
            float(starts[i]),
            threshold,
            bin_s,
        )
        for i in range(n_slo)
    ]


def burn_down(
    c: Cumulative, start: float, end: float, window_start: float, keep: Sequence[float] = ()
) -> BurnDown:
    """Burn-down and burn-rate series over [start, end] on the event bins (plus `keep` edges).

    ``remaining(t) = 1 − bad[window_start, t) ÷ error_budget(SLO window at end)``: 1 at the
    window's start, the period-end remaining at `end`, NaN before the window; ``burn_rate`` of
    the event bin ending at each point (NaN at the first point and without traffic).
    """
    t = event_edges(c.edges, start, end, (window_start, *keep))
    idx = edge_index(c.edges, t)
    j0 = c.at(window_start)
    tot_w = float(c.total[c.at(end)] - c.total[j0])
    spent = c.bad[idx] - c.bad[j0]
    remaining = f.remaining(_burn(c, spent, np.full(t.shape, tot_w)))
    remaining = np.where(t >= window_start - EDGE_TOLERANCE_S, remaining, np.nan)
    burn = np.concatenate([[np.nan], _burn(c, np.diff(c.bad[idx]), np.diff(c.total[idx]))])
    return BurnDown(
        times=tuple(float(x) for x in t),
        remaining=tuple(float(x) for x in remaining),
        burn_rate=tuple(float(x) for x in burn),
        window_start=window_start,
    )


def trend(current: PeriodFigures, previous: PeriodFigures) -> str:
    """better / worse / same (within SAME_WITHIN of the budget) / unknown.

    >>> p = PeriodFigures(0, 1, 9, 10, .9, 0.2, 1, 1, 1, 0.8, 5, 1, 1)
    >>> trend(p, p), trend(p, PeriodFigures(0, 1, 8, 10, .8, 0.4, 2, 2, 1, 0.6, 5, 1, 1))
    ('same', 'better')
    """
    c, p = current.consumed, previous.consumed
    if not (np.isfinite(c) and np.isfinite(p)) or current.total <= 0 or previous.total <= 0:
        return "unknown"
    if abs(c - p) < SAME_WITHIN:
        return "same"
    return "better" if c < p else "worse"


@dataclass(frozen=True)
class PeriodReport:
    """Everything `slo report` shows for one SLO, but its status (``evaluate``'s)."""

    current: PeriodFigures
    previous: PeriodFigures
    trend: str
    events: tuple[BurnEvent, ...]
    burn_down: BurnDown


def period_report(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    objective: float,
    period: tuple[float, float],
    previous: tuple[float, float],
    window: tuple[float, float],
    previous_window: tuple[float, float],
    threshold: float = 1.0,
) -> PeriodReport:
    """One SLO's figures for the period and the previous one, its burn events and burn-down.

    ``period``/``previous`` are (start, end); ``window``/``previous_window`` the SLO window at
    each period's end as (start, budgeted seconds).
    """
    c = cumulative(edges, good, total, objective)
    (start, end), (ws, window_s) = period, window
    current = period_figures(c, start, end, ws, window_s)
    before = period_figures(c, previous[0], previous[1], *previous_window)
    return PeriodReport(
        current=current,
        previous=before,
        trend=trend(current, before),
        events=events_of(c, start, end, ws, threshold),
        burn_down=burn_down(c, min(ws, start), end, ws, (start,)),
    )
