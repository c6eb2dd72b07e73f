"""The report's data: frozen, plain numbers, unrounded; ratios are fractions (0.999).

A `Report` holds one `SLOReport` per SLO (spec order) and a `Summary`. Rendering never derives a
number that is not here (docs/design.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from slo_cli.engine.records import BurnDown, BurnEvent, PeriodFigures
from slo_cli.report.period import Period

#: the burn-down and burn-rate series of one SLO (computed by the engine)
Chart = BurnDown

__all__ = ["BurnEvent", "Chart", "PeriodFigures", "Report", "SLOReport", "Summary"]


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
