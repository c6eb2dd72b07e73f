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
from dataclasses import dataclass
from typing import Any

import numpy as np

from slo_cli.sources import errors as E
from slo_cli.sources import promql, samples
from slo_cli.sources.binsums import per_series_sums, zero_notes, zero_where_total
from slo_cli.sources.binsums import stretches as _stretches
from slo_cli.sources.binsums import unmatched as _unmatched
from slo_cli.sources.grid import Segment, segments
from slo_cli.sources.groups import GroupCounts
from slo_cli.sources.groups import signed as _signed
from slo_cli.sources.groups import sum_groups as _sum_groups
from slo_cli.sources.http import Transport
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.ranges import num as _num
from slo_cli.sources.refine import RawSampleCounts
from slo_specs.promql_forms import selector_terms

#: how far back a last value is looked for: scrape gaps up to this long are bridged (seconds)
LOOKBACK_S = 3600.0
#: the range queries look for last values only this far back, which is cheap; a series whose
#: last value is older (a scrape gap) is flagged and its bin recounted from raw samples with
#: LOOKBACK_S. (600 s would suit 5-minute scrapes better, but changes the recorded queries, so
#: every snapshot, examples/snapshot.json included, must be recorded again with it.)
QUICK_LOOKBACK_S = 300.0
#: shortest {{window}} a raw template is evaluated over (seconds): rate()/increase() need two
#: samples inside it, so it must exceed the scrape interval (5m covers scrapes up to ~2.5m)
RAW_MIN_WINDOW_S = 300.0
#: bins at least this wide (s) are counted from per-series answers (see _counter_segment)
PER_SERIES_STEP_S = 3600.0
#: most seconds of raw samples fetched by one refinement query; wider flagged bins are first
#: split into bins of this width and counted again (only the flagged sub-bins reach raw samples)
MAX_RAW_SPAN_S = 6 * 3600.0
#: more flagged bins than this in one segment: query the segment again with LOOKBACK_S instead
#: (e.g. a series scraped less often than QUICK_LOOKBACK_S flags every bin)
MAX_REFINE = 24

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}


def _subsets(counters: list[Counter]) -> dict[str, tuple[str, tuple[tuple[str, str, str], ...]]]:
    """part -> (the part of a counter whose series are a superset, the extra matchers), for
    counters answerable from another one's series (good ⊂ total): never queried themselves."""
    derived: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {}
    for c in counters:
        for d in counters:
            extra = None if d is c else promql.extra_matchers(c.selector, d.selector)
            if extra is not None and d.part not in derived:
                derived[c.part] = (d.part, extra)
                break
    for part, (base, _) in list(derived.items()):  # a chain: pick from its root's series
        root = base
        while root in derived:
            root = derived[root][0]
        if root != base:
            sel = {c.part: c.selector for c in counters}
            extra = promql.extra_matchers(sel[part], sel[root])
            if extra is None:
                del derived[part]
            else:
                derived[part] = (root, extra)
    return derived


@dataclass
class Counter:
    """One counter selector to count and the name of its part in the answers."""

    part: str
    selector: str


