"""The report's data: frozen, plain numbers, unrounded; ratios are fractions (0.999).

A `Report` holds one `SLOReport` per SLO (spec order) and a `Summary`. Rendering never derives a
number that is not here (docs/design.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from slo_cli.report.period import Period


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
    """A contiguous span of the period whose burn rate (per bin, ~1 h) stayed ≥ the threshold.

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
class Chart:
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


@dataclass(frozen=True)
class SLOReport:
    """One SLO's report. `status` and `alert` are the engine's, at the period's end.

    trend: "better" (this period spent less budget than the previous one), "worse", "same"
    (within SAME_WITHIN of the window's budget) or "unknown" (a period without traffic).
    """

    service: str
    name: str
    description: str
    objective: float
    window: str
    window_s: float
    budgeting: str
    count_unit: str
    budget_minutes: float
    status: str
    alert: str
    exact: bool
    current: PeriodFigures
    previous: PeriodFigures
    trend: str
    events: tuple[BurnEvent, ...]
    chart: Chart
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``service/name``."""
        return f"{self.service}/{self.name}"

    @property
    def consumed_change(self) -> float:
        """This period's consumed share minus the previous one's (positive = worse)."""
        return self.current.consumed - self.previous.consumed


@dataclass(frozen=True)
class Summary:
    """The report's head: SLOs per status, the top burners, the SLOs out of budget or close.

    top_burners: keys of the SLOs that spent the most budget this period (most first, >0 only).
    exhausted: keys with remaining ≤ 0 at the period's end; at_risk: 0 < remaining <
    `at_risk_below` (the WARNING threshold, slo_cli.results.WARN_REMAINING).
    """

    status_counts: dict[str, int]
    top_burners: tuple[str, ...]
    exhausted: tuple[str, ...]
    at_risk: tuple[str, ...]
    at_risk_below: float


@dataclass(frozen=True)
class Report:
    """A whole report: the period, when it was generated, the SLOs and the summary.

    `at` is the instant the report was asked for (`--at`); `generated_at` is the wall clock of
    the run (or `--generated-at`), shown in the footer only.
    """

    period: Period
    at: float
    generated_at: float
    burn_threshold: float
    slos: tuple[SLOReport, ...]
    summary: Summary
