"""The incremental bin cache (issue 12, item 3): settled per-bin counts kept between runs.

A mixin of `slo_cli.sources.fetch.Fetcher` at `CounterCounts.count_aligned`, the bins of a
grid as planned (on a grid whose bins window starts cut, its whole bins: a cut bin's pieces and
a `head_bin` are counted every run). An entry holds the exact
counts of one counter set (its selectors and part names, the engine and the lookback) per bin
(lo, hi], keyed by the bin alone, so any grid holding the same bin finds it (SLOs of one counter
set over other windows too). Per run:

- bins that ended `SETTLE_S` before the evaluation instant (or the clock, if earlier) and are
  cached are served from the cache; the rest are counted as sub-grids with the whole grid's
  span, the wide tiers first, and the fine tier counted as an uncached run would count it (its
  raw-tier decision taken on the most series any wide bin of the whole grid had, cached or not,
  and cached fine bins used only when they were counted the same way);
- the newest cached bins used (the last SELF_CHECK_S of them, at least the newest one) are
  counted again (the self-check): on any difference (another
  server behind the URL, a backfill) the entry is dropped and the whole grid counted afresh;
- the settled bins counted are stored, except those touched by a bridged scrape gap, holding
  the first sample of a series with none before it, or in a segment counted again with the long
  lookback: they are counted afresh every run, so the notes
  they give stay those of an uncached run. Bins counted again from raw samples (a reset, a new
  series) are stored with their `refined` records (a side entry), given back when served.

`BinCache` is shared by a run's fetchers (one per worker thread); it saves once per run.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from slo_cli.sources import cachestore as cs
from slo_cli.sources.counters import PER_SERIES_STEP_S, Counter, CounterCounts, _subsets

#: bins that ended at least this long before the evaluation instant are settled: cached (s)
SETTLE_S = 600.0
#: the self-check counts again the cached bins ending this close to the newest one served (s)
#: (at least that one: a single quiet minute would prove little)
SELF_CHECK_S = 600.0
#: names the counting method in every entry's key: change it when a bin's count would change
METHOD = "bins-1"
#: iterations of the salted PBKDF2 over the credentials in the server key (a weak password
#: must not be cheap to guess from a cache file)
IDENTITY_ROUNDS = 50_000


@dataclass
class BinCache:
    """The run's view of one server's cache file: `now` (the CLI's clock, per fetch) bounds
    what is settled; `refresh` ignores what was cached and rewrites it."""

    store: cs.CacheStore
    warn: Callable[[str], None]
    refresh: bool = False
    now: float = float("inf")
    #: bins served from the cache and counted, this fetch (for --explain-like summaries)
    served: int = 0
    fetched: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def settled_before(self, end: float) -> float:
        """Bins ending at or before this instant are settled."""
        return min(end, self.now) - SETTLE_S

    def get(self, name: str) -> cs.Entry | None:
        """The cached entry for `name` as the run found it (None under --refresh). What this
        run counted is not used before it is saved: SLOs of one SLI in a run share answers
        (slo_cli.sources.share), which costs no request at all."""
        with self.lock:
            return None if self.refresh else self.store.entries.get(name)

    def put(self, name: str, entry: cs.Entry, *, fresh: bool = False) -> None:
        """Keep `entry`'s bins; `fresh`: drop what was cached for `name` first."""
        with self.lock:
            if fresh or (self.refresh and name not in self.store.pending):
                self.store.replace(name, entry)
            else:
                self.store.put(name, entry)

    def count(self, served: int, fetched: int) -> None:
        with self.lock:
            self.served += served
            self.fetched += fetched

    def save(self) -> None:
        """Write this run's entries; a cache directory problem is a warning, never a failure."""
        with self.lock:
            try:
                self.store.save()
            except OSError as exc:
                self.store.pending = {}
                self.warn(f"cache not written to {self.store.root} ({exc.strerror or exc})")
            self.refresh = False  # what this run wrote is this run's own: used from now on


def open_cache(
    root: Path, identity: tuple[str, ...], warn: Callable[[str], None], *, refresh: bool = False
) -> BinCache | None:
    """The cache of one server identity under `root` (None, with a warning, when the
    directory cannot be used). `identity`: the URL, engine, lookback and credentials — hashed
    with the directory's salt (the credentials through PBKDF2), never stored."""
    try:
        salt = cs.salt(root)
        url, engine, lookback, *secret = identity
        who = hashlib.pbkdf2_hmac(
            "sha256", "\x00".join(secret).encode("utf-8"), salt, IDENTITY_ROUNDS
        ).hex()
        key = cs.server_key(root, url, engine, lookback, who)
        store = cs.CacheStore(root, key, warn)
    except OSError as exc:
        warn(f"cache off: {root} cannot be used ({exc.strerror or exc})")
        return None
    return BinCache(store, warn, refresh=refresh)


def identity_of(settings: object, lookback_s: float) -> tuple[str, ...]:
    """What tells one server identity from another (slo_cli.sources.settings
    ConnectionSettings): URL, engine, lookback, then every header, query parameter and
    credential sent (the tenant header, the user, the token: hashed by open_cache)."""
    s: object = settings
    headers = sorted(f"{k.lower()}: {v}" for k, v in getattr(s, "headers", ()))
    params = sorted(f"{k}={v}" for k, v in dict(getattr(s, "query_params", {})).items())
    params += sorted(f"{k}={v}" for k, v in getattr(s, "url_params", ()))
    token = s.bearer_token() or ""  # type: ignore[attr-defined]
    basic = s.basic_auth() or ("", "")  # type: ignore[attr-defined]
    cert = getattr(s, "client_cert", None) or ""
    return (
        str(getattr(s, "base_url", "")),
        str(getattr(s, "engine", "")),
        repr(float(lookback_s)),
        *headers,
        *params,
        "token:" + token,
        "basic:" + "\x00".join(basic),
        "cert:" + cert,
    )


def entry_name(fetcher: CachedCounts, counters: list[Counter]) -> str:
    """The entry of a counter set on one server: everything a bin's count depends on. Not the
    grid's span (how far back a baseline is looked for): the bins it could change (a series
    without a sample before) are never kept, so SLOs of one counter set over other windows
    share the entry."""
    parts = [METHOD, fetcher.engine, repr(fetcher.lookback_s)]
    parts += [f"{c.part}={c.selector}" for c in counters]
    return cs.entry_key(*parts)


def _records(
    refined: list[tuple[float, float, str]], lo: np.ndarray, hi: np.ndarray, parts: list[str]
) -> cs.Entry | None:
    """The refined (start, end, part) records inside the bins (lo, hi] kept, one row per
    (start, end) with 1.0 for each part counted again there (None: no record)."""
    rows: dict[tuple[float, float], set[str]] = {}
    for a, b, p in refined:
        if np.any((lo <= a) & (hi >= b)):
            rows.setdefault((a, b), set()).add(p)
    if not rows:
        return None
    keys = sorted(rows, key=lambda r: (r[1], r[0]))
    values = {p: np.array([1.0 if p in rows[r] else np.nan for r in keys]) for p in parts}
    return cs.Entry(np.array([r[0] for r in keys]), np.array([r[1] for r in keys]), values)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of True in `mask`."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _same(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    """Whether two sets of counts are equal bit for bit (NaN equal to NaN)."""
    return all(np.array_equal(a[p], b[p], equal_nan=True) for p in a)


class CachedCounts(CounterCounts):
    """`count_aligned` with settled bins served from the run's BinCache (see the module)."""

    cache: BinCache | None
    engine: str
    lookback_s: float

    def count_aligned(
        self,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        seen: dict[str, float] | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        cache = self.cache
        if cache is None or not counters or seen is not None:
            return self._count_on(counters, edges, span, seen)
        name = entry_name(self, counters)
        lo, hi = edges[:-1], edges[1:]
        entry = cache.get(name)
        idx = entry.lookup(lo, hi) if entry is not None else np.full(lo.size, -1)
        cached = (idx >= 0) & (hi <= cache.settled_before(float(edges[-1])))
        cached[0] &= not self._head(edges)
        if entry is None or not cached.any():
            return self._count_and_keep(cache, name, counters, edges, span, fresh=False)
        got = self._warm(cache, entry, name, counters, edges, span, idx, cached)
        if got is None:  # the self-check failed: counted afresh, the entry replaced
            return self._count_and_keep(cache, name, counters, edges, span, fresh=True)
        return got

    def _head(self, edges: np.ndarray) -> bool:
        """Whether the grid's first bin is the `head_bin` of a cut grid (one starting before
        the grid): its pieces are counted from its per-series answers, so it is counted every
        run, and never kept (its own count is not refined where flagged)."""
        hb = getattr(self, "head_bin", None)
        return hb is not None and abs(float(edges[0]) - hb[0]) < 1e-3

    def _count_and_keep(
        self,
        cache: BinCache,
        name: str,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        *,
        fresh: bool,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The whole grid counted as without a cache; its settled clean bins stored."""
        marks = self._marks()
        values, presence = self._count_on(counters, edges, span)
        mode = self._mode(counters, presence)
        fetch = np.ones(edges.size - 1, dtype=bool)
        self._keep(cache, name, counters, edges, values, presence, mode, fetch, marks, fresh)
        cache.count(0, int(fetch.size))
        return values, presence

    def _warm(
        self,
        cache: BinCache,
        entry: cs.Entry,
        name: str,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        idx: np.ndarray,
        cached: np.ndarray,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None:
        """Counts with cached bins served and the rest counted; None when a bin counted again
        differs from its cached count."""
        n = edges.size - 1
        lo, hi = edges[:-1], edges[1:]
        wide = hi - lo >= PER_SERIES_STEP_S
        derived = _subsets(counters)
        bases = [c for c in counters if c.part not in derived]
        keys = [c.part for c in counters]
        values = {p: np.full(n, np.nan) for p in keys}
        presence = {c.selector: np.full(n, np.nan) for c in bases}
        at = np.flatnonzero(cached)
        for p in keys:
            values[p][at] = entry.values[p][idx[at]]
        for c in bases:
            presence[c.selector][at] = entry.values["n_" + c.part][idx[at]]
        marks = self._marks()
        fetch = ~cached & wide
        self._count_runs(counters, edges, span, fetch, values, presence, None)
        mode = self._mode(counters, presence)
        cached_mode = np.full(n, np.nan)
        cached_mode[at] = entry.values["_raw"][idx[at]]
        usable = cached & (wide | (cached_mode == mode))
        rest = ~wide & ~usable
        if usable.any():  # the self-check: the newest bins served are counted again
            newest = float(hi[usable].max())
            rest |= usable & (hi > newest - SELF_CHECK_S) & ~wide
            rest |= usable & (hi == newest)
        seen = {s: float(np.nanmax(a[wide])) for s, a in presence.items() if wide.any()}
        seen = {s: v for s, v in seen.items() if not np.isnan(v)}
        self._count_runs(counters, edges, span, rest, values, presence, seen)
        fetch |= rest
        check = np.flatnonzero(fetch & usable)
        old = {p: entry.values[p][idx[check]] for p in keys}
        old |= {"n_" + c.part: entry.values["n_" + c.part][idx[check]] for c in bases}
        now = {p: values[p][check] for p in keys}
        now |= {"n_" + c.part: presence[c.selector][check] for c in bases}
        if not _same(old, now):
            cache.warn(
                f"cached counts of {counters[0].selector} differ from the server's (another "
                "server behind the URL, or a backfill): its cache entry is dropped, every bin "
                "counted again"
            )
            return None
        self._keep(cache, name, counters, edges, values, presence, mode, fetch, marks, False)
        self._served_refined(cache.get(name + "/refined"), lo[~fetch], hi[~fetch], keys)
        cache.count(int((~fetch).sum()), int(fetch.sum()))
        return values, presence

    def _served_refined(
        self, records: cs.Entry | None, lo: np.ndarray, hi: np.ndarray, keys: list[str]
    ) -> None:
        """The bins counted again from raw samples inside the bins served, as when counted."""
        if records is None or not lo.size:
            return
        order = np.argsort(hi)
        at = np.clip(np.searchsorted(hi[order], records.hi, side="left"), 0, hi.size - 1)
        inside = (records.lo >= lo[order][at]) & (records.hi <= hi[order][at])
        for k in np.flatnonzero(inside).tolist():
            for p in keys:
                if records.values.get(p, np.zeros(k + 1))[k] == 1.0:
                    self.refined.append((float(records.lo[k]), float(records.hi[k]), p))

    def _count_runs(
        self,
        counters: list[Counter],
        edges: np.ndarray,
        span: float,
        fetch: np.ndarray,
        values: dict[str, np.ndarray],
        presence: dict[str, np.ndarray],
        seen: dict[str, float] | None,
    ) -> None:
        """Count each run of bins in `fetch` as a sub-grid with the whole grid's span."""
        for a, b in _runs(fetch):
            got, pres = self._count_on(counters, edges[a : b + 1], span, seen)
            for p, v in got.items():
                values[p][a:b] = v
            for s, v in pres.items():
                presence[s][a:b] = v

    def _mode(self, counters: list[Counter], presence: dict[str, np.ndarray]) -> float:
        """1.0 when the fine tier is counted from raw samples, else 0.0 (raw_tier_ok)."""
        most = {s: float(np.nanmax(a)) for s, a in presence.items() if not np.isnan(a).all()}
        return 1.0 if self.raw_tier_ok(counters, most) else 0.0

    def _marks(self) -> tuple[int, int, int, dict[str, int]]:
        gaps = {p: len(g) for p, g in self.gaps.items()}
        return len(self.refined), len(self.relooked), len(self.births), gaps

    def _keep(
        self,
        cache: BinCache,
        name: str,
        counters: list[Counter],
        edges: np.ndarray,
        values: dict[str, np.ndarray],
        presence: dict[str, np.ndarray],
        mode: float,
        fetch: np.ndarray,
        marks: tuple[int, int, int, dict[str, int]],
        fresh: bool,
    ) -> None:
        """Store the settled bins counted this run that were not refined, not touched by a
        bridged gap and not in a segment counted with the long lookback."""
        lo, hi = edges[:-1], edges[1:]
        keep = fetch & (hi <= cache.settled_before(float(edges[-1])))
        keep[0] &= not self._head(edges)
        dirty = list(self.relooked[marks[1] :])
        dirty += [(t - 1e-3, t) for t in self.births[marks[2] :]]
        for p, gaps in self.gaps.items():
            dirty += [(g.start, g.end) for g in gaps[marks[3].get(p, 0) :]]
        for a, b in dirty:
            keep &= ~((lo < b) & (hi > a))
        if not keep.any() and not fresh:
            return
        derived = _subsets(counters)
        parts = {c.part: values[c.part][keep] for c in counters}
        for c in counters:
            if c.part not in derived:
                parts["n_" + c.part] = presence[c.selector][keep]
        parts["_raw"] = np.where(hi[keep] - lo[keep] >= PER_SERIES_STEP_S, np.nan, mode)
        cache.put(name, cs.Entry(lo[keep].copy(), hi[keep].copy(), parts), fresh=fresh)
        records = _records(self.refined[marks[0] :], lo[keep], hi[keep], [c.part for c in counters])
        if records is not None or fresh:
            empty = cs.Entry(np.zeros(0), np.zeros(0), {c.part: np.zeros(0) for c in counters})
            cache.put(name + "/refined", records or empty, fresh=fresh)
