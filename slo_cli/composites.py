"""Composite SLOs in the pipeline: their grids in the plan, their results after the engine.

A composite sends no query of its own: its members' counts come from the same fetch. For that
the members of composites that share members (a *cluster*) are planned on one grid holding
every window start any of them needs (`shared_edges`, used by `slo_cli.plan.plan`), so each
composite is evaluated over its own window on the very counts its members were
(`composite_results`, after `slo_cli.evaluate.run_engine`; engine: `slo_cli.engine.composite`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from slo_cli.results import (
    STATUSES,
    WARN_REMAINING,
    CompositeInfo,
    CompositeMember,
    Gate,
    SLOError,
    SLOResult,
)

if TYPE_CHECKING:
    from slo_cli.plan import Needs, Planned, Window
    from slo_cli.sources.model import SeriesCounts
    from slo_specs.model import SLO, Composite, ServiceSpec


def composites_of(specs: Sequence[ServiceSpec]) -> list[Composite]:
    """Every composite of ``specs``, in spec order."""
    return [c for spec in specs for c in spec.composites]


def composite_window(composite: Composite, end: float) -> Window:
    """The composite's window ending at ``end`` (the one window resolver, as for SLOs)."""
    from slo_cli.plan import slo_window

    return slo_window(cast("SLO", composite), end)


def clusters(composites: Sequence[Composite]) -> list[tuple[set[str], list[Composite]]]:
    """Composites sharing a member, merged: (member keys, composites) per cluster."""
    out: list[tuple[set[str], list[Composite]]] = []
    for c in composites:
        keys = set(c.member_keys)
        joined = [cl for cl in out if cl[0] & keys]
        for cl in joined:
            out.remove(cl)
            keys |= cl[0]
        out.append((keys, [x for cl in joined for x in cl[1]] + [c]))
    return out


def shared_edges(
    specs: Sequence[ServiceSpec], needs: Needs
) -> dict[str, tuple[tuple[float, ...], float]]:
    """Per member SLO key: every window start its cluster needs as a bin edge (its members' and
    its composites', at ``needs.end`` and each ``needs.windows_at``), and the cluster's longest
    alert window; empty without composites (then nothing changes)."""
    from slo_cli.plan import alert_rules, burn_window_starts, slo_window

    composites = composites_of(specs)
    if not composites:
        return {}
    slos = {slo.key: slo for spec in specs for slo in spec.slos}
    out: dict[str, tuple[tuple[float, ...], float]] = {}
    for keys, group in clusters(composites):
        things: list[Any] = [slos[k] for k in keys if k in slos] + list(group)
        edges: set[float] = set()
        longest = 0.0
        for thing in things:
            for t in (needs.end, *needs.windows_at):
                edges.add(slo_window(thing, t).start)
            edges.update(burn_window_starts(thing, needs.end))
            longest = max([longest] + [r.long_s for r in alert_rules(thing) or ()])
        for key in keys:
            out[key] = (tuple(sorted(edges)), longest)
    return out


def composite_results(
    specs: Sequence[ServiceSpec],
    planned: Sequence[Planned],
    counts: Sequence[SeriesCounts],
    results: Sequence[SLOResult],
    min_coverage: float,
    *,
    since: float | None = None,
    detail: bool = False,
) -> list[SLOResult]:
    """One result per composite of ``specs`` from its members' counts (``planned``/``counts``
    and their ``results``, parallel lists as `run_engine` got and gave them); with `detail`,
    each with its hourly burn rates and its trace (`--details`, `--explain`)."""
    composites = composites_of(specs)
    if not composites:
        return []
    at = {p.slo.key: i for i, p in enumerate(planned)}
    by_key = {r.key: r for r in results}
    out = []
    for spec in specs:
        for c in spec.composites:
            missing = [k for k in c.member_keys if k not in at or k not in by_key]
            if missing:
                raise RuntimeError(f"composite {c.key}: members not evaluated: {missing}")
            rows = [at[k] for k in c.member_keys]
            members = [by_key[k] for k in c.member_keys]
            failed = [m for m in members if m.error is not None]
            base = _identity(c, spec.source_path, planned[rows[0]], min_coverage)
            if failed:
                out.append(_failed(c, base, members, failed))
                continue
            out.append(
                _evaluated(
                    c,
                    base,
                    [planned[i] for i in rows],
                    [counts[i] for i in rows],
                    members,
                    min_coverage,
                    since,
                    detail,
                )
            )
    return out


