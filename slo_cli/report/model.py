"""The report's data: frozen, plain numbers, unrounded; ratios are fractions (0.999).

A `Report` holds one `SLOReport` per SLO (spec order) and a `Summary`. Rendering never derives a
number that is not here (docs/design.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from slo_cli.engine.records import BurnDown, BurnEvent, PeriodFigures
from slo_cli.report.incidents import Incident
from slo_cli.report.period import Period
from slo_cli.results import AdjustmentFigures, CompositeInfo, History, NoData, SLOError

#: the burn-down and burn-rate series of one SLO (computed by the engine)
Chart = BurnDown

__all__ = ["BurnEvent", "Chart", "Incident", "PeriodFigures", "Report", "SLOReport", "Summary"]


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
    #: why the status is NO_DATA, as `slo check` says it (slo_cli.nodata)
    no_data: tuple[NoData, ...] = ()
    #: a young SLO's history at the period's end (None when it reaches the window's start)
    history: History | None = None
    #: with `--incidents`: the ids of the incidents overlapping each event (parallel to events)
    event_incidents: tuple[tuple[str, ...], ...] = ()
    #: a composite SLO: its method and members (their own reports are rows of their own)
    composite: CompositeInfo | None = None
    #: what the budget adjustments took out of this / the previous period (None: none applied)
    adjustments: AdjustmentFigures | None = None
    previous_adjustments: AdjustmentFigures | None = None
    #: status ERROR: why (its own queries failed, or a composite's members'), as `slo check`
    #: has it; `source_path` the spec file it is written in (for `file:line` on stderr)
    error: SLOError | None = None
    source_path: str | None = None

    def incident_ids(self, index: int) -> tuple[str, ...]:
        """The incidents linked to `events[index]` (none without `--incidents`)."""
        return self.event_incidents[index] if index < len(self.event_incidents) else ()

    @property
    def unexplained(self) -> tuple[BurnEvent, ...]:
        """Burn events no incident overlaps: postmortem candidates (with `--incidents`)."""
        return tuple(e for i, e in enumerate(self.events) if not self.incident_ids(i))

    @property
    def partial(self) -> bool:
        """Evaluated over a history shorter than the window (never a full-window figure)."""
        return self.history is not None and self.status not in ("NO_DATA", "ERROR")

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
    #: `--incidents FILE`: the incidents read (None: no file given, no links shown)
    incidents: tuple[Incident, ...] | None = None

    def incident(self, incident_id: str) -> Incident:
        """The incident with this id."""
        return next(x for x in self.incidents or () if x.id == incident_id)

    def unexplained(self) -> list[tuple[SLOReport, BurnEvent]]:
        """Burn events no incident overlaps, most budget first (empty without --incidents)."""
        pairs = ((s, e) for s in self.slos for e in s.unexplained)
        return sorted(pairs, key=lambda p: -p[1].consumed)
