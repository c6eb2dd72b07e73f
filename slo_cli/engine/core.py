"""Error budgets, burn rates, alerts and time to exhaustion for many SLOs at once (numpy).

Conventions (docs/design.md §2):

* Bins: ``edges`` (n_bins + 1,) epoch seconds, strictly increasing; widths may vary.
* Counts: ``good``, ``total`` (n_slo, n_bins) float64, one row per SLO on the same grid. A bin
  *has data* when neither its good nor its total is NaN; bins without data count as zero events
  and lower the coverage.
* Timeslice budgeting uses the same arrays: good = good slices in the bin, total = slices with
  data in the bin. Nothing else changes.
* RatioTimeslices (``ratio_timeslices=True``, OpenSLO's mean of per-slice ratios): in each bin
  with data and ``total > 0``, ``good / total`` is taken as the mean ratio of the slices in that
  bin, and the bin is weighted by its width in seconds. So the engine's good and total become
  good-seconds and seconds with traffic (``good' = width × good/total``, ``total' = width``),
  and the SLI is the time-weighted mean of slice ratios, which on a grid of one slice per bin is
  exactly the plain mean of per-slice ratios. Sources may deliver either one slice per bin
  (that slice's good and total events) or, for a bin of k slices, good = sum of the k slice
  ratios and total = k. Bins with total == 0 have no traffic: no data.
* good > total in a bin is a data error: the row's ``data_error`` is set and that bin counts
  good = total (never an SLI above 100 %).

Every window ends at ``end`` and starts on a bin edge: window edges are found with
``np.searchsorted`` on ``edges``, and an edge that is not on the grid raises ValueError (a
programming error upstream: the data path plans the grid). All window sums come from one
cumulative sum over bins per quantity (bad events, total events, missing seconds), i.e. the
sum of bins [a, b) is C[b] − C[a]. The engine evaluates that cumulative sum only at the edges
some window starts at: it sums the bins between consecutive such edges (one read of the input)
and takes the cumulative sum of those segment sums. The numbers are those of
``np.nancumsum(..., axis=1)`` read at the window columns, without writing an (n_slo, n_bins)
result; rows are processed in chunks of CHUNK_ROWS with reused, cache-resident scratch arrays,
so memory stays near the input's size.

Coverage is weighted by bin *width*: seconds with data ÷ seconds in the window (on a uniform
grid this equals bins with data ÷ bins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from slo_cli.engine.alerting import DEFAULT_ALERT_RULES, STANDARD_WINDOWS, AlertRule

#: tolerance (seconds) when matching a window edge to a bin edge
EDGE_TOLERANCE_S = 1e-3
#: rows per chunk: 16 rows × 8,640 bins × 8 B = 1.1 MB per scratch array (cache-resident)
CHUNK_ROWS = 16


class Status(IntEnum):
    """Status per SLO, in the order of docs/design.md §2."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    NO_DATA = 3


@dataclass(frozen=True)
class EngineResult:
    """Everything evaluated for n_slo SLOs; arrays of shape (n_slo,), unrounded.

    good, total       events (or slices) over the SLO window [window_start, end].
    bad               total − good.
    sli               good ÷ total; NaN when total == 0.
    allowed_bad       the error budget in events: (1 − objective) × total.
    budget_minutes    its time-equivalent: window_s × (1 − objective) ÷ 60.
    consumed          bad ÷ allowed_bad (= the burn rate over the whole window); NaN without
                      traffic; inf when objective is 1 and anything was bad.
    remaining         1 − consumed (negative when overspent).
    burn_rates        {"5m".."3d", "window"}: (bad ÷ total over the window) ÷ (1 − objective);
                      NaN without traffic in that window.
    coverage          same keys: seconds with data ÷ seconds in the window.
    page, ticket      whether any rule of that severity fires; alerts_firing: labels per SLO.
    time_to_exhaustion_s  remaining × window_s ÷ burn_rates[tte_basis]; inf when that burn is 0
                      (or no traffic in it), 0 when remaining ≤ 0.
    status            Status ints; data_error: some bin in the SLO window had good > total.
    """

    good: np.ndarray
    total: np.ndarray
    bad: np.ndarray
    sli: np.ndarray
    allowed_bad: np.ndarray
    budget_minutes: np.ndarray
    consumed: np.ndarray
    remaining: np.ndarray
    burn_rates: dict[str, np.ndarray]
    coverage: dict[str, np.ndarray]
    page: np.ndarray
    ticket: np.ndarray
    alerts_firing: list[tuple[str, ...]]
    time_to_exhaustion_s: np.ndarray
    tte_basis: str
    status: np.ndarray
    data_error: np.ndarray