def _identity(
    c: Composite, path: str | None, first: Planned, min_coverage: float
) -> dict[str, Any]:
    window = composite_window(c, first.end)
    gate = Gate() if c.gate is None else Gate(c.gate.fail_on, c.gate.min_remaining, "spec")
    return {
        "service": c.service,
        "name": c.name,
        "objective": float(c.objective),
        "window": window.name,
        "window_short": window.short,
        "window_s": window.seconds,
        "window_start": window.start,
        "window_end": first.end,
        "budgeting": first.measurement.budgeting,
        "count_unit": first.measurement.unit,
        "budgeting_note": first.measurement.qualifier,
        "sli_kind": "composite",
        "description": c.description,
        "source_path": path,
        "source_line": c.source_line,
        "gate": gate,
        "warn_remaining": WARN_REMAINING,
        "min_coverage": min_coverage,
    }


def _members(c: Composite, members: Sequence[SLOResult], shares: Any) -> CompositeInfo:
    return CompositeInfo(
        method=c.method,
        members=tuple(
            CompositeMember(
                key=m.key,
                weight=float(w),
                status=m.status,
                objective=m.objective,
                sli=m.sli,
                remaining=m.remaining,
                burn_share=float(shares[i]) if shares is not None else float("nan"),
            )
            for i, (m, w) in enumerate(zip(members, c.weights, strict=True))
        ),
    )


def member_error(c: Composite, failed: Sequence[str]) -> SLOError:
    """Why a composite has no figures: the queries of its members `failed` (keys) failed."""
    return SLOError(
        message=f"member queries failed: {', '.join(failed)}",
        kind="MemberError",
        spec_query=f"composite of {', '.join(c.member_keys)}",
        spec_line=c.source_line,
    )


def _failed(
    c: Composite, base: dict[str, Any], members: Sequence[SLOResult], failed: Sequence[SLOResult]
) -> SLOResult:
    """A composite whose members' queries failed: status ERROR, every number NaN."""
    nan = float("nan")
    error = member_error(c, [m.key for m in failed])
    return SLOResult(
        **base,
        good=nan, total=nan, sli=nan, allowed_bad=nan, budget_minutes=nan, consumed=nan,
        remaining=nan, burn_rates={}, coverage={}, page=False, ticket=False, alerts_firing=(),
        time_to_exhaustion_s=nan, status="ERROR", exact=False, error=error,
        composite=_members(c, members, None),
    )  # fmt: skip


def _evaluated(
    c: Composite,
    base: dict[str, Any],
    planned: Sequence[Planned],
    counts: Sequence[SeriesCounts],
    members: Sequence[SLOResult],
    min_coverage: float,
    since: float | None,
    detail: bool = False,
) -> SLOResult:
    from slo_cli import engine
    from slo_cli.evaluate import _since
    from slo_cli.plan import alert_rules

    edges, good, total = member_counts(c, planned, counts)
    policy = engine.Policy(min_coverage=min_coverage, warn_remaining=WARN_REMAINING)
    rules = alert_rules(cast("SLO", c))
    if rules is not None:
        policy = replace(policy, rules=rules)
    out = engine.evaluate_composite(
        edges,
        good,
        total,
        method=c.method,
        weights=c.weights,
        member_objectives=[p.slo.objective for p in planned],
        end=planned[0].end,
        objective=float(c.objective),
        window_start=base["window_start"],
        window_s=base["window_s"],
        policy=policy,
        since=since,
    )
    res = out.result
    # a member's absent error counter is said on its own row, not again on the composite's
    notes = [
        f"{x.key}: {n}"
        for m, x in zip(members, counts, strict=True)
        for n in x.notes
        if n not in m.quiet_notes
    ]
    if c.method == "weighted_burn":
        notes.append(
            "weighted_burn: good/total are equivalent events (Σ weight × events; bad = burn × "
            "(1 − objective) × total)"
        )
    result = SLOResult(
        **base,
        good=_f(res.good), total=_f(res.total), sli=_f(res.sli),
        allowed_bad=_f(res.allowed_bad), budget_minutes=_f(res.budget_minutes),
        consumed=_f(res.consumed), remaining=_f(res.remaining),
        burn_rates={k: _f(v) for k, v in res.burn_rates.items()},
        coverage={k: _f(v) for k, v in res.coverage.items()},
        page=bool(res.page[0]), ticket=bool(res.ticket[0]),
        alerts_firing=tuple(res.alerts_firing[0]), alerts_blind=tuple(res.alerts_blind[0]),
        time_to_exhaustion_s=_f(res.time_to_exhaustion_s),
        status=STATUSES[int(res.status[0])], data_error=bool(res.data_error[0]),
        exact=all(x.exact for x in counts), notes=tuple(notes),
        composite=_members(c, members, out.shares),
    )  # fmt: skip
    if out.since is not None and since is not None:
        result = replace(result, since=_since(out.since, 0, since, planned[0].end))
    if detail:
        result = _detailed(result, c, planned, (edges, good, total), out, policy.rules)
    return result


