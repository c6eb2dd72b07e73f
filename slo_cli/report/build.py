"""Specs + a source + a period -> a `Report`.

One fetch per report: every SLO's counts on one bin grid that has, as edges, the period's and the
previous period's bounds and both SLO windows' starts; 1-minute bins over the last 6 hours and
hourly bins before (so the engine can evaluate every burn-rate window at the period's end, and
burn events are exact to the hour). The engine gives each SLO's status at the period's end;
`compute` gives the period figures, burn events and chart series from the same counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.report import compute
from slo_cli.report.model import PeriodFigures, Report, SLOReport, Summary
from slo_cli.report.period import Period
from slo_cli.results import STATUSES

if TYPE_CHECKING:
    from slo_cli.sources.model import FetchRequest, Source
    from slo_specs.model import SLO, ServiceSpec

#: burn-rate windows the engine evaluates at the period's end reach back this far (3d)
LONGEST_BURN_WINDOW_S = 3 * 86400.0
#: SLOs with less than this share of their budget left are "close to" exhaustion (the engine's
#: WARNING threshold)
WARN_REMAINING = 0.25
#: below this share of the SLO window with data, the report says the figures are partial
FULL_COVERAGE = 0.99
#: how many top burners the summary names
TOP_BURNERS = 5


@dataclass(frozen=True)
class Planned:
    """One SLO in the report plan: its windows at the two period ends and its grid."""

    slo: SLO
    source_path: str | None
    window_label: str
    window_s: float
    window_start: float  # the SLO window at the period's end starts here
    previous_window_start: float  # ... and at the previous period's end
    rules: tuple[Any, ...] | None
    edges: np.ndarray


def _window_at(slo: SLO, end: float) -> tuple[str, float, float]:
    """(label, start, budgeted length) of the SLO window that ends at `end`."""
    from slo_specs.model import CalendarWindow

    w = slo.window
    if isinstance(w, CalendarWindow):
        from slo_cli.engine.calendar import period_bounds

        start, stop = period_bounds(end - 1e-3, w.calendar, w.timezone, w.start)
        return w.label, float(start), float(stop - start)
    return w.label, end - float(w.seconds), float(w.seconds)


def plan(specs: Sequence[ServiceSpec], period: Period) -> list[Planned]:
    """Every SLO of `specs`, in spec order, with the grid its counts are fetched on.

    SLOs needing the same edges share one grid (and so one engine run)."""
    from slo_cli.evaluate import alert_rules
    from slo_cli.sources.grid import plan_grid

    end = period.end
    grids: dict[tuple[float, ...], np.ndarray] = {}
    out: list[Planned] = []
    for spec in specs:
        for slo in spec.slos:
            label, ws, window_s = _window_at(slo, end)
            _, ws_prev, _ = _window_at(slo, period.previous_end)
            rules = alert_rules(slo)
            longest = max([LONGEST_BURN_WINDOW_S] + [r.long_s for r in rules or ()])
            first = min(ws, ws_prev, period.previous_start, end - longest)
            must = (period.start, period.previous_start, ws, ws_prev)
            key = (first, *must)
            if key not in grids:
                grids[key] = plan_grid(end, end - first, must_edges=must, far_step_s=None)
            out.append(
                Planned(slo, spec.source_path, label, window_s, ws, ws_prev, rules, grids[key])
            )
    return out


def requests(planned: Sequence[Planned]) -> list[FetchRequest]:
    """The source requests for a plan: `slo snapshot` can record exactly these."""
    from slo_cli.sources.model import FetchRequest

    return [FetchRequest(key=p.slo.key, slo=p.slo, edges=p.edges) for p in planned]


def build_report(
    specs: Sequence[ServiceSpec],
    source: Source,
    period: Period,
    *,
    at: float,
    generated_at: float,
    burn_threshold: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Fetch and compute the report for `period` (asked for at `at`, epoch seconds)."""
    planned = plan(specs, period)
    counts = source.fetch(requests(planned), progress) if planned else []
    if len(counts) != len(planned):
        raise RuntimeError(f"source returned {len(counts)} answers for {len(planned)} requests")
    from slo_cli.evaluate import expand_groups

    planned, counts = expand_groups(planned, counts)
    statuses = _engine_status(planned, counts, period.end)
    slos = tuple(
        _slo_report(p, c, period, statuses[i], burn_threshold)
        for i, (p, c) in enumerate(zip(planned, counts, strict=True))
    )
    return Report(
        period=period,
        at=at,
        generated_at=generated_at,
        burn_threshold=burn_threshold,
        slos=slos,
        summary=summarize(slos),
    )


