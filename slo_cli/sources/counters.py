"""Exact per-bin counts of counter selectors: the query plan per tier of a grid.

A mixin of `slo_cli.sources.fetch.Fetcher`. Per run of equal-width bins (grid.segments):

- bins of an hour or wider: one range query of each series' last values at the bin ends and
  starts and its resets (`series_parts`), summed here; each sample is read about once;
- finer bins (the last hours of the grid): the raw samples of the stretch, fetched once by an
  instant query of a range selector and counted here (slo_cli.sources.samples), so no bin needs
  a second pass — while the counter has at most RAW_MAX_SERIES series (seen in the wide
  tiers); otherwise, or when the grid has no wide tier, a server-side sum per bin
  (promql.exact_expr) with its flags (promql.flag_expr);
- bins flagged by either server-side form (a reset, a new series, a gap) are counted again from
  raw samples, one query per stretch shared by a counter and its subsets (good ⊂ total).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slo_cli.sources import promql
from slo_cli.sources.binsums import per_series_sums
from slo_cli.sources.binsums import stretches as _stretches
from slo_cli.sources.grid import DEFAULT_FINE_SPAN_S, Cut, Segment, cut_plan, segments
from slo_cli.sources.ranges import num as _num
from slo_cli.sources.refine import RawSampleCounts
from slo_cli.sources.shapes import vector_of

#: how far back a last value is looked for: scrape gaps up to this long are bridged (seconds)
LOOKBACK_S = 3600.0
#: the range queries look for last values only this far back, which is cheap; a series whose
#: last value is older (a scrape gap) is flagged and its bin recounted from raw samples with
#: LOOKBACK_S. (600 s would suit 5-minute scrapes better, but changes the recorded queries, so
#: every snapshot, examples/snapshot.json included, must be recorded again with it.)
QUICK_LOOKBACK_S = 300.0
#: bins at least this wide (s) are counted from per-series answers (see _counter_segment)
PER_SERIES_STEP_S = 3600.0
#: most seconds of raw samples fetched by one query (a refinement, or a stretch of the fine
#: tier); wider flagged bins are first split into bins of this width and counted again (only
#: the flagged sub-bins reach raw samples)
MAX_RAW_SPAN_S = 6 * 3600.0
#: most seconds of the fine tier's bins one raw-sample query holds: plan_grid's fine tier runs
#: from the whole hour before end − 2 h, so it is at most 3 h long and always one query
RAW_TIER_SPAN_S = DEFAULT_FINE_SPAN_S + 3600.0
#: more flagged bins than this in one segment: query the segment again with LOOKBACK_S instead
#: (e.g. a series scraped less often than QUICK_LOOKBACK_S flags every bin)
MAX_REFINE = 24
#: fine bins are counted from raw samples while the counter has at most this many series (its
#: raw samples are then a small answer); more series are summed by the server per bin
RAW_MAX_SERIES = 64


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


class CounterCounts(RawSampleCounts):
    """Exact events per bin of counter selectors (see the module's docstring)."""

    #: (start, end, counter part) of each bin counted again from raw samples
    refined: list[tuple[float, float, str]]
    #: (start, end) of each segment counted again with the long lookback (MAX_REFINE)
    relooked: list[tuple[float, float]]

    def counter_counts(
        self, counters: list[Counter], edges: np.ndarray, span: float | None = None
    ) -> dict[str, np.ndarray]:
        """Exact events per bin for each counter, refined from raw samples where flagged.

        `span` (default: the grid's length) bounds how far back a flagged series' baseline is
        looked for across a scrape gap. The aligned bins are counted by `count_aligned` (where
        slo_cli.sources.bincache serves settled bins from its cache); the pieces of an aligned
        bin that a window start cuts (grid.cut_plan) by `_split_cuts`."""
        span = float(edges[-1] - edges[0]) if span is None else span
        cut = cut_plan(edges)
        if cut is None:
            return self.count_aligned(counters, edges, span)[0]
        span = max(span, float(cut.grid[-1] - cut.grid[0]))
        whole = self.count_aligned(counters, cut.grid, span)[0]
        out = {p: v[cut.index] for p, v in whole.items()}
        # every cut bin costs its query, even one whose day turns out empty (a young series'
        # first day): --show-queries and snapshot --dry-run must list what a live run sends,
        # and a dry run cannot know which days are empty
        if counters and cut.cuts:
            self._split_cuts(counters, cut.cuts, float(edges[-1]), whole, out, span)
        return out

    def _split_cuts(
        self,
        counters: list[Counter],
        cuts: tuple[Cut, ...],
        end: float,
        whole: dict[str, np.ndarray],
        out: dict[str, np.ndarray],
        span: float,
    ) -> None:
        """Each cut bin's pieces: all but its longest counted from per-series last values at
        their ends and resets (one instant query for every cut of the grid, `cut_parts`), flagged
        pieces from raw samples, and the longest one as the bin's count less the others'."""
        longest = [_longest(c) for c in cuts]
        # the measured pieces, grouped by cut: cut j's are measured[at[j] : at[j + 1]]
        measured = [
            (j, i) for j, c in enumerate(cuts) for i in range(len(c.points) - 1) if i != longest[j]
        ]
        at = np.searchsorted(
            np.array([j for j, _ in measured], dtype=np.int64), range(len(cuts) + 1)
        )
        lows = np.array([cuts[j].points[i] for j, i in measured])
        highs = np.array([cuts[j].points[i + 1] for j, i in measured])
        per = self.cut_parts(counters, lows, highs, end)
        derived = _subsets(counters)
        got: dict[str, np.ndarray] = {}
        for ctr in counters:
            sums = per_series_sums(per, ctr.part, lows.size)
            got[ctr.part] = np.full(lows.size, np.nan) if sums is None else sums[0]
            got["flag_" + ctr.part] = np.zeros(lows.size) if sums is None else sums[1]
        for base in (c for c in counters if c.part not in derived):
            members = [base] + [c for c in counters if derived.get(c.part, ("",))[0] == base.part]
            extra = {c.part: derived[c.part][1] if c is not base else () for c in members}
            flagged = np.logical_or.reduce([got["flag_" + m.part] > 0 for m in members])
            for j in range(len(cuts)):
                ks = at[j] + np.flatnonzero(flagged[at[j] : at[j + 1]])
                if not ks.size:
                    continue
                raw = self.samples_counts_of(base.selector, extra, lows[ks], highs[ks], span)
                for m in members:
                    mine = ks[got["flag_" + m.part][ks] > 0]
                    got[m.part][mine] = raw[m.part][np.searchsorted(ks, mine)]
                    self.refined += [
                        (float(lows[k]), float(highs[k]), m.part) for k in mine.tolist()
                    ]
        for ctr in counters:
            for j, cut in enumerate(cuts):
                pieces = np.full(len(cut.points) - 1, np.nan)
                pieces[[i for _, i in measured[at[j] : at[j + 1]]]] = got[ctr.part][
                    at[j] : at[j + 1]
                ]
                total = whole[ctr.part][cut.parent]
                if np.isnan(total):
                    pieces[:] = np.nan
                else:
                    pieces[longest[j]] = total - np.nansum(pieces)
                inside = pieces[1:] if cut.outside else pieces
                out[ctr.part][cut.first : cut.first + inside.size] = inside

    def count_aligned(
        self,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        seen: dict[str, float] | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """(events per bin of each counter, series per wide bin of each queried selector),
        counted by `_count_on`: the seam where slo_cli.sources.bincache serves settled bins
        from its cache."""
        return self._count_on(counters, edges, span, seen)

    def _count_on(
        self,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        seen: dict[str, float] | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Like count_aligned, each bin of `edges` counted as it is.

        The wide tiers are counted first: the most series a counter has in one of their bins
        decides how the fine tier is counted (`raw_tier_ok`), unless `seen` gives those
        figures (the bin cache: the whole grid's wide bins, cached ones included)."""
        n = edges.size - 1
        out = {c.part: np.full(n, np.nan) for c in counters}
        derived = _subsets(counters)
        presence = {c.selector: np.full(n, np.nan) for c in counters if c.part not in derived}
        if not counters:
            return out, presence
        for seg in sorted(segments(edges), key=lambda s: (-s.step, s.first)):
            most = seen if seen is not None else most_series(presence)
            if seg.step < PER_SERIES_STEP_S and self.raw_tier_ok(counters, most):
                values = self._raw_tier(counters, seg, span)
            else:
                values = self._flagged_tier(counters, seg, span)
            for c in counters:
                out[c.part][seg.first : seg.last + 1] = values[c.part]
                if c.selector in presence and "n_" + c.part in values:
                    presence[c.selector][seg.first : seg.last + 1] = values["n_" + c.part]
        return out, presence

    @staticmethod
    def raw_tier_ok(counters: list[Counter], most: dict[str, float]) -> bool:
        """Whether every queried counter has few enough series (`most`: the most seen in one
        wide bin) for its raw samples to be fetched."""
        derived = _subsets(counters)
        return all(
            most.get(c.selector, RAW_MAX_SERIES + 1) <= RAW_MAX_SERIES
            for c in counters
            if c.part not in derived
        )

    def _raw_tier(
        self, counters: list[Counter], seg: Segment, span: float
    ) -> dict[str, np.ndarray]:
        """Every bin of a fine segment from raw samples: one query per RAW_TIER_SPAN_S for a
        counter and its subsets; an empty bin is observed as in a range query (the last
        sample not older than a scrape gap, samples.gap_limit)."""
        derived = _subsets(counters)
        lows_all = seg.first_end - seg.step + seg.step * np.arange(seg.n)
        longest = max(1, int(RAW_TIER_SPAN_S // seg.step))
        values = {c.part: np.full(seg.n, np.nan) for c in counters}
        for base in (c for c in counters if c.part not in derived):
            members = [base] + [c for c in counters if derived.get(c.part, ("",))[0] == base.part]
            extra = {c.part: derived[c.part][1] if c is not base else () for c in members}
            for k in range(0, seg.n, longest):
                lows = lows_all[k : k + longest]
                got = self.samples_counts_of(
                    base.selector, extra, lows, lows + seg.step, span, quick=True
                )
                for c in members:
                    values[c.part][k : k + lows.size] = got[c.part]
        return values

    def _flagged_tier(
        self, counters: list[Counter], seg: Segment, span: float
    ) -> dict[str, np.ndarray]:
        """One segment from a server-side form, its flagged bins counted from raw samples."""
        got = self._counter_segment(counters, seg, QUICK_LOOKBACK_S)
        flagged = sum(int((v > 0).sum()) for k, v in got.items() if k[:5] == "flag_")  # NaN > 0: no
        if flagged > MAX_REFINE and self.lookback_s > QUICK_LOOKBACK_S:
            got = self._counter_segment(counters, seg, self.lookback_s)
            self.relooked.append((seg.first_end - seg.step, seg.last_end))
        values = {c.part: got.get(c.part, np.full(seg.n, np.nan)) for c in counters}
        values.update({k: v for k, v in got.items() if k[:2] == "n_"})
        bins = {
            c.part: np.flatnonzero(np.asarray(got.get("flag_" + c.part, 0.0)) > 0) for c in counters
        }
        if seg.step > MAX_RAW_SPAN_S:
            self._refine_wide(counters, seg, values, bins, span)
        else:
            self._refine_raw(counters, seg, values, bins, span)
        return values

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
            got = self._count_on(which, sub, span)[0]
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
            # the sorted union of the members' flagged bins (np.unique would import numpy.ma)
            union = np.flatnonzero(np.bincount(np.concatenate([bins[c.part] for c in members])))
            for run in _stretches(union, longest):
                ks = np.arange(run[0], run[-1] + 1)
                lows = seg.first_end - seg.step + seg.step * ks
                extra = {c.part: derived[c.part][1] if c is not base else () for c in members}
                got = self.samples_counts_of(base.selector, extra, lows, lows + seg.step, span)
                for c in members:
                    mine = np.intersect1d(bins[c.part], ks, assume_unique=True)  # both distinct
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
        derived = _subsets(counters)
        for c in counters:
            got = per_series_sums(per, c.part, seg.n)
            if got is not None:
                out[c.part], out["flag_" + c.part] = got
            if c.part not in derived:
                out["n_" + c.part] = series_per_bin(per, c.part, seg.n)
        return out

    def series_parts(
        self, counters: list[Counter], seg: Segment, lookback_s: float
    ) -> dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]]:
        """Per series (keyed by its labels without the name) of each counter: its last value
        at each bin end (``a_``), at the bin start (``b_``) and its resets (``r_``).

        One range query from the edge before the segment's first bin end: the last value at
        each edge serves as the end of one bin and the start of the next (an `offset` form
        would select every series a second time, which costs the server about as much as
        reading the resets)."""
        lb = promql.dur(lookback_s)
        # a counter selecting a subset of another's series (good ⊂ total) is not queried: its
        # series are picked from the other's answer by its extra matchers
        derived = _subsets(counters)
        parts: dict[str, str] = {}
        for c in counters:
            if c.part in derived:
                continue
            parts["a_" + c.part] = f"last_over_time({c.selector}[{lb}])"
            parts["r_" + c.part] = f"resets({c.selector}[{promql.dur(seg.step + lookback_s)}])"
        wider = Segment(seg.step, seg.first_end - seg.step, seg.last_end, seg.first - 1, seg.last)
        per: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]] = {}
        for metric, values in self._range(promql.union(parts), wider):
            part = metric.get("__slo_part", "")
            # last_over_time keeps the metric name, resets drops it: match on the other labels
            key = tuple(
                sorted((k, v) for k, v in metric.items() if k not in ("__slo_part", "__name__"))
            )
            if part.startswith("a_"):
                per.setdefault("b_" + part[2:], {})[key] = values[:-1]
            per.setdefault(part, {})[key] = values[1:]
        for part, (base, extra) in derived.items():
            for p in ("a_", "b_", "r_"):
                per[p + part] = {
                    k: v for k, v in per.get(p + base, {}).items() if promql.matches(dict(k), extra)
                }
        return per

    def cut_parts(
        self, counters: list[Counter], lows: np.ndarray, highs: np.ndarray, end: float
    ) -> dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]]:
        """Like series_parts for the pieces (lows[i], highs[i]] of cut bins: each series' last
        value at every piece's start and end and its resets over the piece (with the lookback
        before it, which holds the baseline), from one instant query at `end` with `offset`s
        (which every engine speaking the Prometheus API evaluates as at that instant)."""
        lb = QUICK_LOOKBACK_S
        derived = _subsets(counters)
        instants = sorted({float(t) for t in (*lows.tolist(), *highs.tolist())})
        slot = {t: k for k, t in enumerate(instants)}

        def off(t: float) -> str:
            return f" offset {promql.dur(end - t)}" if end - t > 1e-3 else ""

        parts: dict[str, str] = {}
        for c in counters:
            if c.part in derived:
                continue
            for t, k in slot.items():
                parts[f"t{k}_{c.part}"] = f"last_over_time({c.selector}[{promql.dur(lb)}]{off(t)})"
            for k, (a, b) in enumerate(zip(lows.tolist(), highs.tolist(), strict=True)):
                reach = promql.dur(b - a + lb)
                parts[f"r{k}_{c.part}"] = f"resets({c.selector}[{reach}]{off(b)})"
        query = promql.union(parts)
        env = self.t.call("/api/v1/query", {"query": query, "time": _num(end)}, query)
        at: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]] = {}
        for metric, value in vector_of(env.data, query):
            tag = metric.get("__slo_part", "")
            head, _, part = tag.partition("_")
            key = tuple(
                sorted((k, v) for k, v in metric.items() if k not in ("__slo_part", "__name__"))
            )
            row = at.setdefault(head[0] + "_" + part, {}).setdefault(
                key, np.full(len(instants) if head[0] == "t" else lows.size, np.nan)
            )
            row[int(head[1:])] = value
        per: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]] = {}
        ia = np.array([slot[float(t)] for t in highs.tolist()], dtype=np.int64)
        ib = np.array([slot[float(t)] for t in lows.tolist()], dtype=np.int64)
        for name, series in at.items():
            kind, part = name[0], name[2:]
            if kind == "t":
                per["a_" + part] = {k: v[ia] for k, v in series.items()}
                per["b_" + part] = {k: v[ib] for k, v in series.items()}
            else:
                per["r_" + part] = series
        for part, (base, extra) in derived.items():
            for p in ("a_", "b_", "r_"):
                per[p + part] = {
                    k: v for k, v in per.get(p + base, {}).items() if promql.matches(dict(k), extra)
                }
        return per


def _longest(cut: Cut) -> int:
    """The piece of a cut bin not counted from the cut query: its longest (the first of them),
    the bin's count less the others', so at most half the bin is read again."""
    return int(np.argmax(np.diff(np.array(cut.points))))


def series_per_bin(
    per: dict[str, dict[tuple[tuple[str, str], ...], np.ndarray]], part: str, n: int
) -> np.ndarray:
    """How many series of a counter part have a value in each bin (of series_parts)."""
    seen: dict[tuple[tuple[str, str], ...], np.ndarray] = {}
    for p in ("a_", "b_", "r_"):
        for key, values in per.get(p + part, {}).items():
            have = ~np.isnan(values)
            seen[key] = seen[key] | have if key in seen else have
    return np.sum(list(seen.values()), axis=0).astype(float) if seen else np.zeros(n)


def most_series(presence: dict[str, np.ndarray]) -> dict[str, float]:
    """The most series each selector had in one wide bin (selectors never seen left out)."""
    return {s: float(np.nanmax(a)) for s, a in presence.items() if not np.isnan(a).all()}