def _detailed(
    result: SLOResult,
    c: Composite,
    planned: Sequence[Planned],
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    out: Any,
    rules: Any,
) -> SLOResult:
    """The composite's hourly burn rates (each hour a window of its method) and its trace."""
    from slo_cli import engine
    from slo_cli.tracing import Grid, composite_trace

    edges, good, total = grid
    objectives = [float(p.slo.objective) for p in planned]
    hourly = engine.hourly_composite_burn(
        edges, good, total, method=c.method, weights=c.weights, member_objectives=objectives,
        objective=float(c.objective), end=result.window_end,
    )  # fmt: skip
    where = Grid(edges, result.window_end, result.window, result.window_start, rules)
    keys = [p.slo.key for p in planned]
    t = composite_trace(where, out, keys, c.weights, objectives, c.method)
    return replace(result, hourly_burn=tuple(float(x) for x in hourly), trace=t)


def member_counts(
    c: Composite, planned: Sequence[Planned], counts: Sequence[SeriesCounts]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The members' grid and their counts as the engine takes them ((n_members, n_bins)), as
    for each member's own figures: RatioTimeslices turned into seconds, each member's budget
    adjustments applied (its excluded events are excluded from the composite too). Members on
    grids split at different edges (their adjustments') are summed onto the edges all share
    (a coarse bin is NaN when a part of it has no data); every window start is one of those."""
    from slo_cli import adjust, engine
    from slo_cli.evaluate import _on_grid

    common = planned[0].edges
    for p in planned[1:]:
        common = common[_shared(common, p.edges)]
    good_rows, total_rows = [], []
    for p, x in zip(planned, counts, strict=True):
        g = _on_grid(x.good, p.edges)[None, :]
        t = _on_grid(x.total, p.edges)[None, :]
        if p.measurement.ratio_timeslices:
            g, t = engine.ratio_timeslice_counts(p.edges, g, t, slice_s=p.measurement.slice_s)
        matrix = adjust.apply([p.adjustments], p.edges, g, t)
        good_rows.append(_rebin(matrix.good[0], p.edges, common))
        total_rows.append(_rebin(matrix.total[0], p.edges, common))
    if common.size < 2:
        raise RuntimeError(f"composite {c.key}: its members share no bin edges")
    return common, np.vstack(good_rows), np.vstack(total_rows)


def _shared(common: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Which of ``common`` are edges of ``edges`` too (within 1 ms)."""
    idx = np.clip(np.searchsorted(edges, common - 1e-3), 0, edges.size - 1)
    return np.asarray(np.abs(edges[idx] - common) <= 1e-3)


def _rebin(values: np.ndarray, edges: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Counts on ``edges`` summed into the bins of ``common`` (a subset of ``edges``).

    >>> _rebin(np.array([1.0, 2.0, 3.0, np.nan]), np.array([0.0, 1, 2, 3, 4]),
    ...        np.array([0.0, 2, 4])).tolist()
    [3.0, nan]
    """
    if values.size == common.size - 1:
        return values
    idx = np.searchsorted(edges, common - 1e-3)
    part = values[idx[0] : idx[-1]]
    return np.asarray(np.add.reduceat(part, idx[:-1] - idx[0]))


def _f(array: Any) -> float:
    return float(np.asarray(array)[0])
