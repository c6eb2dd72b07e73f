"""Counting flagged bins again from raw samples, bridging scrape gaps of any length.

A mixin of `slo_cli.sources.fetch.Fetcher` (it needs the fetcher's transport, lookback and range
queries). One raw query per stretch of bins; a series whose first raw sample lies inside a bin
has no earlier sample in that answer, so its baseline — its last sample before, however old
(within `span`) — is found once with a targeted query (`baselines`), and the increase across the
gap is counted at the first sample after it (slo_cli.sources.samples).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from slo_cli.sources import promql, samples
from slo_cli.sources.grid import Segment
from slo_cli.sources.ranges import RangeQueries
from slo_cli.sources.ranges import num as _num

#: series per targeted baseline query (see RawSampleCounts.baselines)
BASELINE_BATCH = 20

Key = tuple[tuple[str, str], ...]
Matchers = tuple[tuple[str, str, str], ...]


class RawSampleCounts(RangeQueries):
    """Exact per-bin counts from raw samples; bridged gaps are collected in `gaps` per part."""

    lookback_s: float
    gaps: dict[str, list[samples.Gap]]
    #: first-sample times of series without a baseline, per request
    births: list[float]

    def _raw_counts(
        self,
        selector: str,
        lows: np.ndarray,
        highs: np.ndarray,
        span: float | None,
        quick: bool = False,
    ) -> list[tuple[samples.RawSeries, np.ndarray, np.ndarray, list[samples.Gap]]]:
        """(series, events, observed, bridged gaps) per series of `selector` in each bin
        (lows[i], highs[i]]: one raw query from `lookback_s` before the first bin, plus the
        baselines of the series that have no sample before their first one here. A bin without
        a sample is observed while the series' last sample is at most `lookback_s` old, or with
        `quick` at most a scrape gap (samples.gap_limit: as the range queries' short lookback)."""
        lo, hi = float(lows[0]), float(highs[-1])
        reach = hi - lo + self.lookback_s
        query = f"{selector}[{promql.dur(reach)}]"
        env = self.t.call("/api/v1/query", {"query": query, "time": _num(hi)}, query)
        found = samples.parse_matrix(env.data, query)
        need = [s for s in found if s.t[0] > lo + 1e-9]
        span = span if span is not None else hi - lo
        bases = self.baselines(selector, need, hi - reach, span) if need else {}
        # a series with nothing before its first sample here (within `span`): the bin holding
        # it depends on how far back was looked (slo_cli.sources.bincache never keeps it)
        self.births.extend(float(s.t[0]) for s in need if s.key not in bases)
        out = []
        for series in found:
            seen_s = samples.gap_limit(series) if quick else self.lookback_s
            events, observed, gaps = samples.bin_counts(
                series, lows, highs, seen_s, bases.get(series.key)
            )
            out.append((series, events, observed, gaps))
        return out

    def samples_counts_of(
        self,
        selector: str,
        parts: dict[str, Matchers],
        lows: np.ndarray,
        highs: np.ndarray,
        span: float | None = None,
        quick: bool = False,
    ) -> dict[str, np.ndarray]:
        """Exact events per bin for each part: the series of `selector` matching the part's
        extra matchers (one query for all parts). NaN where no series can be counted."""
        counted = self._raw_counts(selector, lows, highs, span, quick)
        out: dict[str, np.ndarray] = {}
        for part, matchers in parts.items():
            total = np.zeros(lows.size)
            seen = np.zeros(lows.size, dtype=bool)
            for series, events, observed, gaps in counted:
                if promql.matches(series.labels, matchers):
                    total += events
                    seen |= observed
                    self.gaps.setdefault(part, []).extend(gaps)
            out[part] = np.where(seen, total, np.nan)
        return out

    def samples_counts(self, selector: str, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
        """Exact events per bin of every series of `selector` (see samples_counts_of)."""
        return self.samples_counts_of(selector, {"": ()}, lows, highs)[""]

    def samples_by_series(
        self,
        selector: str,
        lows: np.ndarray,
        highs: np.ndarray,
        group: Callable[[dict[str, str]], Key],
        part: str = "",
        span: float | None = None,
    ) -> dict[Key, np.ndarray]:
        """Exact events per bin per group of series (``group(labels)`` names a series' group)."""
        sums: dict[Key, tuple[np.ndarray, np.ndarray]] = {}
        for series, events, observed, gaps in self._raw_counts(selector, lows, highs, span):
            key = group(series.labels)
            total, seen = sums.setdefault(
                key, (np.zeros(lows.size), np.zeros(lows.size, dtype=bool))
            )
            total += events
            seen |= observed
            self.gaps.setdefault(part, []).extend(gaps)
        return {k: np.where(seen, total, np.nan) for k, (total, seen) in sums.items()}

    def baselines(
        self, selector: str, series: list[samples.RawSeries], before: float, span: float
    ) -> dict[Key, tuple[float, float]]:
        """Each series' last sample (time, value) at or before `before`, looked for at most
        `span` seconds back: one range query of `last_over_time` over just these series
        (hourly or coarser points, so it reads each of their samples once) finds the step
        holding it, then the raw samples of that step give its time and value."""
        step = max(3600.0, math.ceil(span / 1000.0 / 3600.0) * 3600.0)
        n = max(1, math.ceil(span / step))
        seg = Segment(step, before - (n - 1) * step, before, 0, n - 1)
        where: dict[float, list[samples.RawSeries]] = {}
        for i in range(0, len(series), BASELINE_BATCH):
            batch = series[i : i + BASELINE_BATCH]
            parts = {
                f"s{j}": f"last_over_time({samples.exact_selector(s.labels)}[{promql.dur(step)}])"
                for j, s in enumerate(batch)
            }
            got = self.range_parts(promql.union(parts), seg)
            for j, s in enumerate(batch):
                have = np.flatnonzero(~np.isnan(got.get(f"s{j}", np.full(seg.n, np.nan))))
                if have.size:
                    where.setdefault(seg.first_end + int(have[-1]) * step, []).append(s)
        out: dict[Key, tuple[float, float]] = {}
        for at, wanted in sorted(where.items()):
            query = f"{selector}[{promql.dur(step)}]"
            env = self.t.call("/api/v1/query", {"query": query, "time": _num(at)}, query)
            raw = {s.key: s for s in samples.parse_matrix(env.data, query)}
            for s in wanted:
                r = raw.get(s.key)
                if r is None:
                    continue
                earlier = np.flatnonzero(r.t <= before + 1e-9)
                if earlier.size:
                    k = int(earlier[-1])
                    out[s.key] = (float(r.t[k]), float(r.v[k]))
        return out
