"""Specs + a source + an explicit instant -> results (docs/design.md §4).

The flow: `slo_cli.plan` gives one bin grid per group of SLOs that share a window start and
alert rules; the source is asked for counts on those grids (one `fetch` call, so it can run
queries concurrently and report progress); each group's count matrix goes to the vectorised
engine, and its rows become `SLOResult`s carrying their units and thresholds.

The clock is never read here: `at` comes from the command line (or from a recorded snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli import nodata
from slo_cli.composites import composite_results
from slo_cli.plan import Planned, check_needs, expand_groups, plan, requests
from slo_cli.results import (
    MIN_COVERAGE,
    STATUSES,
    WARN_REMAINING,
    Evaluation,
    Gate,
    Since,
    SLOError,
    SLOResult,
)

if TYPE_CHECKING:
    from slo_cli.sources.model import SeriesCounts, Source
    from slo_specs.model import SLO, ServiceSpec


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
    since: float | None = None,
    detail: bool = False,
) -> Evaluation:
    """Evaluate every SLO of `specs` at `at` (default `now`; epoch seconds, UTC); with `since`
    (before `at`'s whole minute), also each SLO's figures from that instant's whole minute.

    `min_coverage` (a ratio, `--min-coverage`) replaces every SLO's own `min_coverage`; None:
    each SLO's, else the default (slo_cli.nodata.min_coverage).

    Raises what the source raises for the whole run (SourceError, exit 3: unreachable, auth, …).
    An SLO whose own queries failed comes back with status ERROR (and `error`), SLOs without
    data with status NO_DATA; deciding what that means is the gate's job.
    """
    when = now if at is None else at
    needs = check_needs(when, since, details=detail)
    start = needs.edges[0] if since is not None else None
    planned = plan(specs, needs)
    if not planned:
        return Evaluation(at=when, slos=(), since=start)
    counts = source.fetch(requests(planned), progress)
    if len(counts) != len(planned):
        raise RuntimeError(f"source returned {len(counts)} answers for {len(planned)} requests")
    planned, counts = expand_groups(planned, counts)
    results = run_engine(planned, counts, min_coverage, since=start, detail=detail)
    cover = MIN_COVERAGE if min_coverage is None else min_coverage  # composites: no spec value
    results += composite_results(specs, planned, counts, results, cover, since=start, detail=detail)
    return Evaluation(at=when, slos=tuple(results), since=start)


def run_engine(
    planned: Sequence[Planned],
    counts: Sequence[SeriesCounts],
    min_coverage: float | None = None,
    *,
    since: float | None = None,
    detail: bool = False,
) -> list[SLOResult]:
    """Group SLOs by grid, alert rules, measurement and minimum coverage, run the engine once
    per group, keep spec order. `slo report` runs this too, so its status is what `slo check`
    would say. With `since` (a bin edge of every grid), each result carries its figures since
    then; with `detail`, its hourly burn rates and its trace (`slo check --details`,
    `--explain`). `min_coverage`: as `evaluate`'s."""
    from slo_cli import adjust, engine

    groups: dict[tuple[int, Any, bool, float | None, float], list[int]] = {}
    results: list[SLOResult | None] = [None] * len(planned)
    minimum = [nodata.min_coverage(p.slo, min_coverage) for p in planned]
    for i, p in enumerate(planned):
        if counts[i].error is not None:  # this SLO's own queries failed: an ERROR row
            results[i] = error_result(p, counts[i].error, minimum[i])
            continue
        m = p.measurement
        key = (id(p.edges), p.rules, m.ratio_timeslices, m.slice_s, minimum[i][0])
        groups.setdefault(key, []).append(i)
    for (_, rules, ratio_ts, slice_s, min_cov), idx in groups.items():
        edges = planned[idx[0]].edges
        good = np.vstack([_on_grid(counts[i].good, edges) for i in idx])
        total = np.vstack([_on_grid(counts[i].total, edges) for i in idx])
        if ratio_ts:  # counted in good-seconds of seconds with traffic
            good, total = engine.ratio_timeslice_counts(edges, good, total, slice_s=slice_s)
        matrix = adjust.apply([planned[i].adjustments for i in idx], edges, good, total)
        good, total = matrix.good, matrix.total
        policy = engine.Policy(min_coverage=min_cov, warn_remaining=WARN_REMAINING)
        if rules is not None:
            policy = replace(policy, rules=rules)
        res = engine.evaluate(
            edges,
            good,
            total,
            end=planned[idx[0]].end,
            objective=np.array([planned[i].slo.objective for i in idx], dtype=float),
            window_start=np.array([planned[i].window.start for i in idx], dtype=float),
            window_s=np.array([planned[i].window.seconds for i in idx], dtype=float),
            policy=policy,
        )
        scoped = None
        if since is not None:
            scoped = engine.since_figures(
                edges,
                good,
                total,
                since=since,
                end=planned[idx[0]].end,
                window_start=np.array([planned[i].window.start for i in idx], dtype=float),
                objective=np.array([planned[i].slo.objective for i in idx], dtype=float),
            )
        hourly = _hourly(edges, good, total, planned[idx[0]].end, planned, idx) if detail else None
        for row, i in enumerate(idx):
            result = _result(planned[i], counts[i], res, row, minimum[i])
            if matrix.any:
                result = adjusted(result, planned[i], edges, matrix, row)
            if scoped is not None and since is not None:
                result = replace(result, since=_since(scoped, row, since, planned[i].end))
            if hourly is not None:
                result = _detailed(result, planned[i], counts[i], res, row, hourly[row])
            results[i] = result
    return [r for r in results if r is not None]


def adjusted(result: SLOResult, p: Planned, edges: np.ndarray, matrix: Any, row: int) -> SLOResult:
    """The result with what its budget adjustments took out of its SLO window; approximate
    (with the reason) when an adjustment edge was not a bin edge."""
    from slo_cli import adjust

    figures = adjust.figures(
        p.adjustments,
        edges,
        matrix,
        row,
        start=p.window.start,
        end=p.end,
        budget_start=p.window.start,
        objective=float(p.slo.objective),
    )
    if figures is None:
        return result
    if figures.partial:
        note = adjust.partial_note(p.adjustments)
        return replace(result, adjustments=figures, exact=False, notes=(*result.notes, note))
    return replace(result, adjustments=figures)


def _hourly(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    end: float,
    planned: Sequence[Planned],
    idx: list[int],
) -> np.ndarray:
    """The engine's hourly burn rates over the last 24 h of a group (the sparkline)."""
    from slo_cli import engine

    objective = np.array([planned[i].slo.objective for i in idx], dtype=float)
    return np.asarray(engine.hourly_burn(edges, good, total, end=end, objective=objective))


def _detailed(
    result: SLOResult, p: Planned, counts: SeriesCounts, res: Any, row: int, hourly: np.ndarray
) -> SLOResult:
    from slo_cli.tracing import row_trace

    return replace(
        result, hourly_burn=tuple(float(x) for x in hourly), trace=row_trace(p, counts, res, row)
    )


def _since(s: Any, row: int, start: float, end: float) -> Since:
    return Since(
        start=start,
        end=end,
        good=_f(s.good, row),
        total=_f(s.total, row),
        sli=_f(s.sli, row),
        consumed=_f(s.consumed, row),
        burn_rate=_f(s.burn_rate, row),
        coverage=_f(s.coverage, row),
    )


def _on_grid(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (edges.size - 1,):
        raise RuntimeError(f"source returned {arr.shape} counts for {edges.size - 1} bins")
    return arr


def _f(array: Any, row: int) -> float:
    return float(np.asarray(array)[row])


def _identity(p: Planned) -> dict[str, Any]:
    """The fields naming an SLO and how it is measured: the same in a result and an error row."""
    slo = p.slo
    return {
        "service": slo.service,
        "name": slo.name,
        "objective": float(slo.objective),
        "window": p.window.name,
        "window_short": p.window.short,
        "window_s": p.window.seconds,
        "window_start": p.window.start,
        "window_end": p.end,
        "budgeting": slo.budgeting,
        "count_unit": p.measurement.unit,
        "budgeting_note": p.measurement.qualifier,
        "sli_kind": slo.sli.kind,
    }


def _provenance(p: Planned, min_coverage: tuple[float, str]) -> dict[str, Any]:
    """Where the SLO is written, its gate and the thresholds its status was judged by."""
    return {
        "description": p.description,
        "source_path": p.source_path,
        "source_line": getattr(p.slo, "source_line", None),
        "gate": _gate(p.slo),
        "warn_remaining": WARN_REMAINING,
        "min_coverage": min_coverage[0],
        "min_coverage_origin": min_coverage[1],
    }


def _result(
    p: Planned, counts: SeriesCounts, res: Any, row: int, min_coverage: tuple[float, str]
) -> SLOResult:
    status = STATUSES[int(np.asarray(res.status)[row])]
    coverage = {k: _f(v, row) for k, v in res.coverage.items()}
    young = nodata.history(p, counts)
    why: tuple[Any, ...] = ()
    if status == "NO_DATA":
        why = nodata.reasons(
            p,
            counts,
            coverage=coverage,
            total=_f(res.total, row),
            alerts_blind=tuple(res.alerts_blind[row]),
            min_cov=min_coverage[0],
            young=young,
            query=spec_query(p.slo),
        )
    return SLOResult(
        **_identity(p),
        good=_f(res.good, row),
        total=_f(res.total, row),
        sli=_f(res.sli, row),
        allowed_bad=_f(res.allowed_bad, row),
        budget_minutes=_f(res.budget_minutes, row),
        consumed=_f(res.consumed, row),
        remaining=_f(res.remaining, row),
        burn_rates={k: _f(v, row) for k, v in res.burn_rates.items()},
        coverage=coverage,
        page=bool(np.asarray(res.page)[row]),
        ticket=bool(np.asarray(res.ticket)[row]),
        alerts_firing=tuple(res.alerts_firing[row]),
        alerts_blind=tuple(res.alerts_blind[row]),
        time_to_exhaustion_s=_f(res.time_to_exhaustion_s, row),
        status=status,
        data_error=bool(np.asarray(res.data_error)[row]),
        exact=bool(counts.exact),
        notes=tuple(counts.notes),
        **_provenance(p, min_coverage),
        no_data=why,
        history=young,
        absent_bad=absent_bad(p.slo, counts),
    )


def absent_bad(slo: SLO, counts: Any) -> tuple[tuple[str, str], ...]:
    """(selector, note) for each selector of a ratio SLI's `bad` that matched no series while
    the total has data: the notes `counts` carries for them (sources.binsums.zero_notes)."""
    ratio = getattr(slo.sli, "ratio", None)
    missing = tuple(getattr(counts, "unmatched", ()) or ())
    if ratio is None or ratio.bad is None or not missing:
        return ()
    from types import SimpleNamespace

    from slo_cli.sources.binsums import zero_notes

    notes = set(getattr(counts, "notes", ()))
    out = []
    for selector in missing:
        said = zero_notes((selector,), [SimpleNamespace(selector=selector)], "bad", np.zeros(1))
        out += [(selector, n) for n in said if n in notes]
    return tuple(out)


def spec_query(slo: SLO) -> str:
    """The SLO's query text as its spec gives it (not the PromQL generated from it)."""
    sli = slo.sli
    if sli.ratio is not None:
        first = "good" if sli.ratio.good is not None else "bad"
        return f"{first}: {sli.ratio.good or sli.ratio.bad}; total: {sli.ratio.total}"
    if sli.latency is not None:
        lat = sli.latency
        return f"histogram: {lat.histogram}{lat.selector}; threshold: {lat.threshold:g}s"
    if sli.timeslices is not None:
        return sli.timeslices.query
    raw = sli.raw
    assert raw is not None
    parts = {"error_ratio": raw.error_ratio, "good": raw.good, "bad": raw.bad, "total": raw.total}
    return "; ".join(f"{k}: {v}" for k, v in parts.items() if v is not None)


def _message(exc: Any) -> str:
    """The source's message with the server's status, without the hint (kept apart)."""
    parts = [str(getattr(exc, "message", exc))]
    if getattr(exc, "status", None) is not None:
        parts.append(f"HTTP {exc.status}")
    if getattr(exc, "error_type", None):
        parts.append(f"errorType={exc.error_type}")
    return " | ".join(parts)


def slo_error(slo: SLO, exc: Any) -> SLOError:
    """Why an SLO's own queries failed (`exc`, the source's error kept in its counts), with
    the query its spec writes and the line it starts at: what every command shows of it."""
    return SLOError(
        message=_message(exc),
        kind=type(exc).__name__,
        spec_query=spec_query(slo),
        query_sent=getattr(exc, "query", None),
        hint=getattr(exc, "hint", None),
        spec_line=getattr(slo, "source_line", None),
    )


def error_result(p: Planned, exc: Any, min_coverage: tuple[float, str]) -> SLOResult:
    """The row of an SLO whose own queries failed: status ERROR, every number NaN."""
    nan = float("nan")
    error = slo_error(p.slo, exc)
    return SLOResult(
        **_identity(p),
        good=nan,
        total=nan,
        sli=nan,
        allowed_bad=nan,
        budget_minutes=nan,
        consumed=nan,
        remaining=nan,
        burn_rates={},
        coverage={},
        page=False,
        ticket=False,
        alerts_firing=(),
        time_to_exhaustion_s=nan,
        status="ERROR",
        exact=False,
        **_provenance(p, min_coverage),
        error=error,
    )
