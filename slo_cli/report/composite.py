"""Composite SLOs in `slo report`: each composite's period figures, burn events and burn-down
from its members' counts (the same fetch; `slo_cli.engine.composite.period_counts`), its status
at the period's end as `slo check` would give it (`slo_cli.composites.composite_results`), and
its members listed (`SLOReport.composite`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from slo_cli.composites import composite_results, composite_window, composites_of, member_counts
from slo_cli.plan import Measurement, Planned, alert_rules
from slo_cli.results import MIN_COVERAGE, SLOResult

if TYPE_CHECKING:
    from slo_cli.report.model import SLOReport
    from slo_cli.report.period import Period
    from slo_cli.sources.model import SeriesCounts
    from slo_specs.model import SLO, Composite, ServiceSpec

#: the SLO report of one SLO-like thing: build._slo_report's signature
SLOReporter = Callable[..., "SLOReport"]


def composite_reports(
    specs: Sequence[ServiceSpec],
    planned: Sequence[Planned],
    counts: Sequence[SeriesCounts],
    results: Sequence[SLOResult],
    period: Period,
    threshold: float,
    slo_report: SLOReporter,
) -> tuple[SLOReport, ...]:
    """One SLOReport per composite of ``specs`` (after its members' in ``planned``)."""
    composites = composites_of(specs)
    if not composites:
        return ()
    statuses = composite_results(specs, planned, counts, results, MIN_COVERAGE)
    at = {p.slo.key: i for i, p in enumerate(planned)}
    out = []
    for c, status in zip(composites, statuses, strict=True):
        rows = [at[k] for k in c.member_keys]
        members = [planned[i] for i in rows]
        edges, counts_c = _counts(c, members, [counts[i] for i in rows], status, period)
        report = slo_report(
            _planned(c, members[0], period, edges),
            counts_c,
            period,
            (status.status, status.alert),
            threshold,
            () if status.error is None else (f"member error: {status.error.message}",),
            transformed=True,
        )
        out.append(
            replace(
                report,
                composite=status.composite,
                error=status.error,
                source_path=status.source_path,
            )
        )
    return tuple(out)


def _planned(c: Composite, first: Planned, period: Period, edges: Any) -> Planned:
    slo = SimpleNamespace(
        service=c.service,
        name=c.name,
        description=c.description,
        objective=float(c.objective),
        budgeting=first.measurement.budgeting,
        key=c.key,
    )
    return Planned(
        slo=cast("SLO", slo),
        source_path=None,
        window=composite_window(c, period.end),
        end=period.end,
        rules=alert_rules(cast("SLO", c)),
        measurement=Measurement(first.measurement.budgeting, first.measurement.unit, None),
        edges=edges,
        windows_at=(composite_window(c, period.previous_end),),
    )


def _counts(
    c: Composite,
    planned: Sequence[Planned],
    counts: Sequence[SeriesCounts],
    status: SLOResult,
    period: Period,
) -> Any:
    from slo_cli.engine.composite import period_counts

    if status.error is not None:
        nan = np.full(planned[0].edges.size - 1, np.nan)
        return planned[0].edges, SimpleNamespace(good=nan, total=nan, exact=False, notes=())
    edges, good, total = member_counts(c, planned, counts)
    g, t, chosen = period_counts(
        edges,
        good,
        total,
        method=c.method,
        weights=c.weights,
        member_objectives=[p.slo.objective for p in planned],
        objective=float(c.objective),
        window_start=composite_window(c, period.end).start,
        end=period.end,
    )
    notes = list(status.notes)
    exact = status.exact
    if chosen is not None:
        notes.append(f"least healthy member at the period's end: {c.member_keys[chosen]}")
    if c.method == "weighted_burn":
        exact = False
        notes.append(
            "weighted_burn: each member's bad events scaled by its budget over the SLO window "
            "at the period's end (this period's consumed and remaining exact; burn events and "
            "the previous period approximate)"
        )
    return edges, SimpleNamespace(good=g[0], total=t[0], exact=exact, notes=tuple(notes))
