"""Exact event counts from raw samples, across scrape gaps of any length.

A counter keeps counting while nobody scrapes it: the first sample after a gap holds every event
of the gap. So a series' increase at a sample is its difference from the sample before it,
however old that one is (or the sample's own value when the counter went down: a restart), and
it belongs to the bin holding the later sample. A window that starts inside a gap therefore
includes the whole jump, as the stored samples tell. A series' very first sample is not counted
(nothing before it), as with `increase()`.

Numpy only; the queries are made by slo_cli.sources.fetch.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from slo_cli.sources import errors as E
from slo_cli.sources.shapes import arrays

#: consecutive samples further apart than this (and than GAP_FACTOR × the series' usual
#: interval) are a scrape gap worth a note: the range queries' 5-minute lookback loses the
#: series inside it, so its bins are not observed (coverage shows them)
GAP_MIN_S = 300.0
GAP_FACTOR = 2.5
#: at most this many gaps are named per SLO; the rest are summed up in one more note
MAX_GAP_NOTES = 5


@dataclass(frozen=True)
class RawSeries:
    """One series of a raw-sample (matrix) answer: its labels, times (s) and values."""

    labels: dict[str, str]
    t: np.ndarray
    v: np.ndarray

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.labels.items()))


@dataclass(frozen=True)
class Gap:
    """A bridged scrape gap: last sample before it, first after it, the increase counted there."""

    start: float
    end: float
    events: float


def parse_matrix(data: Any, query: str) -> list[RawSeries]:
    """The series of an instant query of a range selector (`x[1h]`), raw samples in time order."""
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        raise E.BadResponseError("expected a matrix of raw samples", query=query[:300])
    out = []
    for series in data.get("result") or []:
        t, v = arrays(series)
        if not t.size:
            continue
        order = np.argsort(t, kind="stable")
        out.append(RawSeries(dict(series.get("metric") or {}), t[order], v[order]))
    return out


def exact_selector(labels: dict[str, str]) -> str:
    """A selector matching exactly this label set (the metric name included)."""
    body = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return "{" + body + "}"


def bin_counts(
    series: RawSeries,
    lows: np.ndarray,
    highs: np.ndarray,
    lookback_s: float,
    baseline: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Gap]]:
    """(events, observed, bridged gaps) of one series in each bin (lows[i], highs[i]].

    `baseline` is the series' last (time, value) before its first sample here, when one was
    found. Events: reset-aware increases of the samples inside the bin, each from the sample
    before it, however old. Observed: the bin can be counted — it holds two samples, or one
    with a sample before it, or none but a sample within `lookback_s` before its end (so a
    bin wider than the lookback without a sample in it is not observed: coverage shows it).
    """
    t, v = series.t, series.v
    if baseline is not None:
        t = np.concatenate([[baseline[0]], t])
        v = np.concatenate([[baseline[1]], v])
    d = np.diff(v)
    inc = np.concatenate([[0.0], np.where(d >= 0, d, v[1:])])  # the first sample: no event
    # the bin of each sample: the first high at or after it, when its low is before it (exact
    # comparisons, no epsilon: at epoch magnitudes a 1e-9 vanishes, and a sample exactly on an
    # edge belongs to the bin it ends, as in the server-side counts); bins are sorted, disjoint
    at = np.searchsorted(highs, t, side="left")
    inside = at < lows.size
    inside[inside] = t[inside] > lows[at[inside]]
    events = np.bincount(at[inside], weights=inc[inside], minlength=lows.size)
    first = np.searchsorted(t, lows, side="right")  # first sample > low
    stop = np.searchsorted(t, highs, side="right")  # first sample > high
    before = first > 0
    # no sample inside: observed while the last value is still visible at the bin's end
    # (Prometheus' lookback); a longer bin without a sample was not scraped
    last = t[np.maximum(first - 1, 0)]
    seen = np.where(
        first < stop, before | (stop - first >= 2), before & (last >= highs - lookback_s - 1e-9)
    )
    gaps: list[Gap] = []
    if t.size >= 2:
        limit = gap_limit(series)
        for j in np.flatnonzero((np.diff(t) > limit) & inside[1:]) + 1:
            gaps.append(Gap(float(t[j - 1]), float(t[j]), float(inc[j])))
    return events, seen, gaps


def gap_limit(series: RawSeries) -> float:
    """Consecutive samples further apart than this are a scrape gap: GAP_MIN_S, or GAP_FACTOR
    times the series' usual interval (from this answer's own samples, not from a baseline
    found further back; unknown with a single sample)."""
    usual = median(np.diff(series.t)) if series.t.size >= 2 else 0.0
    return max(GAP_MIN_S, GAP_FACTOR * usual)


def median(x: np.ndarray) -> float:
    """``float(np.median(x))`` of a non-empty 1-d array, without np.median's overhead (a tenth
    of its time on a few hundred values): the middle value, or the mean of the two middle ones.

    >>> median(np.array([3.0, 1.0, 2.0])), median(np.array([4.0, 1.0, 2.0, 3.0]))
    (2.0, 2.5)
    """
    if np.isnan(x).any():
        return float(np.median(x))
    k = x.size // 2
    if x.size % 2:
        return float(np.partition(x, k)[k])
    part = np.partition(x, (k - 1, k))
    return float((part[k - 1] + part[k]) / 2)


def _count(n: float) -> str:
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.6g}"


def _when(t: float, fmt: str) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime(fmt)


def gap_note(start: float, end: float, events: float) -> str:
    """'scrape gap 2025-12-31 17:55–20:29 UTC bridged: 1,234 events attributed to 20:29'
    (times of the last sample before the gap and the first after it, to the minute)."""
    same_day = _when(start, "%Y-%m-%d") == _when(end, "%Y-%m-%d")
    fmt_end = "%H:%M" if same_day else "%Y-%m-%d %H:%M"
    return (
        f"scrape gap {_when(start, '%Y-%m-%d %H:%M')}–{_when(end, fmt_end)} UTC bridged: "
        f"{_count(events)} events attributed to {_when(end, fmt_end)}"
    )


def gap_notes(gaps: list[Gap]) -> tuple[str, ...]:
    """One note per gap (series with the same gap, to the minute, summed), oldest first."""
    merged: dict[tuple[str, str], list[float]] = {}
    for g in sorted(gaps, key=lambda g: (g.end, g.start)):
        key = (_when(g.start, "%Y%m%d%H%M"), _when(g.end, "%Y%m%d%H%M"))
        if key in merged:
            merged[key][2] += g.events
        else:
            merged[key] = [g.start, g.end, g.events]
    rows = list(merged.values())
    notes = [gap_note(a, b, n) for a, b, n in rows[:MAX_GAP_NOTES]]
    if len(rows) > MAX_GAP_NOTES:
        rest = rows[MAX_GAP_NOTES:]
        notes.append(
            f"{len(rest)} more scrape gaps bridged: {_count(sum(r[2] for r in rest))} events"
        )
    return tuple(notes)
