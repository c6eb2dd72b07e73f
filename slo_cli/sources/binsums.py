"""Counting over bins: grouping flagged bins into queries, summing per-series answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def stretches(bins: np.ndarray, longest: int) -> list[np.ndarray]:
    """Sorted bin indices grouped into stretches spanning at most `longest` bins (holes
    allowed: counting the bins between from raw samples is exact too, and one query)."""
    out: list[list[int]] = []
    for k in bins.tolist():
        if out and k - out[-1][0] < longest:
            out[-1].append(k)
        else:
            out.append([k])
    return [np.array(run) for run in out]


def runs(bins: np.ndarray, longest: int) -> list[np.ndarray]:
    """Sorted bin indices grouped into runs of consecutive bins, each at most `longest` long."""
    out: list[np.ndarray] = []
    for run in np.split(bins, np.flatnonzero(np.diff(bins) > 1) + 1):
        out.extend(run[i : i + longest] for i in range(0, run.size, longest) if run.size)
    return out


def per_series_sums(
    per: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]], part: str, n: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(exact counts, flagged series) per bin from the series of one counter part (of
    Fetcher.series_parts, possibly narrowed to one group's series); None without series."""
    a_map, b_map, r_map = (per.get(p + part, {}) for p in ("a_", "b_", "r_"))
    keys = sorted(set(a_map) | set(b_map) | set(r_map))
    if not keys:
        return None
    nan = np.full(n, np.nan)
    a = np.array([a_map.get(k, nan) for k in keys])
    b = np.array([b_map.get(k, nan) for k in keys])
    r = np.array([r_map.get(k, nan) for k in keys])
    both = ~np.isnan(a) & ~np.isnan(b)
    term = np.where(a >= b, a - b, a)
    counted = np.where(both, term, 0.0).sum(axis=0)
    flag = (r > 0) | (~np.isnan(r) & ~both)  # NaN > 0 is False, as NaN-to-0 would say
    return np.where(both.any(axis=0), counted, np.nan), flag.sum(axis=0).astype(float)


def zero_where_total(sub: np.ndarray, total: np.ndarray) -> np.ndarray:
    """A sub-counter (bad, good, a bucket) without series where the total has data counts
    zero events: client libraries create a labelled series on its first event, so an error
    counter that never fired has no series at all."""
    return np.where(np.isnan(sub) & ~np.isnan(total), 0.0, sub)


def unmatched(got: dict[str, np.ndarray], counters: Sequence[Any]) -> tuple[str, ...]:
    """The selectors of the counters (``.part``, ``.selector``) without one bin of data over
    the whole grid, the total's first: without it nothing of the SLO is there."""
    empty = [c for c in counters if np.isnan(got[c.part]).all()]
    empty.sort(key=lambda c: not c.part.startswith("total"))
    return tuple(c.selector for c in empty)


def zero_notes(
    missing: Sequence[str], numerator: Sequence[Any], part: str, total: np.ndarray
) -> tuple[str, ...]:
    """Notes for the numerator's selectors that matched nothing while the total has data:
    counted as 0, said so (it may be a misspelt selector)."""
    if np.isnan(total).all():
        return ()
    return tuple(
        f"no series matched {c.selector} over the queried range: counted as 0 {part} events"
        for c in numerator
        if c.selector in missing
    )
