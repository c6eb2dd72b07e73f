"""One SLO's row of an engine call as a `Trace` (`slo check --explain`): the engine's own sums,
burn rates, coverages and alert thresholds, picked out, never computed again; the grid's bins
per window; each formula's equation read from `slo_cli.engine.formulas`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.explanation import BinRun, RuleFigures, Trace, WindowFigures

if TYPE_CHECKING:
    from slo_cli.plan import Planned
    from slo_cli.sources.model import SeriesCounts


def equations() -> dict[str, str]:
    """Each figure's equation, as the engine function computing it states it."""
    from slo_cli.engine import core
    from slo_cli.engine import formulas as f

    fns = {
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


def _window(p: Planned, counts: SeriesCounts, name: str, fig: dict[str, Any]) -> WindowFigures:
    start, end = fig["start"], fig["end"]
    refined = tuple(r for r in counts.refined if r[0] >= start - 1e-3 and r[1] <= end + 1e-3)
    return WindowFigures(**fig, bins=bin_runs(p.edges, start, end), refined=refined)


def row_trace(p: Planned, counts: SeriesCounts, res: Any, row: int) -> Trace:
    """Row `row` of the EngineResult `res` (SLO `p`, counted as `counts`) as a Trace."""
    from slo_cli import engine

    names = {float(w): n for n, w in engine.STANDARD_WINDOWS}
    rules = p.rules if p.rules is not None else engine.DEFAULT_ALERT_RULES
    end = p.end
    windows = []
    for length in sorted(res.sums):
        name = names.get(length) or engine.format_window(length)
        fig = _figures(
            name,
            res.sums[length],
            res.window_burn[length],
            res.window_coverage[length],
            row,
            (end - length, end),
        )
        windows.append(_window(p, counts, name, fig))
    spent = res.burn_rates["window"]
    slo_fig = _figures(
        p.window.name, res.slo_sums, spent, res.coverage["window"], row, (p.window.start, end)
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
        for r in rules
    )
    return Trace(
        slo_window=_window(p, counts, p.window.name, slo_fig),
        windows=tuple(windows),
        rules=rule_figs,
        tte_basis=res.tte_basis,
        equations=equations(),
        grid_start=float(p.edges[0]),
        grid_bins=int(p.edges.size - 1),
    )
