"""Budget adjustments between the specs and the engine (docs/design.md §4, "Adjustments").

The planner asks :func:`expand` for each SLO's adjustments (the service's, then the SLO's own,
then those of ``--adjustments FILE``, already attached to the SLO) as UTC intervals over its
grid, and makes their edges bin edges (:func:`edges_of`). Commands then call :func:`apply` on
each engine matrix before the engine runs, so every figure uses the adjusted counts, and
:func:`figures` for what the adjustments took out of a span: events, bad events and the budget
they gave back (the share of the SLO window's budget consumed without them minus with them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from slo_cli.results import AdjustmentFigures, AdjustmentUse

if TYPE_CHECKING:
    from slo_specs.model import SLO, Adjustment, ServiceSpec


@dataclass(frozen=True)
class Applied:
    """One adjustment of an SLO with its intervals [a, b) (epoch seconds) inside the grid."""

    source: Adjustment
    intervals: tuple[tuple[float, float], ...]

    @property
    def reason(self) -> str:
        return self.source.reason


def of(spec: ServiceSpec | None, slo: SLO) -> tuple[Adjustment, ...]:
    """The SLO's adjustments: its service's, then its own (file entries are attached there)."""
    service = tuple(getattr(spec, "adjustments", ()) or ())
    return service + tuple(getattr(slo, "adjustments", ()) or ())


def expand(adjustments: Sequence[Adjustment], lo: float, hi: float) -> tuple[Applied, ...]:
    """Each adjustment with its intervals inside [lo, hi) (none for some: kept, so a command
    that widens the grid can expand them again, see :func:`widen`)."""
    return tuple(Applied(a, tuple(a.intervals(lo, hi))) for a in adjustments)


def widen(applied: Sequence[Applied], edges: np.ndarray) -> tuple[np.ndarray, tuple[Applied, ...]]:
    """A command's own grid (`slo backtest`'s) with the adjustments expanded over it and their
    edges inserted as bin edges (whole minutes, as every edge)."""
    import math

    lo, hi = float(edges[0]), float(edges[-1])
    again = expand([a.source for a in applied], lo, hi)
    extra = [math.floor(t / 60.0) * 60.0 for t in edges_of(again) if lo < t < hi]
    if extra:
        edges = np.unique(np.concatenate([edges, np.array(extra, dtype=float)]))
    return edges, again


def edges_of(applied: Sequence[Applied]) -> tuple[float, ...]:
    """Every interval's start and end: instants that must be bin edges. Grid edges are whole
    minutes, so for an instant inside a minute both ends of that minute are given: only the
    minute holding it is then counted in full (approximate), the rest is excluded exactly."""
    import math

    out: set[float] = set()
    for a in applied:
        for span in a.intervals:
            for t in span:
                out.update((t, math.floor(t / 60.0) * 60.0, math.ceil(t / 60.0) * 60.0))
    return tuple(sorted(out))


def masks(rows: Sequence[Sequence[Applied]], edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(excluded, partial) (n_rows, n_bins): the union of each row's intervals."""
    from slo_cli.engine.adjust import exclusion_mask

    n = edges.size - 1
    excluded = np.zeros((len(rows), n), dtype=bool)
    partial = np.zeros((len(rows), n), dtype=bool)
    for i, applied in enumerate(rows):
        spans = [s for a in applied for s in a.intervals]
        if spans:
            excluded[i], partial[i] = exclusion_mask(edges, spans)
    return excluded, partial


@dataclass(frozen=True)
class Matrix:
    """One engine matrix before and after the adjustments."""

    good: np.ndarray
    total: np.ndarray
    raw_good: np.ndarray
    raw_total: np.ndarray
    excluded: np.ndarray
    partial: np.ndarray

    @property
    def any(self) -> bool:
        return bool(self.excluded.any() or self.partial.any())


def apply(
    rows: Sequence[Sequence[Applied]], edges: np.ndarray, good: np.ndarray, total: np.ndarray
) -> Matrix:
    """The counts with each row's excluded bins set to no events (``engine.adjust.exclude``)."""
    from slo_cli.engine.adjust import exclude

    excluded, partial = masks(rows, edges)
    if not excluded.any():
        return Matrix(good, total, good, total, excluded, partial)
    g, t = exclude(good, total, excluded)
    return Matrix(g, t, good, total, excluded, partial)