def edge_index(edges: np.ndarray, instants: np.ndarray | float) -> np.ndarray:
    """Index into ``edges`` of each instant, which must be a bin edge (within 1 ms).

    >>> edge_index(np.array([0.0, 60.0, 120.0]), np.array([120.0, 0.0]))
    array([2, 0])
    >>> edge_index(np.array([0.0, 60.0, 120.0]), 90.0)
    Traceback (most recent call last):
    ...
    ValueError: window edge 90.0 is not a bin edge (grid 0.0 .. 120.0)
    """
    t = np.atleast_1d(np.asarray(instants, dtype=float))
    idx = np.searchsorted(edges, t - EDGE_TOLERANCE_S, side="left")
    ok = idx < edges.size
    ok[ok] = np.abs(edges[idx[ok]] - t[ok]) <= EDGE_TOLERANCE_S
    if not ok.all():
        bad, first, last = float(t[~ok][0]), float(edges[0]), float(edges[-1])
        raise ValueError(f"window edge {bad!r} is not a bin edge (grid {first!r} .. {last!r})")
    return idx


def _as_rows(values: np.ndarray | float, n_slo: int, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(values, dtype=float), (n_slo,))
    if name == "objective" and ((arr <= 0) | (arr > 1) | np.isnan(arr)).any():
        raise ValueError("objective must be a ratio in (0, 1]")
    return arr


def burn_rate(bad: np.ndarray, total: np.ndarray, objective: np.ndarray) -> np.ndarray:
    """Burn rate: the bad fraction over a window ÷ the fraction the objective allows.

    ``(bad ÷ total) ÷ (1 − objective)``; NaN when total == 0 (no traffic: unknown, not healthy);
    with objective 1 (no budget): inf when anything was bad, else 0 — never a division by zero.

    >>> burn_rate(np.array([3.0, 0.0, 1.0, 0.0]), np.array([1000.0, 0.0, 5.0, 5.0]),
    ...           np.array([0.999, 0.999, 1.0, 1.0])).round(12).tolist()
    [3.0, nan, inf, 0.0]
    """
    bad = np.asarray(bad, dtype=float)
    total = np.asarray(total, dtype=float)
    allowed = 1.0 - np.asarray(objective, dtype=float)
    # the common case costs two divisions; the guards below only touch what they must
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(bad / total, dtype=float)
        no_traffic = ~(total > 0)
        if no_traffic.any():
            ratio = np.where(no_traffic, np.nan, ratio)
        rate = np.asarray(ratio / allowed, dtype=float)
    no_budget = ~(allowed > 0)
    if no_budget.any():
        fix = no_budget & ~np.isnan(ratio)
        rate = np.where(fix, np.where(ratio > 0, np.inf, 0.0), rate)
    return rate


