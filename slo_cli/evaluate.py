"""Specs + a source + an explicit instant -> results (docs/design.md §4).

The flow: plan one bin grid per group of SLOs that share a window start and alert rules, ask the
source for counts on those grids (one `fetch` call, so the source can run queries concurrently
and report progress), then hand each group's count matrix to the vectorised engine.

The clock is never read here: `at` comes from the command line (or from a recorded snapshot).
`plan` is public so that `slo snapshot` records exactly the queries `slo check` will replay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.results import STATUSES, Evaluation, Gate, SLOResult

if TYPE_CHECKING:
    from slo_cli.sources.model import FetchRequest, SeriesCounts, Source
    from slo_specs.model import SLO, ServiceSpec

#: bin width near the evaluation instant; evaluation instants are floored to it (seconds)
FINE_STEP_S = 60.0
#: the longest standard burn-rate window (3d): its data is always fetched (seconds)
LONGEST_BURN_WINDOW_S = 3 * 86400.0


@dataclass(frozen=True)
class Planned:
    """One SLO's place in the plan: its window and the grid its counts are wanted on.

    `window_start`/`window_s` are what the engine budgets over (for a calendar window, the whole
    period, whose budget is spread over its full length, while data ends at `end`).
    """

    slo: SLO
    description: str
    source_path: str | None
    window_label: str
    window_start: float
    window_s: float
    end: float
    rules: tuple[Any, ...] | None
    edges: np.ndarray


def evaluation_end(at: float) -> float:
    """The instant the grid ends at: `at` floored to the fine step (whole minutes)."""
    return math.floor(at / FINE_STEP_S) * FINE_STEP_S


def _window(slo: SLO, end: float) -> tuple[str, float, float]:
    """(label, start, length in seconds) of the SLO's window evaluated at `end`."""
    from slo_specs.model import CalendarWindow

    w = slo.window
    if isinstance(w, CalendarWindow):
        # the period holding the last instant of data (end itself may be the next period's start)
        from slo_cli.engine.calendar import period_bounds

        start, stop = period_bounds(end - 1e-3, w.calendar, w.timezone)
        return w.calendar, float(start), float(stop - start)
    return w.label, end - w.seconds, float(w.seconds)


def alert_rules(slo: SLO) -> tuple[Any, ...] | None:
    """The SLO's own alert rules as engine AlertRules, or None for the engine's defaults."""
    if slo.alerting is None:
        return None
    from slo_cli.engine import AlertRule

    return tuple(
        AlertRule(
            severity=w.severity,
            long_s=w.long,
            short_s=w.short,
            budget_share=w.budget_consumed,
            burn_rate=w.burn_rate,
        )
        for w in slo.alerting.windows
    )


def plan(specs: Sequence[ServiceSpec], at: float) -> list[Planned]:
    """Every SLO of `specs` with the bin grid its counts are fetched on, in spec order.

    SLOs sharing a window start share one grid (so the engine evaluates them as one matrix).
    The grid covers the SLO window and at least the longest burn-rate or alert window.
    """
    from slo_cli.sources.grid import plan_grid

    end = evaluation_end(at)
    grids: dict[tuple[float, float], np.ndarray] = {}
    out: list[Planned] = []
    for spec in specs:
        for slo in spec.slos:
            label, start, window_s = _window(slo, end)
            rules = alert_rules(slo)
            longest = max([LONGEST_BURN_WINDOW_S] + [r.long_s for r in rules or ()])
            first = min(start, end - longest)
            gkey = (first, start)
            if gkey not in grids:
                grids[gkey] = plan_grid(end, end - first, must_edges=(start,))
            out.append(
                Planned(
                    slo=slo,
                    description=slo.description,
                    source_path=spec.source_path,
                    window_label=label,
                    window_start=start,
                    window_s=window_s,
                    end=end,
                    rules=rules,
                    edges=grids[gkey],
                )
            )
    return out


def requests(planned: Sequence[Planned]) -> list[FetchRequest]:
    """The source requests for a plan (one per SLO, keyed ``service/name``)."""
    from slo_cli.sources.model import FetchRequest

    return [FetchRequest(key=p.slo.key, slo=p.slo, edges=p.edges) for p in planned]


