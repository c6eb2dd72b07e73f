"""Query planning and answer parsing per SLI kind, over any Transport (live or replayed).

Per SLO and per run of equal-width bins (see grid.segments), one range query returns every part
it needs at once (good and total counts and their "needs refinement" flags, tagged with a
`__slo_part` label), chunked under the engine's points limit and split further when the server
says a limit was hit or the query timed out. Flagged bins (a counter reset, a new series) are
counted again from raw samples, so every bin is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from slo_cli.sources import errors as E
from slo_cli.sources import promql, samples
from slo_cli.sources.bincache import BinCache, CachedCounts
from slo_cli.sources.binsums import unmatched as _unmatched
from slo_cli.sources.binsums import zero_notes, zero_where_total
from slo_cli.sources.counters import (  # noqa: F401 - re-exported for the other modules
    LOOKBACK_S,
    MAX_RAW_SPAN_S,
    MAX_REFINE,
    QUICK_LOOKBACK_S,
    Counter,
    CounterCounts,
)
from slo_cli.sources.grid import Segment, segments
from slo_cli.sources.groups import GroupCounts
from slo_cli.sources.groups import signed as _signed
from slo_cli.sources.groups import sum_groups as _sum_groups
from slo_cli.sources.http import Transport
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.ranges import num as _num
from slo_specs.promql_forms import selector_terms

#: shortest {{window}} a raw template is evaluated over (seconds): rate()/increase() need two
#: samples inside it, so it must exceed the scrape interval (5m covers scrapes up to ~2.5m)
RAW_MIN_WINDOW_S = 300.0

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}


class Fetcher(CachedCounts):
    """Turns one FetchRequest into SeriesCounts using `transport` for every call."""

    def __init__(
        self,
        transport: Transport,
        *,
        max_points: int = 11_000,
        lookback_s: float = LOOKBACK_S,
        engine: str = "prometheus",
        cache: BinCache | None = None,
    ) -> None:
        self.t = transport
        self.max_points = max_points
        self.lookback_s = lookback_s
        self.engine = engine
        #: bridged scrape gaps per counter part, collected while counting one request
        self.gaps: dict[str, list[samples.Gap]] = {}
        #: (start, end, counter part) of each bin counted again from raw samples, per request
        self.refined: list[tuple[float, float, str]] = []
        #: segments counted again with the long lookback, per request
        self.relooked: list[tuple[float, float]] = []
        #: first samples of series without a baseline (refine.RawSampleCounts), per request
        self.births: list[float] = []
        #: the run's bin cache (slo_cli.sources.bincache), None when off
        self.cache: BinCache | None = cache

    # ---- per SLI kind -----------------------------------------------------------------------

    def counts(self, req: FetchRequest) -> SeriesCounts:
        """Counts on req.edges for the request's SLI."""
        sli: Any = req.slo.sli
        kind = sli.kind
        edges = np.asarray(req.edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges must be strictly increasing with at least two entries")
        self.gaps = {}
        self.refined = []
        self.relooked = []
        self.births = []
        ts = getattr(req.slo, "timeslice", None)
        if kind in ("ratio", "latency") and ts is not None and req.slo.budgeting != "occurrences":
            from slo_cli.sources.slices import sliced_counts

            return sliced_counts(self, req, edges, ts)
        return self.event_counts(req, edges)

    def event_counts(self, req: FetchRequest, edges: np.ndarray) -> SeriesCounts:
        """Good and total events per bin of `edges` for a ratio or latency SLI (and the other
        kinds' own counts)."""
        sli: Any = req.slo.sli
        kind = sli.kind
        if kind == "ratio":
            return self.ratio_counts(req, edges)
        if kind == "latency":
            lat = sli.latency
            bucket = self.bucket_selector(lat.histogram, lat.selector, lat.threshold, edges)
            count = promql.add_matcher(lat.selector, f"{lat.histogram}_count", "")
            counters = [Counter("good", bucket), Counter("total", count)]
            by = tuple(getattr(req.slo, "group_by", None) or ())
            if by:
                terms = {c.part: [(1, c)] for c in counters}
                return self._grouped_ratio(req, edges, terms, counters, by)
            got = self.counter_counts(counters, edges)
            good = zero_where_total(got["good"], got["total"])
            return SeriesCounts(
                req.key,
                edges,
                good,
                got["total"],
                notes=self.gap_notes(),
                refined=tuple(self.refined),
                unmatched=_unmatched(got, counters),
            )
        if kind == "timeslices":
            ts = sli.timeslices
            good, total = self.timeslice_counts(ts.query, ts.good_when, ts.slice, edges)
            unmatched = (ts.query,) if np.isnan(total).all() else ()
            return SeriesCounts(req.key, edges, good, total, unmatched=unmatched)
        if kind == "raw":
            return self.raw_counts(req.key, sli.raw, edges)
        raise ValueError(f"unknown SLI kind {kind!r}")

    def gap_notes(self) -> tuple[str, ...]:
        """Notes naming the scrape gaps of the SLO's total events bridged by the last count."""
        parts = (p for p in self.gaps if p == "total" or p.startswith("total_"))
        return samples.gap_notes([g for p in parts for g in self.gaps[p]])

    def ratio_counts(self, req: FetchRequest, edges: np.ndarray) -> SeriesCounts:
        """A ratio SLI: each part a counter selector or a signed sum of them (``a + b - c``),
        every term counted exactly; per group of ``slo.group_by`` when the SLO has one."""
        r: Any = req.slo.sli.ratio
        first = "bad" if r.bad is not None else "good"
        terms: dict[str, list[tuple[int, Counter]]] = {}
        for part, expr in ((first, getattr(r, first)), ("total", r.total)):
            found = selector_terms(expr) or ((1, expr),)
            # a single selector keeps its part name, so its queries are those of before
            names = [part] if len(found) == 1 else [f"{part}_{i}" for i in range(len(found))]
            terms[part] = [
                (sign, Counter(n, sel)) for n, (sign, sel) in zip(names, found, strict=True)
            ]
        counters = [c for part in terms.values() for _, c in part]
        by = tuple(getattr(req.slo, "group_by", None) or ())
        if by:
            return self._grouped_ratio(req, edges, terms, counters, by)
        got = self.counter_counts(counters, edges)
        n = edges.size - 1
        sub, total = (_signed(got, terms[p], n) for p in (first, "total"))
        sub = zero_where_total(sub, total)
        good = sub if first == "good" else total - sub
        missing = _unmatched(got, counters)
        notes = self.gap_notes() + zero_notes(missing, [c for _, c in terms[first]], first, total)
        return SeriesCounts(
            req.key,
            edges,
            good,
            total,
            notes=notes,
            refined=tuple(self.refined),
            unmatched=missing,
        )

    def _grouped_ratio(
        self,
        req: FetchRequest,
        edges: np.ndarray,
        terms: dict[str, list[tuple[int, Counter]]],
        counters: list[Counter],
        by: tuple[str, ...],
    ) -> SeriesCounts:
        """One good/total pair per group of `by` label values. A group whose total has data
        but whose numerator has no series counts zero numerator events (no 5xx series for a
        host means no 5xx responses), never "no data"."""
        got = self.grouped_counts(counters, edges, by)
        first = next(p for p in terms if p != "total")
        keys = sorted({g for _, c in terms["total"] for g in got.get(c.part, {})})
        limit = int(getattr(req.slo, "max_groups", 0) or 0)
        if limit and len(keys) > limit:
            raise E.LimitError(
                f"{req.key}: {len(keys)} groups by ({', '.join(by)}), more than its limit of "
                f"{limit}",
                hint="raise max_groups in the spec, or group by fewer labels",
            )
        groups = []
        for key in keys:
            per = {c.part: got.get(c.part, {}).get(key) for c in counters}
            n = edges.size - 1
            total = _signed(per, terms["total"], n)
            other = np.where(np.isnan(total), np.nan, np.nan_to_num(_signed(per, terms[first], n)))
            good = other if first == "good" else total - other
            groups.append(GroupCounts(key, good, total))
        good, total = _sum_groups(groups, edges.size - 1)
        return SeriesCounts(
            req.key,
            edges,
            good,
            total,
            groups=tuple(groups),
            notes=self.gap_notes(),
            refined=tuple(self.refined),
        )

    def grouped_counts(
        self, counters: list[Counter], edges: np.ndarray, by: tuple[str, ...]
    ) -> dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]]:
        """Exact events per bin of each counter per group of `by` label values (see
        slo_cli.sources.groups)."""
        from slo_cli.sources.groups import grouped_counts

        return grouped_counts(self, counters, edges, by)

    # ---- latency: which `le` spellings are the threshold ----------------------------------------

    def bucket_selector(
        self, histogram: str, selector: str, threshold: float, edges: np.ndarray
    ) -> str:
        """`<histogram>_bucket{…, le=~"each spelling of threshold"}`; NotABucketBoundaryError."""
        match = promql.add_matcher(selector, f"{histogram}_bucket", "")
        params = {
            "match[]": match,
            "start": _num(edges[0] - self.lookback_s),
            "end": _num(edges[-1]),
        }
        env = self.t.call("/api/v1/label/le/values", params, match, method="GET")
        values = [str(v) for v in env.data or []]
        spellings = [v for v in values if promql.parse_le(v) == threshold]
        if not spellings:
            bounds = sorted({b for v in values if (b := promql.parse_le(v)) is not None})
            listed = ", ".join(f"{b:g}" for b in bounds) or "none (no such histogram)"
            raise E.NotABucketBoundaryError(
                f"latency threshold {threshold:g}s is not a bucket boundary of {match}; "
                f"boundaries (seconds): {listed}",
                query=match,
                hint="use one of the boundaries as the threshold",
            )
        return promql.add_matcher(
            selector, f"{histogram}_bucket", f'le=~"{promql.le_regex(spellings)}"'
        )

    # ---- timeslices ------------------------------------------------------------------------------

    def timeslice_counts(
        self, query: str, good_when: Any, slice_s: float, edges: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(good slices, slices with data) per bin: the gauge is evaluated at each slice end
        (aligned to the slice length); each series returned is one slice per instant. A bin
        inside an observed slice without its end holds 0 (`slices.within_slices`)."""
        from slo_cli.sources.slices import within_slices

        first = math.floor(edges[0] / slice_s) * slice_s + slice_s
        last = math.floor(edges[-1] / slice_s) * slice_s
        n = edges.size - 1
        good, total = np.zeros(n), np.zeros(n)
        if last < first:
            return np.full(n, np.nan), np.full(n, np.nan)
        seg = Segment(slice_s, first, last, 0, round((last - first) / slice_s))
        op = _OPS[good_when.op]
        ends = first + np.arange(seg.n) * slice_s
        bins = np.searchsorted(edges, ends, side="left") - 1
        inside = (bins >= 0) & (bins < n) & (ends > edges[0])
        for values in self.range_series(query, seg):
            have = ~np.isnan(values) & inside
            ok = have & op(np.nan_to_num(values), float(good_when.value))
            np.add.at(total, bins[have], 1.0)
            np.add.at(good, bins[ok], 1.0)
        empty = total == 0
        good[empty] = np.nan
        total[empty] = np.nan
        return within_slices(edges, good, total, slice_s)

    # ---- raw templates (approximate) -------------------------------------------------------------

    def raw_counts(self, key: str, raw: Any, edges: np.ndarray) -> SeriesCounts:
        """Evaluate {{window}} templates per bin. Approximate.

        The template's window is the bin width, but at least RAW_MIN_WINDOW_S: `rate()` and
        `increase()` need two samples inside their window, which 1-minute bins over 1-minute
        scrapes rarely hold (the short burn-rate windows would be blind). Event counts over a
        window longer than the bin are scaled to the bin (× step ÷ window); error ratios are
        taken as they are (the ratio of the trailing window, an approximation either way).
        """
        n = edges.size - 1
        good, total = np.full(n, np.nan), np.full(n, np.nan)
        for seg in segments(edges):
            window_s = max(seg.step, RAW_MIN_WINDOW_S)
            window = promql.dur(window_s)
            # events over the window, scaled to the bin; or events per second, times the bin
            scale = seg.step if raw.unit == "per_second" else seg.step / window_s
            if raw.error_ratio is not None:
                expr = raw.error_ratio.replace("{{window}}", window)
                got = self.range_parts(promql.union({"ratio": expr}), seg)
                ratio = got.get("ratio", np.full(seg.n, np.nan))
                # time-weighted: each bin holds its width in minutes of "events"
                tot = np.where(np.isnan(ratio), np.nan, seg.step / 60.0)
                total[seg.first : seg.last + 1] = tot
                good[seg.first : seg.last + 1] = tot * (1.0 - ratio)
                continue
            parts = {"total": raw.total.replace("{{window}}", window)}
            first = "bad" if raw.bad is not None else "good"
            parts[first] = getattr(raw, first).replace("{{window}}", window)
            got = self.range_parts(promql.union({k: f"sum({v})" for k, v in parts.items()}), seg)
            tot = got.get("total", np.full(seg.n, np.nan)) * scale
            other = got.get(first, np.full(seg.n, np.nan)) * scale
            total[seg.first : seg.last + 1] = tot
            good[seg.first : seg.last + 1] = other if first == "good" else tot - other
        notes = ("raw PromQL templates are evaluated by the server and are approximate",)
        return SeriesCounts(key, edges, good, total, exact=False, notes=notes)