class Fetcher(RawSampleCounts):
    """Turns one FetchRequest into SeriesCounts using `transport` for every call."""

    def __init__(
        self,
        transport: Transport,
        *,
        max_points: int = 11_000,
        lookback_s: float = LOOKBACK_S,
        engine: str = "prometheus",
    ) -> None:
        self.t = transport
        self.max_points = max_points
        self.lookback_s = lookback_s
        self.engine = engine
        #: bridged scrape gaps per counter part, collected while counting one request
        self.gaps: dict[str, list[samples.Gap]] = {}
        #: (start, end, counter part) of each bin counted again from raw samples, per request
        self.refined: list[tuple[float, float, str]] = []

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

    # ---- counters: exact per-bin counts ---------------------------------------------------------

    def counter_counts(
        self, counters: list[Counter], edges: np.ndarray, span: float | None = None
    ) -> dict[str, np.ndarray]:
        """Exact events per bin for each counter, refined from raw samples where flagged.

        `span` (default: the grid's length) bounds how far back a flagged series' baseline is
        looked for across a scrape gap."""
        n = edges.size - 1
        span = float(edges[-1] - edges[0]) if span is None else span
        out = {c.part: np.full(n, np.nan) for c in counters}
        if not counters:
            return out
        for seg in segments(edges):
            got = self._counter_segment(counters, seg, QUICK_LOOKBACK_S)
            flagged = sum(
                int((np.nan_to_num(v) > 0).sum()) for k, v in got.items() if k[:5] == "flag_"
            )
            if flagged > MAX_REFINE and self.lookback_s > QUICK_LOOKBACK_S:
                got = self._counter_segment(counters, seg, self.lookback_s)
            values = {c.part: got.get(c.part, np.full(seg.n, np.nan)) for c in counters}
            bins = {
                c.part: np.flatnonzero(np.nan_to_num(got.get("flag_" + c.part, 0.0)) > 0)
                for c in counters
            }
            if seg.step > MAX_RAW_SPAN_S:
                self._refine_wide(counters, seg, values, bins, span)
            else:
                self._refine_raw(counters, seg, values, bins, span)
            for c in counters:
                out[c.part][seg.first : seg.last + 1] = values[c.part]
        return out

    def _refine_wide(
        self,
        counters: list[Counter],
        seg: Segment,
        values: dict[str, np.ndarray],
        bins: dict[str, np.ndarray],
        span: float,
    ) -> None:
        """Count flagged bins wider than MAX_RAW_SPAN_S again on sub-bins of that width (one
        call for every counter flagged in the bin; only flagged sub-bins reach raw samples)."""
        for k in sorted({int(k) for b in bins.values() for k in b}):
            which = [c for c in counters if k in set(bins[c.part].tolist())]
            hi = seg.first_end + k * seg.step
            sub = np.arange(hi - seg.step, hi + 1e-6, MAX_RAW_SPAN_S)
            if sub[-1] != hi:
                sub = np.append(sub, hi)
            got = self.counter_counts(which, sub, span)
            for c in which:
                part = got[c.part]
                values[c.part][k] = np.nan if np.all(np.isnan(part)) else np.nansum(part)

    def _refine_raw(
        self,
        counters: list[Counter],
        seg: Segment,
        values: dict[str, np.ndarray],
        bins: dict[str, np.ndarray],
        span: float,
    ) -> None:
        """Count flagged bins from raw samples: one query per stretch of at most
        MAX_RAW_SPAN_S holding flagged bins, shared by a counter and its subsets (good ⊂
        total); only each counter's own flagged bins take the raw counts."""
        derived = _subsets(counters)
        longest = max(1, int(MAX_RAW_SPAN_S // seg.step))
        for base in (c for c in counters if c.part not in derived):
            members = [base] + [c for c in counters if derived.get(c.part, ("",))[0] == base.part]
            union = np.unique(np.concatenate([bins[c.part] for c in members]))
            for run in _stretches(union, longest):
                ks = np.arange(run[0], run[-1] + 1)
                lows = seg.first_end - seg.step + seg.step * ks
                extra = {c.part: derived[c.part][1] if c is not base else () for c in members}
                got = self.samples_counts_of(base.selector, extra, lows, lows + seg.step, span)
                for c in members:
                    mine = np.intersect1d(bins[c.part], ks)
                    values[c.part][mine] = got[c.part][mine - run[0]]
                    low = seg.first_end - seg.step
                    self.refined += [
                        (float(low + seg.step * k), float(low + seg.step * (k + 1)), c.part)
                        for k in mine.tolist()
                    ]

    def _counter_segment(
        self, counters: list[Counter], seg: Segment, lookback_s: float
    ) -> dict[str, np.ndarray]:
        """One tagged query: exact counts and flags of every counter over one segment."""
        if seg.step >= PER_SERIES_STEP_S:
            return self._counter_segment_per_series(counters, seg, lookback_s)
        parts: dict[str, str] = {}
        for c in counters:
            parts[c.part] = promql.exact_expr(c.selector, seg.step, lookback_s)
            parts["flag_" + c.part] = promql.flag_expr(c.selector, seg.step, lookback_s)
        return self.range_parts(promql.union(parts), seg)

    def _counter_segment_per_series(
        self, counters: list[Counter], seg: Segment, lookback_s: float
    ) -> dict[str, np.ndarray]:
        """Like _counter_segment, with the sums and flags computed here from per-series last
        values and reset counts, so each sample of a wide bin is read once by the server
        (the server-side form reads it twice: resets, then presence)."""
        per = self.series_parts(counters, seg, lookback_s)
        out: dict[str, np.ndarray] = {}
        for c in counters:
            got = per_series_sums(per, c.part, seg.n)
            if got is not None:
                out[c.part], out["flag_" + c.part] = got
        return out

    def series_parts(
        self, counters: list[Counter], seg: Segment, lookback_s: float
    ) -> dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]]:
        """Per series (keyed by its labels without the name) of each counter: its last value
        at each bin end (``a_``), at the bin start (``b_``) and its resets (``r_``)."""
        s, lb = promql.dur(seg.step), promql.dur(lookback_s)
        # a counter selecting a subset of another's series (good ⊂ total) is not queried: its
        # series are picked from the other's answer by its extra matchers
        derived = _subsets(counters)
        parts: dict[str, str] = {}
        for c in counters:
            if c.part in derived:
                continue
            parts["a_" + c.part] = f"last_over_time({c.selector}[{lb}])"
            parts["b_" + c.part] = f"last_over_time({c.selector}[{lb}] offset {s})"
            parts["r_" + c.part] = f"resets({c.selector}[{promql.dur(seg.step + lookback_s)}])"
        per: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]] = {}
        for metric, values in self._range(promql.union(parts), seg):
            part = metric.get("__slo_part", "")
            # last_over_time keeps the metric name, resets drops it: match on the other labels
            key = tuple(
                sorted((k, v) for k, v in metric.items() if k not in ("__slo_part", "__name__"))
            )
            per.setdefault(part, {})[key] = values
        for part, (base, extra) in derived.items():
            for p in ("a_", "b_", "r_"):
                per[p + part] = {
                    k: v for k, v in per.get(p + base, {}).items() if promql.matches(dict(k), extra)
                }
        return per

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
        (aligned to the slice length); each series returned is one slice per instant."""
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
        return good, total

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