def figures(
    applied: Sequence[Applied],
    edges: np.ndarray,
    matrix: Matrix,
    row: int,
    *,
    start: float,
    end: float,
    budget_start: float,
    objective: float,
) -> AdjustmentFigures | None:
    """What the row's adjustments took out of [start, end), or None when none applies there.

    The budget they gave back is the share of the error budget of the SLO window
    [budget_start, end) — the denominator of every "consumed" — that [start, end) consumes
    without them minus what it consumes with them.
    """
    from slo_cli.engine.adjust import excluded_sums, exclusion_mask

    uses = []
    for a in applied:
        spans = tuple((max(x, start), min(y, end)) for x, y in a.intervals if x < end and y > start)
        if not spans:
            continue
        mask, _ = exclusion_mask(edges, spans)
        own = excluded_sums(
            edges, matrix.raw_good[row], matrix.raw_total[row], mask[None, :], start=start, end=end
        )
        src = a.source
        uses.append(
            AdjustmentUse(
                reason=src.reason,
                kind="recurring" if src.recurring else "one-off",
                rule=src.describe(),
                origin=src.origin,
                intervals=spans,
                events=float(own.total[0]),
                bad=float(own.bad[0]),
            )
        )
    if not uses:
        return None
    out = excluded_sums(
        edges,
        matrix.raw_good[row],
        matrix.raw_total[row],
        matrix.excluded[row][None, :],
        start=start,
        end=end,
    )
    bad, events = float(out.bad[0]), float(out.total[0])
    spent = consumed_share(edges, matrix.good[row], matrix.total[row], start, end, budget_start,
                      objective)  # fmt: skip
    before = consumed_share(edges, matrix.raw_good[row], matrix.raw_total[row], start, end,
                       budget_start, objective)  # fmt: skip
    return AdjustmentFigures(
        start=start,
        end=end,
        applied=tuple(uses),
        events=events,
        bad=bad,
        returned=before - spent,
        consumed_without=before,
        unknown_s=float(out.unknown_s[0]),
        partial=bool(matrix.partial[row].any()),
    )


def summed(
    parts: Sequence[AdjustmentFigures], start: float, end: float
) -> AdjustmentFigures | None:
    """The figures of consecutive stretches of [start, end) as one (a calendar replay's
    periods): counts, seconds and budget shares added, each adjustment listed once with its
    intervals and events over all of them; None when there are none."""
    if not parts:
        return None
    if len(parts) == 1:
        return replace(parts[0], start=start, end=end)
    uses: dict[tuple[str, str, str, str], AdjustmentUse] = {}
    for f in parts:
        for u in f.applied:
            key = (u.reason, u.kind, u.rule, u.origin)
            had = uses.get(key)
            uses[key] = (
                u
                if had is None
                else replace(
                    had,
                    intervals=_joined(had.intervals + u.intervals),
                    events=had.events + u.events,
                    bad=had.bad + u.bad,
                )
            )
    return AdjustmentFigures(
        start=start,
        end=end,
        applied=tuple(uses.values()),
        events=sum(f.events for f in parts),
        bad=sum(f.bad for f in parts),
        returned=sum(f.returned for f in parts),
        consumed_without=sum(f.consumed_without for f in parts),
        unknown_s=sum(f.unknown_s for f in parts),
        partial=any(f.partial for f in parts),
    )


def _joined(spans: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """Intervals in order, one cut at a period boundary made whole again."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


def _sums(
    edges: np.ndarray, good: np.ndarray, total: np.ndarray, start: float, end: float
) -> tuple[float, float]:
    """(bad, total) of [start, end) with the kernel's per-bin cleaning (NaN: no events)."""
    lo, hi = edges[:-1], edges[1:]
    span = (lo >= start - 1e-3) & (hi <= end + 1e-3)
    ok = span & ~(np.isnan(good) | np.isnan(total))
    bad = float(np.sum(total[ok] - np.minimum(good[ok], total[ok])))
    return bad, float(np.sum(total[ok]))


def consumed_share(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    start: float,
    end: float,
    budget_start: float,
    objective: float,
) -> float:
    """Bad events of [start, end) ÷ the error budget of [budget_start, end)."""
    from slo_cli.engine.formulas import consumed

    bad, _ = _sums(edges, good, total, start, end)
    _, events = _sums(edges, good, total, budget_start, end)
    value = consumed(np.array([bad]), np.array([events]), np.array([objective]))
    return float(np.asarray(value)[0])


def partial_note(rows: Sequence[Applied]) -> str:
    """The note of an SLO some of whose adjustment edges are not bin edges (approximate)."""
    reasons = ", ".join(sorted({a.reason for a in rows}))
    return (
        f"approximate: an edge of the adjustments ({reasons}) is not a whole minute; the bins "
        "holding such an edge are counted in full"
    )
