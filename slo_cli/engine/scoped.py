"""Deploy-scoped figures: what happened between one instant (a deploy) and the evaluation
instant (docs/design.md §2, "Since figures"); `slo check --since`.

The stretch [since, end) is one more window for the kernel, so its counts are as exact as the
SLO window's: `since` must be a bin edge (the planner makes it one). Its budget consumed is
measured against the error budget of the SLO window ending at `end` — the denominator of every
other "consumed" — so "the release spent 12 % of the budget" means 12 % of the budget
`slo check` shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slo_cli.engine import formulas as f
from slo_cli.engine.kernel import Sums, check_grid, window_sums


@dataclass(frozen=True)
class SinceFigures:
    """Per SLO (arrays of shape (n_slo,)), over [since, end):

    good, total, bad   counts in the stretch
    sli                good ÷ total (NaN without traffic)
    consumed           bad ÷ the SLO window's error budget (events): the share of the budget
                       the stretch spent
    burn_rate          the stretch's average burn rate, (bad ÷ total) ÷ (1 − objective)
    coverage           seconds with data ÷ seconds in the stretch
    """

    good: np.ndarray
    total: np.ndarray
    bad: np.ndarray
    sli: np.ndarray
    consumed: np.ndarray
    burn_rate: np.ndarray
    coverage: np.ndarray


def since_figures(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    since: float,
    end: float,
    window_start: np.ndarray,
    objective: np.ndarray,
) -> SinceFigures:
    """The figures of [since, end) for every row; `since` and each window start must be bin
    edges, since < end.

    A deploy at 02:00 of an hourly grid: 6 bad of 1,000 events after it, 100,000 events and a
    99.9 % objective over the SLO window (budget 100 bad):

    >>> edges = np.array([0.0, 3600.0, 7200.0, 10800.0])
    >>> good = np.array([[98_994.0, 5.0, 994.0]]); total = np.array([[99_000.0, 0.0, 1_000.0]])
    >>> s = since_figures(edges, good, total, since=7200.0, end=10800.0,
    ...                   window_start=np.array([0.0]), objective=np.array([0.999]))
    >>> s.bad.tolist(), s.consumed.round(9).tolist(), s.burn_rate.round(9).tolist()
    ([6.0], [0.06], [6.0])
    """
    if not since < end:
        raise ValueError(f"since {since!r} is not before end {end!r}")
    edges, good, total = check_grid(edges, good, total)
    objective = np.asarray(objective, dtype=float)
    length = float(end) - float(since)
    sums = window_sums(
        edges,
        good,
        total,
        end=end,
        lengths=[length],
        window_start=np.asarray(window_start, dtype=float),
    )
    return stretch_figures(sums.trailing[length], sums.slo.total, objective)


def stretch_figures(part: Sums, window_total: np.ndarray, objective: np.ndarray) -> SinceFigures:
    """The figures of one stretch from its sums and the SLO window's total (the denominator)."""
    return SinceFigures(
        good=part.good,
        total=part.total,
        bad=part.bad,
        sli=f.sli(part.good, part.total),
        consumed=f.consumed(part.bad, window_total, objective),
        burn_rate=f.burn_rate(part.bad, part.total, objective),
        coverage=f.coverage(part.missing_s, part.span_s),
    )
