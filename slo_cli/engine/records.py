"""Frozen results of the period functions (:mod:`slo_cli.engine.periods`): plain floats,
unrounded, ratios as fractions. Standard library only, so the report's model and renderers can
name these types without importing numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

#: burn events (and chart points) are found on bins of this width, counted back from the end
EVENT_BIN_S = 3600.0


@dataclass(frozen=True)
class PeriodFigures:
    """One SLO over one period [start, end).

    good, total      events (slices for timeslice budgeting) in the period.
    sli              good ÷ total over the period; NaN without traffic.
    consumed         bad events in the period ÷ the error budget (events) of the SLO window
                     ending at the period's end: the share of the window's budget this period spent.
    consumed_count   bad events in the period (total − good).
    consumed_minutes bad events of the period as time: consumed_count × minutes_per_event.
    minutes_per_event seconds with data ÷ events of that SLO window, in minutes: the time one
                     event stands for (one minute per 1-minute slice; for a rolling window,
                     consumed_minutes = consumed × window × (1 − objective)).
    remaining        share of the budget left at the period's end (SLO window ending there);
                     negative when overspent.
    window_coverage  seconds with data ÷ seconds of that SLO window.
    coverage         seconds with data ÷ seconds of the period.
    """

    start: float
    end: float
    good: float
    total: float
    sli: float
    consumed: float
    consumed_count: float
    consumed_minutes: float
    minutes_per_event: float
    remaining: float
    budget_count: float
    coverage: float
    window_coverage: float


@dataclass(frozen=True)
class BurnEvent:
    """A burn event: a maximal run of event bins of the period each burning at ≥ the threshold
    (the one definition, see :func:`slo_cli.engine.periods.burn_events`).

    start, end       epoch seconds (bin edges: exact to one bin).
    peak_burn_rate   the highest bin burn rate inside.
    consumed         share of the window's budget spent inside; consumed_count bad events;
                     consumed_minutes their time (× PeriodFigures.minutes_per_event).
    clipped_start    the span reaches back to the period's start (it may have begun before).
    clipped_end      the span runs to the period's end (it may still be going on).
    """

    start: float
    end: float
    peak_burn_rate: float
    consumed: float
    consumed_count: float
    consumed_minutes: float
    clipped_start: bool
    clipped_end: bool

    @property
    def duration_s(self) -> float:
        """end − start in seconds."""
        return self.end - self.start


@dataclass(frozen=True)
class BurnDown:
    """Series for the two charts of one SLO, on the bin edges `times` (epoch seconds).

    remaining[i]  budget left at times[i] counting from the SLO window's start (a burn-down: 1 at
                  the window's start, the period-end remaining at its end); NaN before the window.
    burn_rate[i]  burn rate of the bin ending at times[i] (NaN for i = 0 and bins without traffic).
    window_start  where the burn-down starts.
    """

    times: tuple[float, ...]
    remaining: tuple[float, ...]
    burn_rate: tuple[float, ...]
    window_start: float