def _engine_status(
    planned: Sequence[Planned], counts: Sequence[Any], end: float
) -> list[tuple[str, str]]:
    """(status, alert) per SLO at `end`: `slo check`'s own engine step (slo_cli.evaluate) run on
    the report's grid, so the report's status is what `slo check --at END` would say."""
    from slo_cli.evaluate import Planned as CheckPlanned
    from slo_cli.evaluate import run_engine

    as_check = [
        CheckPlanned(
            slo=p.slo,
            description=p.slo.description,
            source_path=p.source_path,
            window_label=p.window_label,
            window_start=p.window_start,
            window_s=p.window_s,
            end=end,
            rules=p.rules,
            edges=p.edges,
        )
        for p in planned
    ]
    return [(r.status, r.alert) for r in run_engine(as_check, counts, None)]


def _slo_report(
    p: Planned, counts: Any, period: Period, status: tuple[str, str], threshold: float
) -> SLOReport:
    slo = p.slo
    row = compute.make_row(
        p.edges,
        np.asarray(counts.good, dtype=float),
        np.asarray(counts.total, dtype=float),
        slo.objective,
        ratio_timeslices=slo.budgeting == "ratio_timeslices",
    )
    current = compute.figures(row, period.start, period.end, p.window_start, p.window_s)
    _, _, prev_window_s = _window_at(slo, period.previous_end)
    previous = compute.figures(
        row, period.previous_start, period.previous_end, p.previous_window_start, prev_window_s
    )
    budget_minutes = p.window_s * (1.0 - slo.objective) / 60.0
    events = compute.burn_events(
        row, period.start, period.end, current.budget_count, current.minutes_per_event, threshold
    )
    chart = compute.chart(
        row, min(p.window_start, period.start), period.end, p.window_start, (period.start,)
    )
    return SLOReport(
        service=slo.service,
        name=slo.name,
        description=slo.description,
        objective=float(slo.objective),
        window=p.window_label,
        window_s=p.window_s,
        budgeting=slo.budgeting,
        # RatioTimeslices weighs each bin's ratio by its width: the engine counts seconds
        count_unit={"timeslices": "slices", "ratio_timeslices": "seconds"}.get(
            slo.budgeting, "events"
        ),
        budget_minutes=budget_minutes,
        status=status[0],
        alert=status[1],
        exact=bool(counts.exact),
        current=current,
        previous=previous,
        trend=compute.trend(current, previous),
        events=events,
        chart=chart,
        notes=tuple(counts.notes) + _coverage_notes(current, previous),
    )


def _coverage_notes(current: PeriodFigures, previous: PeriodFigures) -> tuple[str, ...]:
    """Say when a figure rests on partial data (some data, but under FULL_COVERAGE)."""
    out = []
    for which, fig in (("this period", current), ("the previous period", previous)):
        cov = fig.window_coverage
        if 0 < cov < FULL_COVERAGE:
            out.append(f"data covers {cov * 100:.0f}% of the SLO window at the end of {which}")
    return tuple(out)


def summarize(slos: Sequence[SLOReport]) -> Summary:
    """SLOs per status, the top burners, and the SLOs out of budget or close to it."""
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for s in slos:
        counts[s.status] += 1
    burning = [s for s in slos if np.isfinite(s.current.consumed) and s.current.consumed > 0]
    burning.sort(key=lambda s: (-s.current.consumed, s.key))
    measured = [s for s in slos if s.status != "NO_DATA" and np.isfinite(s.current.remaining)]
    return Summary(
        status_counts=counts,
        top_burners=tuple(s.key for s in burning[:TOP_BURNERS]),
        exhausted=tuple(s.key for s in measured if s.current.remaining <= 0),
        at_risk=tuple(s.key for s in measured if 0 < s.current.remaining < WARN_REMAINING),
    )
