"""Grouped SLOs (``group_by``): exact per-bin counts per group of label values.

A grouped counter is counted like any other (prometheus.md, "An exact, server-side method"): per
series, the reset-aware difference of its last values at a bin's end and start; the differences
are then added up per group of ``by`` label values instead of over every series, so
``sum by (host) (increase(x))`` is exact per host. The per-series answers come from
``Fetcher.series_parts`` (one query per segment); bins a series flags (a reset, a new series, a
gap) are counted again from raw samples, per group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from slo_cli.sources.binsums import per_series_sums, runs
from slo_cli.sources.grid import Segment, segments

if TYPE_CHECKING:
    from slo_cli.sources.fetch import Counter, Fetcher

GroupKey = tuple[tuple[str, str], ...]
"""A group's label values, in ``group_by`` order: ``(("request_host", "a"),)``."""
KeyOf = Callable[[dict[str, str]], GroupKey]


@dataclass(frozen=True)
class GroupCounts:
    """Good and total events per bin of one group of a grouped SLO."""

    labels: GroupKey
    good: np.ndarray
    total: np.ndarray


def label_text(labels: GroupKey) -> str:
    """A group as PromQL writes label sets: ``{request_host="a", code="5xx"}``.

    >>> label_text((("request_host", 'a"b'),))
    '{request_host="a\\\\"b"}'
    """
    import json

    return "{" + ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in labels) + "}"


def signed(
    got: Mapping[str, np.ndarray | None], terms: Sequence[tuple[int, Counter]], n: int
) -> np.ndarray:
    """The signed sum of a part's terms over `n` bins; NaN only where no term has data (a term
    with no series counts no events).

    >>> from slo_cli.sources.fetch import Counter
    >>> a, b = Counter("t_0", "a"), Counter("t_1", "b")
    >>> got = {"t_0": np.array([5.0, np.nan]), "t_1": np.array([2.0, np.nan])}
    >>> signed(got, [(1, a), (-1, b)], 2)
    array([ 3., nan])
    """
    present = [(sign, a) for sign, c in terms if (a := got.get(c.part)) is not None]
    if not present:
        return np.full(n, np.nan)
    stack = np.array([sign * a for sign, a in present])
    have = ~np.isnan(stack)
    return np.where(have.any(axis=0), np.where(have, stack, 0.0).sum(axis=0), np.nan)


def sum_groups(groups: Sequence[GroupCounts], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Good and total over every group (NaN where no group has data)."""
    if not groups:
        return np.full(n, np.nan), np.full(n, np.nan)
    good = np.array([g.good for g in groups])
    total = np.array([g.total for g in groups])
    have = ~np.isnan(total)
    any_ = have.any(axis=0)
    return (
        np.where(any_, np.where(have, np.nan_to_num(good), 0.0).sum(axis=0), np.nan),
        np.where(any_, np.where(have, total, 0.0).sum(axis=0), np.nan),
    )


def grouped_counts(
    fetcher: Fetcher, counters: list[Counter], edges: np.ndarray, by: tuple[str, ...]
) -> dict[str, dict[GroupKey, np.ndarray]]:
    """Exact events per bin of each counter per group of `by` labels, on `edges`."""
    from slo_cli.sources import fetch as F

    def key_of(labels: dict[str, str]) -> GroupKey:
        return tuple((name, labels.get(name, "")) for name in by)

    n = edges.size - 1
    out: dict[str, dict[GroupKey, np.ndarray]] = {c.part: {} for c in counters}
    for seg in segments(edges):
        got = _segment(fetcher, counters, seg, F.QUICK_LOOKBACK_S, key_of)
        flagged = sum(int((f > 0).sum()) for per in got.values() for _, f in per.values())
        if flagged > F.MAX_REFINE and fetcher.lookback_s > F.QUICK_LOOKBACK_S:
            got = _segment(fetcher, counters, seg, fetcher.lookback_s, key_of)
        for c in counters:
            for key, (values, flags) in got.get(c.part, {}).items():
                bins = np.flatnonzero(flags > 0)
                if bins.size:
                    _refine(fetcher, c, seg, bins, values, key, by, key_of)
                row = out[c.part].setdefault(key, np.full(n, np.nan))
                row[seg.first : seg.last + 1] = values
    return out


def _segment(
    fetcher: Fetcher, counters: list[Counter], seg: Segment, lookback_s: float, key_of: KeyOf
) -> dict[str, dict[GroupKey, tuple[np.ndarray, np.ndarray]]]:
    """{part: {group: (counts, flagged series)}} over one segment."""

    per = fetcher.series_parts(counters, seg, lookback_s)
    out: dict[str, dict[GroupKey, tuple[np.ndarray, np.ndarray]]] = {}
    for c in counters:
        members: dict[GroupKey, dict[str, dict[GroupKey, np.ndarray]]] = {}
        for prefix in ("a_", "b_", "r_"):
            for series, values in per.get(prefix + c.part, {}).items():
                group = members.setdefault(key_of(dict(series)), {})
                group.setdefault(prefix + c.part, {})[series] = values
        for key, narrowed in members.items():
            got = per_series_sums(narrowed, c.part, seg.n)
            if got is not None:
                out.setdefault(c.part, {})[key] = got
    return out


def _refine(
    fetcher: Fetcher,
    c: Counter,
    seg: Segment,
    bins: np.ndarray,
    values: np.ndarray,
    key: GroupKey,
    by: tuple[str, ...],
    key_of: KeyOf,
) -> None:
    """Count flagged bins of one group again from raw samples (wide bins split first)."""
    from slo_cli.sources import fetch as F

    if seg.step > F.MAX_RAW_SPAN_S:
        for k in bins:
            hi = seg.first_end + k * seg.step
            sub = np.arange(hi - seg.step, hi + 1e-6, F.MAX_RAW_SPAN_S)
            if sub[-1] != hi:
                sub = np.append(sub, hi)
            part = grouped_counts(fetcher, [c], sub, by)[c.part].get(key)
            values[k] = np.nan if part is None or np.all(np.isnan(part)) else np.nansum(part)
        return
    longest = max(1, int(F.MAX_RAW_SPAN_S // seg.step))
    for run in runs(bins, longest):
        first_end = seg.first_end + run[0] * seg.step
        lows = first_end - seg.step + seg.step * (run - run[0])
        got = fetcher.samples_by_series(c.selector, lows, lows + seg.step, key_of, c.part)
        values[run] = got.get(key, np.full(run.size, np.nan))
