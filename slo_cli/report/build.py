"""Specs + a source + a period -> a `Report`.

One fetch per report, planned by `slo_cli.plan` (`report_needs`): every SLO's counts on one bin
grid that has, as edges, the period's and the previous period's bounds and both SLO windows'
starts; 1-minute bins over the last 6 hours and hourly bins before (so the engine can evaluate
every burn-rate window at the period's end, and burn events are exact to the hour). The engine
gives each SLO's status at the period's end (`slo check`'s own engine step) and, from the same
counts, the period figures, burn events and chart series (`slo_cli.engine.period_report`); this
module only assembles them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.plan import Planned, expand_groups, plan, report_needs, requests
from slo_cli.report.composite import composite_reports
from slo_cli.report.model import PeriodFigures, Report, SLOReport, Summary
from slo_cli.report.period import Period
from slo_cli.results import STATUSES, WARN_REMAINING

if TYPE_CHECKING:
    from slo_cli.sources.model import Source
    from slo_specs.model import ServiceSpec

#: below this share of the SLO window with data, the report says the figures are partial
FULL_COVERAGE = 0.99
#: how many top burners the summary names
TOP_BURNERS = 5


def build_report(
    specs: Sequence[ServiceSpec],
    source: Source,
    period: Period,
    *,
    at: float,
    generated_at: float,
    burn_threshold: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
    min_coverage: float | None = None,
) -> Report:
    """Fetch and compute the report for `period` (asked for at `at`, epoch seconds);
    `min_coverage` as `slo_cli.evaluate.evaluate`'s (`--min-coverage`)."""
    from slo_cli.evaluate import run_engine

    planned = plan(specs, report_needs(period))
    counts = source.fetch(requests(planned), progress) if planned else []
    if len(counts) != len(planned):
        raise RuntimeError(f"source returned {len(counts)} answers for {len(planned)} requests")
    planned, counts = expand_groups(planned, counts)
    results = run_engine(planned, counts, min_coverage)
    slos = tuple(
        replace(
            _slo_report(
                p, _quiet(c, r), period, (r.status, r.alert), burn_threshold, _error_notes(r)
            ),
            no_data=r.no_data,
            history=r.history,
            error=r.error,
            source_path=r.source_path,
        )
        for p, c, r in zip(planned, counts, results, strict=True)
    ) + composite_reports(specs, planned, counts, results, period, burn_threshold, _slo_report)
    return Report(
        period=period,
        at=at,
        generated_at=generated_at,
        burn_threshold=burn_threshold,
        slos=slos,
        summary=summarize(slos),
    )


def _quiet(counts: Any, r: Any) -> Any:
    """The counts with the notes people read about this SLO (`SLOResult.shown_notes`): a
    healthy SLO's absent error counter is not a note of the report."""
    if r.status != "OK" or not r.absent_bad:
        return counts
    quiet = set(r.quiet_notes)
    return replace(counts, notes=tuple(n for n in counts.notes if n not in quiet))


def _error_notes(r: Any) -> tuple[str, ...]:
    """An SLO whose own queries failed (status ERROR): where and why, as its report note; one
    without data: why (slo_cli.nodata); a partial one: over how much history."""
    if r.error is not None:
        return (f"source error: {r.error.describe(r.source_path)}",)
    out = tuple(f"no data: {n.message}" for n in r.no_data)
    if r.partial and r.history is not None:
        out += (r.history.message,)
    return out


def _slo_report(
    p: Planned,
    counts: Any,
    period: Period,
    status: tuple[str, str],
    threshold: float,
    notes: tuple[str, ...] = (),
    *,
    transformed: bool = False,
) -> SLOReport:
    """``transformed``: the counts are already the engine's (a composite's)."""
    from slo_cli import adjust, engine

    slo = p.slo
    good = np.asarray(counts.good, dtype=float)
    total = np.asarray(counts.total, dtype=float)
    if p.measurement.ratio_timeslices and not transformed:  # good-seconds of seconds
        good, total = engine.ratio_timeslice_counts(
            p.edges, good, total, slice_s=p.measurement.slice_s
        )
    matrix = adjust.apply([p.adjustments], p.edges, good.reshape(1, -1), total.reshape(1, -1))
    window, (prev_window,) = p.window, p.windows_at
    figures = engine.period_report(
        p.edges,
        matrix.good[0],
        matrix.total[0],
        objective=float(slo.objective),
        period=(period.start, period.end),
        previous=(period.previous_start, period.previous_end),
        window=(window.start, window.seconds),
        previous_window=(prev_window.start, prev_window.seconds),
        threshold=threshold,
    )
    return SLOReport(
        service=slo.service,
        name=slo.name,
        description=slo.description,
        objective=float(slo.objective),
        window=window.name,
        window_s=window.seconds,
        budgeting=slo.budgeting,
        count_unit=p.measurement.unit,
        budget_minutes=float(engine.budget_minutes(slo.objective, window.seconds)),
        status=status[0],
        alert=status[1],
        exact=bool(counts.exact) and not matrix.partial.any(),
        current=figures.current,
        previous=figures.previous,
        trend=figures.trend,
        events=figures.events,
        chart=figures.burn_down,
        notes=notes
        + tuple(counts.notes)
        + _coverage_notes(figures.current, figures.previous)
        + ((adjust.partial_note(p.adjustments),) if matrix.partial.any() else ()),
        **_adjustments(p, matrix, period),
    )


def _adjustments(p: Planned, matrix: Any, period: Period) -> dict[str, Any]:
    """What the SLO's budget adjustments took out of this and the previous period (each over
    its own SLO window's budget)."""
    from slo_cli import adjust

    if not matrix.any:
        return {}
    spans = (
        ("adjustments", period.start, period.end, p.window.start),
        ("previous_adjustments", period.previous_start, period.previous_end,
         p.windows_at[0].start),
    )  # fmt: skip
    out: dict[str, Any] = {
        name: adjust.figures(
            p.adjustments,
            p.edges,
            matrix,
            0,
            start=start,
            end=end,
            budget_start=budget_start,
            objective=float(p.slo.objective),
        )
        for name, start, end, budget_start in spans
    }
    return out


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
        at_risk_below=WARN_REMAINING,
    )