def _gate(slo: SLO) -> Gate:
    if slo.gate is None:
        return Gate()
    return Gate(fail_on=slo.gate.fail_on, min_remaining=slo.gate.min_remaining, origin="spec")


def evaluate(
    specs: Sequence[ServiceSpec],
    source: Source,
    now: float,
    *,
    at: float | None = None,
    min_coverage: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Evaluate every SLO of `specs` at `at` (default `now`; epoch seconds, UTC).

    Raises what the source raises (SourceError, exit 3). SLOs without data come back with
    status NO_DATA; deciding what that means is the gate's job.
    """
    when = now if at is None else at
    planned = plan(specs, when)
    if not planned:
        return Evaluation(at=when, slos=())
    counts = source.fetch(requests(planned), progress)
    if len(counts) != len(planned):
        raise RuntimeError(f"source returned {len(counts)} answers for {len(planned)} requests")
    return Evaluation(at=when, slos=tuple(run_engine(planned, counts, min_coverage)))


def run_engine(
    planned: Sequence[Planned], counts: Sequence[SeriesCounts], min_coverage: float | None
) -> list[SLOResult]:
    """Group SLOs by grid and alert rules, run the engine once per group, keep spec order."""
    from slo_cli import engine

    groups: dict[tuple[int, Any, bool], list[int]] = {}
    for i, p in enumerate(planned):
        ratio_ts = p.slo.budgeting == "ratio_timeslices"
        groups.setdefault((id(p.edges), p.rules, ratio_ts), []).append(i)
    results: list[SLOResult | None] = [None] * len(planned)
    for (_, rules, ratio_ts), idx in groups.items():
        edges = planned[idx[0]].edges
        good = np.vstack([_on_grid(counts[i].good, edges) for i in idx])
        total = np.vstack([_on_grid(counts[i].total, edges) for i in idx])
        if ratio_ts:  # counted in good-seconds of seconds with traffic
            good, total = engine.ratio_timeslice_counts(edges, good, total)
        policy = engine.Policy()
        if rules is not None:
            policy = replace(policy, rules=rules)
        if min_coverage is not None:
            policy = replace(policy, min_coverage=min_coverage)
        res = engine.evaluate(
            edges,
            good,
            total,
            end=planned[idx[0]].end,
            objective=np.array([planned[i].slo.objective for i in idx], dtype=float),
            window_start=np.array([planned[i].window_start for i in idx], dtype=float),
            window_s=np.array([planned[i].window_s for i in idx], dtype=float),
            policy=policy,
        )
        for row, i in enumerate(idx):
            results[i] = _result(planned[i], counts[i], res, row)
    return [r for r in results if r is not None]


def _on_grid(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (edges.size - 1,):
        raise RuntimeError(f"source returned {arr.shape} counts for {edges.size - 1} bins")
    return arr


def _f(array: Any, row: int) -> float:
    return float(np.asarray(array)[row])


def _result(p: Planned, counts: SeriesCounts, res: Any, row: int) -> SLOResult:
    slo = p.slo
    status = STATUSES[int(np.asarray(res.status)[row])]
    return SLOResult(
        service=slo.service,
        name=slo.name,
        objective=float(slo.objective),
        window=p.window_label,
        window_s=p.window_s,
        window_start=p.window_start,
        window_end=p.end,
        budgeting=slo.budgeting,
        sli_kind=slo.sli.kind,
        good=_f(res.good, row),
        total=_f(res.total, row),
        sli=_f(res.sli, row),
        allowed_bad=_f(res.allowed_bad, row),
        budget_minutes=_f(res.budget_minutes, row),
        consumed=_f(res.consumed, row),
        remaining=_f(res.remaining, row),
        burn_rates={k: _f(v, row) for k, v in res.burn_rates.items()},
        coverage={k: _f(v, row) for k, v in res.coverage.items()},
        page=bool(np.asarray(res.page)[row]),
        ticket=bool(np.asarray(res.ticket)[row]),
        alerts_firing=tuple(res.alerts_firing[row]),
        time_to_exhaustion_s=_f(res.time_to_exhaustion_s, row),
        status=status,
        data_error=bool(np.asarray(res.data_error)[row]),
        exact=bool(counts.exact),
        notes=tuple(counts.notes),
        description=p.description,
        source_path=p.source_path,
        gate=_gate(slo),
    )
