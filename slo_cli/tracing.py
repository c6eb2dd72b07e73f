"""One SLO's row of an engine call as a `Trace` (`slo check --explain`): the engine's own sums,
burn rates, coverages and alert thresholds, picked out, never computed again; the grid's bins
per window; each formula's equation read from `slo_cli.engine.formulas`. A composite's trace
also holds, per window, what it read of each member (the engine's `MemberInputs`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.explanation import BinRun, MemberFigures, RuleFigures, Trace, WindowFigures

if TYPE_CHECKING:
    from slo_cli.plan import Planned
    from slo_cli.sources.model import SeriesCounts


def equations(method: str | None = None) -> dict[str, str]:
    """Each figure's equation, as the engine function computing it states it; for a
    composite's `method` also how its counts or burn come from its members'."""
    from slo_cli.engine import core
    from slo_cli.engine import formulas as f

    fns: dict[str, object] = {
        "sli": f.sli,
        "error_budget": f.error_budget,
        "budget_minutes": f.budget_minutes,
        "burn_rate": f.burn_rate,
        "consumed": f.consumed,
        "remaining": f.remaining,
        "coverage": f.coverage,
        "time_to_exhaustion": f.time_to_exhaustion,
        "threshold": core.rule_thresholds,
        "fires": core.evaluate_alerts,
    }
    if method in ("weighted", "weighted_burn"):
        fns["weighted_events"] = f.weighted_events
    if method == "least_healthy":
        fns["least_healthy"] = f.least_healthy_member
    if method == "weighted_burn":
        fns["weighted_burn"] = f.weighted_burn_rate
        fns["equivalent_bad"] = f.equivalent_bad
    return {name: f.equation(fn) for name, fn in fns.items()}


def bin_runs(edges: np.ndarray, start: float, end: float) -> tuple[BinRun, ...]:
    """The grid's bins inside [start, end], grouped by width (oldest first).

    >>> [(r.width_s, r.count) for r in bin_runs(np.array([0.0, 3600, 7200, 7260, 7320]), 0, 7320)]
    [(3600.0, 2), (60.0, 2)]
    """
    from slo_cli.engine.kernel import edge_index

    lo, hi = (int(i) for i in edge_index(edges, np.array([start, end])))
    inside = edges[lo : hi + 1]
    widths = np.diff(inside)
    runs: list[BinRun] = []
    for k, w in enumerate(widths.tolist()):
        if runs and abs(runs[-1].width_s - w) < 1e-6:
            last = runs[-1]
            runs[-1] = BinRun(last.width_s, last.count + 1, last.start, float(inside[k + 1]))
        else:
            runs.append(BinRun(float(w), 1, float(inside[k]), float(inside[k + 1])))
    return tuple(runs)


def _figures(
    name: str, sums: Any, burn: np.ndarray, cover: np.ndarray, row: int, span: tuple[float, float]
) -> dict[str, Any]:
    total = float(sums.total[row])
    bad = float(sums.bad[row])
    return {
        "name": name,
        "start": span[0],
        "end": span[1],
        "good": total - bad,
        "bad": bad,
        "total": total,
        "missing_s": float(sums.missing_s[row]),
        "span_s": float(sums.span_s[row]),
        "coverage": float(cover[row]),
        "burn_rate": float(burn[row]),
    }


def _window(
    edges: np.ndarray,
    refined: tuple[tuple[float, float, str], ...],
    name: str,
    fig: dict[str, Any],
    members: tuple[MemberFigures, ...] = (),
) -> WindowFigures:
    start, end = fig["start"], fig["end"]
    inside = tuple(r for r in refined if r[0] >= start - 1e-3 and r[1] <= end + 1e-3)
    return WindowFigures(**fig, bins=bin_runs(edges, start, end), refined=inside, members=members)


def row_trace(p: Planned, counts: SeriesCounts, res: Any, row: int) -> Trace:
    """Row `row` of the EngineResult `res` (SLO `p`, counted as `counts`) as a Trace."""
    from slo_cli import engine

    rules = p.rules if p.rules is not None else engine.DEFAULT_ALERT_RULES
    grid = Grid(p.edges, p.end, p.window.name, p.window.start, rules, counts.refined)
    return trace(grid, res, row)


@dataclass(frozen=True)
class Grid:
    """Where a result was evaluated: its bin edges, instant, SLO window (name, start), alert
    rules and the bins counted again from raw samples."""

    edges: np.ndarray
    end: float
    window_name: str
    window_start: float
    rules: Any
    refined: tuple[tuple[float, float, str], ...] = ()


def trace(
    g: Grid,
    res: Any,
    row: int,
    members: Callable[[float | None], tuple[MemberFigures, ...]] | None = None,
    method: str | None = None,
) -> Trace:
    """Row `row` of the EngineResult `res` on `g` as a Trace; `members(length)` (None: the SLO
    window) gives a composite's inputs per window."""
    from slo_cli import engine

    names = {float(w): n for n, w in engine.STANDARD_WINDOWS}

    def of(length: float | None) -> tuple[MemberFigures, ...]:
        return members(length) if members is not None else ()

    windows = []
    for length in sorted(res.sums):
        name = names.get(length) or engine.format_window(length)
        fig = _figures(
            name,
            res.sums[length],
            res.window_burn[length],
            res.window_coverage[length],
            row,
            (g.end - length, g.end),
        )
        windows.append(_window(g.edges, g.refined, name, fig, of(length)))
    spent = res.burn_rates["window"]
    slo_fig = _figures(
        g.window_name, res.slo_sums, spent, res.coverage["window"], row, (g.window_start, g.end)
    )
    fired, blind = set(res.alerts_firing[row]), set(res.alerts_blind[row])
    rule_figs = tuple(
        RuleFigures(
            label=r.label,
            severity=r.severity,
            long_s=float(r.long_s),
            short_s=float(r.short_s),
            budget_share=r.budget_share,
            fixed_burn_rate=r.burn_rate,
            threshold=float(res.thresholds[r.label][row]),
            long_burn=float(res.window_burn[float(r.long_s)][row]),
            short_burn=float(res.window_burn[float(r.short_s)][row]),
            firing=r.label in fired,
            blind=r.label in blind,
        )
        for r in g.rules
    )
    return Trace(
        slo_window=_window(g.edges, g.refined, g.window_name, slo_fig, of(None)),
        windows=tuple(windows),
        rules=rule_figs,
        tte_basis=res.tte_basis,
        equations=equations(method),
        grid_start=float(g.edges[0]),
        grid_bins=int(g.edges.size - 1),
        method=method,
    )


def composite_trace(
    g: Grid,
    out: Any,
    keys: Sequence[str],
    weights: Sequence[float],
    objectives: Sequence[float],
    method: str,
) -> Trace:
    """A composite's Trace from its engine result `out` (engine.CompositeResult): its own
    figures as for any SLO, and per window what it read of each member (`out.inputs`)."""
    inputs = out.inputs

    def members(length: float | None) -> tuple[MemberFigures, ...]:
        s = inputs.sums.slo if length is None else inputs.sums.trailing[length]
        burn = inputs.slo_burn if length is None else inputs.burn[length]
        picked = inputs.picked_slo if length is None else inputs.picked[length]
        return tuple(
            MemberFigures(
                key=key,
                weight=float(weights[i]),
                objective=float(objectives[i]),
                good=float(s.total[i] - s.bad[i]),
                bad=float(s.bad[i]),
                total=float(s.total[i]),
                missing_s=float(s.missing_s[i]),
                burn_rate=float(burn[i]),
                picked=i == picked,
            )
            for i, key in enumerate(keys)
        )

    return trace(g, out.result, 0, members, method)