def time_to_exhaustion(remaining: np.ndarray, window_s: np.ndarray, burn: np.ndarray) -> np.ndarray:
    """Seconds until the budget is gone if the burn rate stays ``burn``.

    A burn rate of 1 spends a whole budget in ``window_s`` seconds, so the ``remaining`` share
    lasts ``remaining × window_s ÷ burn``. Infinite when burn is 0 or NaN (no traffic: nothing
    is being spent); 0 when remaining ≤ 0 (already exhausted); NaN when remaining is unknown.
    (``evaluate`` turns the infinity into NaN when the basis window holds no data at all.)

    >>> time_to_exhaustion(np.array([0.5, 0.5, -0.1, 1.0]), np.full(4, 2592000.0),
    ...                    np.array([14.4, 0.0, 3.0, np.nan])).tolist()
    [90000.0, inf, 0.0, inf]
    """
    remaining = np.asarray(remaining, dtype=float)
    burn = np.asarray(burn, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tte = remaining * np.asarray(window_s, dtype=float) / np.where(burn > 0, burn, 1.0)
    tte = np.where(burn > 0, tte, np.inf)
    tte = np.where(remaining <= 0, 0.0, tte)
    return np.asarray(np.where(np.isnan(remaining), np.nan, tte), dtype=float)


def _prepare(
    good: np.ndarray, total: np.ndarray, width: np.ndarray, ratio_timeslices: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin (bad, total, missing seconds, data-error flag) for one chunk of rows, NaN-free."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if ratio_timeslices:
            traffic = total > 0  # False for NaN too
            ratio = good / np.where(traffic, total, 1.0)
            error = traffic & (ratio > 1.0)
            missing = ~traffic | np.isnan(ratio)
            tot = np.where(missing, 0.0, width)
            bad = np.where(missing, 0.0, (1.0 - np.minimum(ratio, 1.0)) * width)
        else:
            bad = total - good  # NaN when either is NaN
            missing = np.isnan(bad)
            error = bad < 0
            np.maximum(bad, 0.0, out=bad)  # good > total counts as good == total
            bad[missing] = 0.0
            tot = np.where(missing, 0.0, total)
    return bad, tot, missing * width, error


#: beyond this many bin-width changes on a grid, missing seconds are summed bin by bin
MAX_WIDTH_RUNS = 64


class _Segments:
    """The bins between window boundaries, as slices.

    The boundaries are the bin indices where some window starts (plus 0 and the end), and where
    the bin width changes (so that within a segment every bin has the same width and missing
    seconds are a count times a width). Summing each segment and then taking a cumulative sum
    over the segments gives the cumulative sum over bins *at exactly the edges the windows
    need*: the same numbers as a full ``np.nancumsum`` read at those columns, without writing
    an (n_slo, n_bins) array.
    """

    def __init__(self, width: np.ndarray, cols: np.ndarray) -> None:
        self.width = width
        changes = np.flatnonzero(np.diff(width)) + 1
        self.uniform_runs = changes.size <= MAX_WIDTH_RUNS
        self.fixed = np.concatenate([[0], cols, changes if self.uniform_runs else []])

    def for_starts(self, starts: np.ndarray) -> np.ndarray:
        """Sorted unique boundaries (bin indices < n_bins, and n_bins itself at the end)."""
        bounds = np.unique(np.concatenate([self.fixed, starts]).astype(np.int64))
        if bounds[-1] != self.width.size:
            bounds = np.append(bounds, self.width.size)
        return bounds


class _Buffers:
    """Scratch arrays for one chunk of rows, reused chunk after chunk (no page faults)."""

    def __init__(self, rows: int, n_bins: int) -> None:
        self.bad = np.empty((rows, n_bins))
        self.tot = np.empty((rows, n_bins))
        self.miss = np.empty((rows, n_bins), dtype=bool)
        self.secs = np.empty((rows, n_bins))

    def prepare(
        self, good: np.ndarray, total: np.ndarray, width: np.ndarray, ratio_timeslices: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """NaN-free per-bin bad and total events of a chunk (views of the scratch arrays), the
        missing-bin mask, and the data-error flags (None when the chunk has none)."""
        rows = good.shape[0]
        bad, tot, miss = self.bad[:rows], self.tot[:rows], self.miss[:rows]
        error: np.ndarray | None = None
        if ratio_timeslices:
            b, t, missing_s, e = _prepare(good, total, width, True)
            bad[...], tot[...] = b, t
            np.greater(missing_s, 0.0, out=miss)
            error = e if e.any() else None
        else:
            np.subtract(total, good, out=bad)  # NaN when either is NaN
            np.isnan(bad, out=miss)
            if np.fmin.reduce(bad, axis=None) < 0:  # good > total somewhere (NaN ignored)
                error = bad < 0
            np.fmax(bad, 0.0, out=bad)  # one pass: NaN -> 0, and good > total counts as equal
            np.copyto(tot, total)
            np.copyto(tot, 0.0, where=miss)
        return bad, tot, miss, error

    def segment_sums(
        self,
        good: np.ndarray,
        total: np.ndarray,
        segments: _Segments,
        bounds: np.ndarray,
        ratio_timeslices: bool,
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray | None]:
        """Per-segment (bad, total, missing seconds) of a chunk, segment m holding bins
        [bounds[m], bounds[m+1]); and the data-error flags (None when the chunk has none)."""
        bad, tot, miss, error = self.prepare(good, total, segments.width, ratio_timeslices)
        rows = good.shape[0]
        width = segments.width
        n_seg = bounds.size - 1
        out = np.empty((3, rows, n_seg))
        flags = miss.view(np.uint8)
        if not segments.uniform_runs:
            secs = self.secs[:rows]
            np.multiply(miss, width, out=secs)
        for m in range(n_seg):
            lo, hi = int(bounds[m]), int(bounds[m + 1])
            out[0, :, m] = bad[:, lo:hi].sum(axis=1)
            out[1, :, m] = tot[:, lo:hi].sum(axis=1)
            if segments.uniform_runs:  # one width per segment: missing bins × that width
                out[2, :, m] = flags[:, lo:hi].sum(axis=1, dtype=np.int64) * width[lo]
            else:
                out[2, :, m] = secs[:, lo:hi].sum(axis=1)
        return (out[0], out[1], out[2]), error


def evaluate(
    edges: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    *,
    end: float,
    objective: np.ndarray | float,
    window_start: np.ndarray | float,
    window_s: np.ndarray | float,
    rules: Sequence[AlertRule] = DEFAULT_ALERT_RULES,
    min_coverage: float = 0.5,
    warn_remaining: float = 0.25,
    ratio_timeslices: bool = False,
    tte_basis: str = "1h",
) -> EngineResult:
    """Evaluate n_slo SLOs sharing one bin grid at instant ``end`` (a bin edge).

    The SLO window is [window_start, end] per SLO (for a calendar window, window_start is the
    period start and window_s the whole period, whose budget is spread over its full length);
    burn-rate windows are [end − w, end]. Alert rule r fires when the burn rate over both its
    long and its short window is ≥ burn_factor(r, window_s). Status, first match wins:
    CRITICAL (a page fires, or remaining ≤ 0), NO_DATA (coverage of the SLO window below
    ``min_coverage``, no traffic in it, or no data at all in the last hour), WARNING (a ticket
    fires, or remaining < ``warn_remaining``), OK. Evidence of harm beats missing data; missing
    data is never OK.

    One SLO at 99.9 % over 30 days of 5-minute bins, 100 events per bin (1,200 an hour); in the
    last hour 1.5 bad per bin (burn (18 ÷ 1,200) ÷ 0.001 = 15 ≥ 14.4 over 1 h and over 5 m), and
    99 bad events long ago. Budget: 0.001 × 864,000 = 864 events; spent 117; remaining
    1 − 117/864 = 0.8645833…; at burn 15 that lasts 0.8645833 × 720 h ÷ 15 = 41.5 h:

    >>> edges = np.arange(0, 30 * 86400 + 1, 300.0)
    >>> total = np.full((1, edges.size - 1), 100.0)
    >>> bad = np.zeros_like(total); bad[0, -12:] = 1.5; bad[0, :99] = 1.0
    >>> r = evaluate(edges, total - bad, total, end=edges[-1], objective=0.999,
    ...              window_start=0.0, window_s=30 * 86400.0)
    >>> float(r.total[0]), float(r.bad[0]), round(float(r.allowed_bad[0]), 9)
    (864000.0, 117.0, 864.0)
    >>> round(float(r.remaining[0]), 9), round(float(r.burn_rates["1h"][0]), 9)
    (0.864583333, 15.0)
    >>> r.page.tolist(), r.alerts_firing, Status(int(r.status[0])).name
    ([True], [('page 1h/5m',)], 'CRITICAL')
    >>> round(float(r.time_to_exhaustion_s[0]) / 3600, 6)
    41.5

    SLI = 1 − 117/864,000; the budget's time-equivalent is 30 d × 0.1 % = 43.2 minutes; every
    bin has data, so coverage is 1:

    >>> round(float(r.sli[0]), 12), round(float(r.budget_minutes[0]), 9)
    (0.999864583333, 43.2)
    >>> float(r.coverage["window"][0])
    1.0

    RatioTimeslices: slices with ratios 10/10, 5/10, (no traffic), 9/10 of 300 s each give
    good-seconds 300 × (1 + 0.5 + 0.9) = 720 of 900 seconds with traffic: SLI (1 + .5 + .9) ÷ 3:

    >>> g = np.full((1, edges.size - 1), np.nan); t = g.copy()
    >>> g[0, -4:], t[0, -4:] = [10, 5, 0, 9], [10, 10, 0, 10]
    >>> rt = evaluate(edges, g, t, end=edges[-1], objective=0.9, window_start=0.0,
    ...               window_s=30 * 86400.0, ratio_timeslices=True)
    >>> float(rt.good[0]), float(rt.total[0]), round(float(rt.sli[0]), 12)
    (720.0, 900.0, 0.8)
    """
    edges = np.asarray(edges, dtype=float)
    good = np.atleast_2d(np.asarray(good, dtype=float))
    total = np.atleast_2d(np.asarray(total, dtype=float))
    n_slo, n_bins = total.shape
    if edges.ndim != 1 or edges.size != n_bins + 1 or good.shape != total.shape:
        raise ValueError(
            f"shapes disagree: edges {edges.shape}, good {good.shape}, total {total.shape}"
        )
    if n_bins and not (np.diff(edges) > 0).all():
        raise ValueError("bin edges must be strictly increasing")
    objective = _as_rows(objective, n_slo, "objective")
    start = _as_rows(window_start, n_slo, "window_start")
    window_s = _as_rows(window_s, n_slo, "window_s")
    rules = tuple(rules)

    # every window length needed: the standard ones and each rule's long and short window
    lengths: dict[float, int] = {}
    for w in [w for _, w in STANDARD_WINDOWS] + [x for r in rules for x in (r.long_s, r.short_s)]:
        lengths.setdefault(float(w), len(lengths))
    j_end = int(edge_index(edges, end)[0])
    j_len = edge_index(edges, float(end) - np.array(list(lengths)))
    j_start = edge_index(edges, start)
    if (j_start > j_end).any():
        raise ValueError("window_start is after end")
    j_cols = np.concatenate([j_len, [j_end]])

    width = np.diff(edges)
    k = len(lengths)
    bad_at = np.empty((n_slo, k + 1))  # cumulative sums at the window starts and at end
    tot_at = np.empty((n_slo, k + 1))
    miss_at = np.empty((n_slo, k + 1))
    bad_w = np.empty(n_slo)  # SLO window sums (per-row start)
    tot_w = np.empty(n_slo)
    miss_w = np.empty(n_slo)
    data_error = np.zeros(n_slo, dtype=bool)
    segments = _Segments(width, j_cols)

    def work(lo: int, hi: int) -> None:
        buffers = _Buffers(min(CHUNK_ROWS, hi - lo), n_bins)
        for r0 in range(lo, hi, CHUNK_ROWS):
            r1 = min(r0 + CHUNK_ROWS, hi)
            starts = j_start[r0:r1]
            bounds = segments.for_starts(starts)
            sums, error = buffers.segment_sums(
                good[r0:r1], total[r0:r1], segments, bounds, ratio_timeslices
            )
            # prefix sums at each boundary: the cumulative sum, evaluated where windows start
            pos_cols = np.searchsorted(bounds, j_cols)
            pos_start = np.searchsorted(bounds, starts)
            pos_end = int(np.searchsorted(bounds, j_end))
            rows = np.arange(r1 - r0)
            for seg, at, w_sum in (
                (sums[0], bad_at, bad_w),
                (sums[1], tot_at, tot_w),
                (sums[2], miss_at, miss_w),
            ):
                cum = np.zeros((r1 - r0, seg.shape[1] + 1))
                np.cumsum(seg, axis=1, out=cum[:, 1:])
                at[r0:r1] = cum[:, pos_cols]
                w_sum[r0:r1] = cum[:, pos_end] - cum[rows, pos_start]
            if error is not None:  # rare: look inside each SLO window only
                for i in np.flatnonzero(error.any(axis=1)):
                    data_error[r0 + i] = bool(error[i, starts[i] : j_end].any())

    work(0, n_slo)

    def window_sums(col: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        span = float(edges[j_end] - edges[j_len[col]])
        cov = 1.0 - (miss_at[:, k] - miss_at[:, col]) / span if span > 0 else np.full(n_slo, np.nan)
        return bad_at[:, k] - bad_at[:, col], tot_at[:, k] - tot_at[:, col], cov

    burn: dict[float, np.ndarray] = {}
    cover: dict[float, np.ndarray] = {}
    for w, col in lengths.items():
        b, t, cov = window_sums(col)
        burn[w] = burn_rate(b, t, objective)
        cover[w] = cov

    span_w = edges[j_end] - edges[j_start]
    with np.errstate(divide="ignore", invalid="ignore"):
        cov_w = np.where(span_w > 0, 1.0 - miss_w / np.where(span_w > 0, span_w, 1.0), np.nan)
        sli = np.where(tot_w > 0, (tot_w - bad_w) / np.where(tot_w > 0, tot_w, 1.0), np.nan)
    consumed = burn_rate(bad_w, tot_w, objective)
    remaining = 1.0 - consumed
    allowed = (1.0 - objective) * tot_w

    page = np.zeros(n_slo, dtype=bool)
    ticket = np.zeros(n_slo, dtype=bool)
    firing: list[list[str]] = [[] for _ in range(n_slo)]
    for rule in rules:
        factor = (
            np.full(n_slo, float(rule.burn_rate))
            if rule.burn_rate is not None
            # burn_factor's arithmetic, element-wise in the same order: share × window_s ÷ long_s
            else float(rule.budget_share or 0.0) * window_s / float(rule.long_s)
        )
        with np.errstate(invalid="ignore"):
            on = (burn[float(rule.long_s)] >= factor) & (burn[float(rule.short_s)] >= factor)
        for i in np.flatnonzero(on):
            firing[i].append(rule.label)
        if rule.severity == "page":
            page |= on
        else:
            ticket |= on

    burn_rates = {name: burn[float(w)] for name, w in STANDARD_WINDOWS}
    coverage = {name: cover[float(w)] for name, w in STANDARD_WINDOWS}
    burn_rates["window"] = consumed
    coverage["window"] = cov_w
    if tte_basis not in burn_rates:
        raise ValueError(f"tte_basis must be one of {', '.join(burn_rates)}")
    tte = time_to_exhaustion(remaining, window_s, burn_rates[tte_basis])
    # No data at all over the basis window is not "no burn": the time left is unknown.
    tte = np.where((coverage[tte_basis] > 0) | (remaining <= 0), tte, np.nan)

    with np.errstate(invalid="ignore"):
        # Blind now: not one bin with data in the last hour, so the page alerts cannot be
        # evaluated; a healthy-looking window must not hide that.
        blind_now = ~(coverage["1h"] > 0)
        no_data = ~(cov_w >= min_coverage) | ~(tot_w > 0) | blind_now
        critical = page | (remaining <= 0)
        warning = ticket | (remaining < warn_remaining)
    status = np.full(n_slo, int(Status.OK), dtype=np.int8)
    status[warning] = Status.WARNING
    status[no_data] = Status.NO_DATA
    status[critical] = Status.CRITICAL
    return EngineResult(
        good=tot_w - bad_w,
        total=tot_w,
        bad=bad_w,
        sli=sli,
        allowed_bad=allowed,
        budget_minutes=window_s * (1.0 - objective) / 60.0,
        consumed=consumed,
        remaining=remaining,
        burn_rates=burn_rates,
        coverage=coverage,
        page=page,
        ticket=ticket,
        alerts_firing=[tuple(f) for f in firing],
        time_to_exhaustion_s=tte,
        tte_basis=tte_basis,
        status=status,
        data_error=data_error,
    )
