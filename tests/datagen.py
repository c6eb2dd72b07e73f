"""Synthetic Prometheus history whose exact event counts are known.

Builds series sample by sample (unaligned, jittered scrape times, gaps, counter resets,
several series per SLI, classic histograms with odd `le` spellings, 0/1 gauges), writes them as
OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`, and answers "how many events
happened in (start, end]" from the samples themselves — the truth a test compares against.

Counting rule (the one Prometheus' own reset handling implies, see docs prometheus.md): an
event count is the sum over each series of its sample-to-sample increases, where a decrease
means the counter restarted from zero (the increase is then the new value), and a series' first
sample is not counted. An increase belongs to the timestamp of the sample that shows it.

Values are whole numbers, so every sum is exact in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Labels = Mapping[str, str]


@dataclass
class Series:
    """One series: sample name (with suffix, e.g. `http_requests_total`), labels, samples."""

    name: str
    labels: dict[str, str]
    times: np.ndarray  # epoch seconds, strictly increasing, millisecond precision
    values: np.ndarray  # float64

    def increments(self) -> tuple[np.ndarray, np.ndarray]:
        """(times, increases) per sample after the first, reset-aware."""
        v = self.values
        diff = np.diff(v)
        inc = np.where(diff >= 0, diff, v[1:])
        return self.times[1:], inc

    def count(self, start: float, end: float) -> float:
        """Events in (start, end] in seconds."""
        t, inc = self.increments()
        return float(inc[(t > start) & (t <= end)].sum())

    def value_at(self, t: float, lookback: float = 300.0) -> float | None:
        """The value an instant query at `t` sees (latest sample in [t - lookback, t]), or None."""
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        if i < 0 or self.times[i] < t - lookback:
            return None
        return float(self.values[i])


@dataclass
class Family:
    """A metric family: name (without suffixes), OpenMetrics type, its series."""

    name: str
    type: str  # counter | gauge | histogram
    series: list[Series] = field(default_factory=list)


@dataclass
class Dataset:
    """All families to backfill, plus the truth queries over them."""

    families: list[Family] = field(default_factory=list)

    def family(self, name: str, type_: str) -> Family:
        for fam in self.families:
            if fam.name == name:
                return fam
        fam = Family(name, type_)
        self.families.append(fam)
        return fam

    def select(self, name: str, where: Callable[[Labels], bool] | None = None) -> list[Series]:
        """Series with this sample name whose labels pass `where`."""
        return [
            s
            for fam in self.families
            for s in fam.series
            if s.name == name and (where is None or where(s.labels))
        ]

    def count(
        self, name: str, start: float, end: float, where: Callable[[Labels], bool] | None = None
    ) -> float:
        """True events in (start, end] summed over the selected series."""
        return sum(s.count(start, end) for s in self.select(name, where))

    def openmetrics(self) -> str:
        """OpenMetrics text: one family at a time, series sorted, samples in time order, `# EOF`."""
        out: list[str] = []
        for fam in self.families:
            out.append(f"# TYPE {fam.name} {fam.type}")
            for s in sorted(fam.series, key=lambda s: (s.name, sorted(s.labels.items()))):
                lab = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                head = f"{s.name}{{{lab}}} " if lab else f"{s.name} "
                vals = [_fmt(v) for v in s.values.tolist()]
                ts = [f"{t:.3f}" for t in s.times.tolist()]
                out.extend(f"{head}{v} {t}" for v, t in zip(vals, ts, strict=True))
        out.append("# EOF")
        return "\n".join(out) + "\n"

    def prometheus_text(self) -> str:
        """The same samples as Prometheus text with integer millisecond timestamps (what
        VictoriaMetrics' /api/v1/import/prometheus reads)."""
        out: list[str] = []
        for fam in self.families:
            for s in fam.series:
                lab = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                head = f"{s.name}{{{lab}}} " if lab else f"{s.name} "
                vals = [_fmt(v) for v in s.values.tolist()]
                ms = np.rint(s.times * 1000).astype(np.int64).tolist()
                out.extend(f"{head}{v} {t}" for v, t in zip(vals, ms, strict=True))
        return "\n".join(out) + "\n"

    def samples(self) -> int:
        """Stored samples over every series."""
        return sum(s.times.size for fam in self.families for s in fam.series)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def scrape_times(
    start: float,
    end: float,
    interval: float,
    *,
    offset: float = 7.25,
    jitter: float = 2.0,
    gaps: Sequence[tuple[float, float]] = (),
    rng: np.random.Generator,
) -> np.ndarray:
    """Unaligned scrape instants in [start, end): every `interval` s shifted by `offset`, plus
    up to ±`jitter` s of noise, rounded to the millisecond, without those inside any gap."""
    base = np.arange(start + offset, end, interval)
    t = base + rng.uniform(-jitter, jitter, size=base.size)
    t = np.round(t, 3)
    keep = np.ones(t.size, dtype=bool)
    for a, b in gaps:
        keep &= ~((t >= a) & (t < b))
    t = t[keep & (t >= start) & (t < end)]
    return np.unique(t)


def counter_values(
    increments: np.ndarray, times: np.ndarray, resets: Iterable[float] = ()
) -> np.ndarray:
    """Cumulative counter values from per-sample increments (the first one is the start value).

    At each reset instant the counter restarts: the first sample at or after it shows only the
    increments since the restart (the restart is a new process counting from zero).
    """
    values = np.cumsum(increments.astype(float))
    for r in sorted(resets):
        i = int(np.searchsorted(times, r))
        if 0 < i < values.size:
            values[i:] = values[i:] - values[i - 1]
    return values


def rates(
    times: np.ndarray,
    base_per_sample: float,
    *,
    rng: np.random.Generator,
    incidents: Sequence[tuple[float, float, float]] = (),
) -> np.ndarray:
    """Whole-number increments per sample: Poisson around `base_per_sample`, multiplied by
    `factor` inside each (start, end, factor) incident."""
    lam = np.full(times.size, float(base_per_sample))
    for a, b, factor in incidents:
        lam[(times >= a) & (times < b)] *= factor
    return rng.poisson(lam).astype(float)


def add_counter(
    ds: Dataset,
    family: str,
    labels: dict[str, str],
    times: np.ndarray,
    increments: np.ndarray,
    resets: Iterable[float] = (),
    start_value: float = 1000.0,
) -> Series:
    """Add `<family>_total{labels}` with these per-sample increments."""
    inc = increments.copy()
    inc[0] += start_value
    s = Series(f"{family}_total", dict(labels), times, counter_values(inc, times, resets))
    ds.family(family, "counter").series.append(s)
    return s


def add_gapped_counter(
    ds: Dataset,
    family: str,
    labels: dict[str, str],
    times: np.ndarray,
    increments: np.ndarray,
    gaps: Sequence[tuple[float, float]],
    resets: Iterable[float] = (),
    start_value: float = 1000.0,
) -> Series:
    """Like add_counter, but the process keeps counting through each scrape gap [a, b): the
    counter is built on every scrape instant, then the samples inside the gaps are dropped, so
    the first sample after a gap holds all of the gap's events (and a restart inside the gap
    shows as a drop: that sample holds only the events since the restart)."""
    inc = increments.copy()
    inc[0] += start_value
    values = counter_values(inc, times, resets)
    keep = np.ones(times.size, dtype=bool)
    for a, b in gaps:
        keep &= ~((times >= a) & (times < b))
    s = Series(f"{family}_total", dict(labels), times[keep], values[keep])
    ds.family(family, "counter").series.append(s)
    return s


def add_gauge(
    ds: Dataset, name: str, labels: dict[str, str], times: np.ndarray, values: np.ndarray
) -> Series:
    """Add a gauge series (e.g. probe_success 0/1)."""
    s = Series(name, dict(labels), times, values.astype(float))
    ds.family(name, "gauge").series.append(s)
    return s


def add_histogram(
    ds: Dataset,
    family: str,
    labels: dict[str, str],
    times: np.ndarray,
    totals: np.ndarray,
    fractions: Mapping[str, float | np.ndarray],
    *,
    rng: np.random.Generator,
    resets: Iterable[float] = (),
    spelling_change: tuple[float, str, str] | None = None,
) -> dict[str, Series]:
    """Add a classic histogram: `_bucket{le=...}` per `le` spelling (string, as written) and
    `_count`. `fractions[le]` is the share of requests at or below that bound (per sample or
    fixed); shares must not decrease with the bound. `spelling_change=(t, old, new)` writes the
    bucket `old` up to t and the same counter as `new` from t on (a Prometheus 3 upgrade).
    """
    les = sorted(fractions, key=lambda s: float(s))
    n = totals.astype(float)
    prev = np.zeros_like(n)
    out: dict[str, Series] = {}
    per_le: dict[str, np.ndarray] = {}
    for le in les:
        frac = np.broadcast_to(np.asarray(fractions[le], dtype=float), n.shape)
        k = np.maximum(rng.binomial(n.astype(np.int64), np.clip(frac, 0, 1)).astype(float), prev)
        k = np.minimum(k, n)
        per_le[le] = k
        prev = k
    fam = ds.family(family, "histogram")
    for le in les:
        inc = per_le[le].copy()
        inc[0] += 500.0
        vals = counter_values(inc, times, resets)
        if spelling_change and spelling_change[1] == le:
            t_change, old, new = spelling_change
            cut = int(np.searchsorted(times, t_change))
            for spelled, sl in ((old, slice(0, cut)), (new, slice(cut, None))):
                s = Series(f"{family}_bucket", {**labels, "le": spelled}, times[sl], vals[sl])
                fam.series.append(s)
                out[spelled] = s
        else:
            s = Series(f"{family}_bucket", {**labels, "le": le}, times, vals)
            fam.series.append(s)
            out[le] = s
    n_inc = n.copy()
    n_inc[0] += 500.0
    count_vals = counter_values(n_inc, times, resets)
    s = Series(f"{family}_count", dict(labels), times, count_vals)
    fam.series.append(s)
    out["count"] = s
    return out


# ---------------------------------------------------------------------------------------------
# The shared dataset of the integration tests

DAY = 86400.0
#: end of the shared dataset: 2026-01-01T00:00:00Z (fixed, so runs are reproducible)
END = 1_767_225_600.0


@dataclass
class SharedData:
    """The shared dataset and the instants its story happens at (epoch seconds)."""

    dataset: Dataset
    start: float
    end: float
    events: dict[str, float]


def shared_dataset(days: float = 31.0, interval: float = 60.0, seed: int = 20260101) -> SharedData:
    """The integration tests' history, `days` long ending at END, scraped every ~`interval` s.

    checkout (ratio, good = non-5xx, 3 series on 2 instances): steady traffic, an incident 2 h
    before the end (30x errors), a counter reset on instance b 90 min before the end and one
    9 days back, a 40-minute scrape gap on instance a 5 h before the end, a series that starts
    12 days before the end.
    search (latency, histogram http_request_duration_seconds): instance a spells le "0.3" and
    "1" (switching to "1.0" 3 days before the end); instance b spells "0.30" and "1.0"; a reset.
    probe (timeslices, probe_success 0/1 on 2 targets): failures during the incident, a gap.
    ledger and inventory: scrape gaps of 10 minutes, 2.5 hours and 3 days, and an error counter
    never created (add_gap_stories).
    """
    rng = np.random.default_rng(seed)
    start = END - days * DAY
    ev = {
        "incident_start": END - 2 * 3600 - 13 * 60,
        "incident_end": END - 2 * 3600 + 22 * 60,
        "reset_b": END - 90 * 60 + 11,
        "reset_old": END - 9 * DAY + 3 * 3600 + 5,
        "gap_start": END - 5 * 3600 - 7 * 60,
        "gap_end": END - 5 * 3600 + 33 * 60,
        "late_start": END - 12 * DAY + 555,
        "le_change": END - 3 * DAY + 1234,
        "hist_reset": END - 26 * 3600 + 77,
        "probe_gap_start": END - 50 * 60,
        "probe_gap_end": END - 41 * 60,
    }
    ds = Dataset()
    incident = [(ev["incident_start"], ev["incident_end"], 30.0)]
    gap = [(ev["gap_start"], ev["gap_end"])]

    # --- ratio: http_requests_total{service="checkout", instance, code}
    t_a = scrape_times(start, END, interval, offset=7.25, gaps=gap, rng=rng)
    t_b = scrape_times(start, END, interval, offset=41.5, rng=rng)
    t_late = scrape_times(ev["late_start"], END, interval, offset=23.0, rng=rng)
    base = {"service": "checkout", "job": "api"}
    add_counter(
        ds, "http_requests", {**base, "instance": "a", "code": "200"}, t_a, rates(t_a, 50, rng=rng)
    )
    add_counter(
        ds,
        "http_requests",
        {**base, "instance": "a", "code": "500"},
        t_a,
        rates(t_a, 0.05, rng=rng, incidents=incident),
    )
    add_counter(
        ds,
        "http_requests",
        {**base, "instance": "b", "code": "200"},
        t_b,
        rates(t_b, 30, rng=rng),
        resets=[ev["reset_b"], ev["reset_old"]],
    )
    add_counter(
        ds,
        "http_requests",
        {**base, "instance": "b", "code": "503"},
        t_b,
        rates(t_b, 0.02, rng=rng, incidents=incident),
        resets=[ev["reset_b"], ev["reset_old"]],
    )
    add_counter(
        ds,
        "http_requests",
        {**base, "instance": "c", "code": "200"},
        t_late,
        rates(t_late, 10, rng=rng),
    )
    # another service sharing the metric (a `sum by (service)` query must keep them apart)
    add_counter(
        ds,
        "http_requests",
        {"service": "cart", "job": "api", "instance": "a", "code": "200"},
        t_a,
        rates(t_a, 20, rng=rng),
    )
    add_counter(
        ds,
        "http_requests",
        {"service": "cart", "job": "api", "instance": "a", "code": "500"},
        t_a,
        rates(t_a, 0.5, rng=rng, incidents=incident),
    )

    # --- latency: http_request_duration_seconds{service="search"}
    h_a = scrape_times(start, END, interval, offset=13.125, rng=rng)
    h_b = scrape_times(start, END, interval, offset=52.0, rng=rng)
    slow = np.where((h_a >= ev["incident_start"]) & (h_a < ev["incident_end"]), 0.5, 0.97)
    add_histogram(
        ds,
        "http_request_duration_seconds",
        {"service": "search", "instance": "a"},
        h_a,
        rates(h_a, 40, rng=rng),
        {"0.1": 0.6 * slow, "0.3": slow, "1": 0.995, "+Inf": 1.0},
        rng=rng,
        spelling_change=(ev["le_change"], "1", "1.0"),
    )
    add_histogram(
        ds,
        "http_request_duration_seconds",
        {"service": "search", "instance": "b"},
        h_b,
        rates(h_b, 25, rng=rng),
        {"0.1": 0.5, "0.30": 0.95, "1.0": 0.99, "+Inf": 1.0},
        rng=rng,
        resets=[ev["hist_reset"]],
    )

    # --- timeslices: probe_success{target}
    for target, off in (("https://shop", 3.5), ("https://api", 31.75)):
        gaps = [(ev["probe_gap_start"], ev["probe_gap_end"])] if target == "https://api" else []
        tp = scrape_times(start, END, 30.0, offset=off, jitter=1.0, gaps=gaps, rng=rng)
        ok = rng.random(tp.size) > 0.002
        ok &= ~(
            (tp >= ev["incident_start"]) & (tp < ev["incident_end"]) & (rng.random(tp.size) < 0.7)
        )
        add_gauge(ds, "probe_success", {"job": "blackbox", "target": target}, tp, ok.astype(float))
    ev.update(add_gap_stories(ds, start))
    return SharedData(ds, start, END, ev)


#: scrape gaps of `ledger` instance a (start, end) relative to END: 10 minutes; 2.5 hours
#: during an incident; 3 days with a restart inside (see add_gap_stories)
LEDGER_GAPS = {
    "10m": (-40 * 60.0, -30 * 60.0),
    "2h30m": (-19 * 3600.0, -16.5 * 3600.0),
    "3d": (-30.5 * DAY, -27.5 * DAY),
}


def add_gap_stories(ds: Dataset, start: float, seed: int = 20260102) -> dict[str, float]:
    """`ledger_requests_total{service="ledger", instance, code}`: instance a is not scraped
    during LEDGER_GAPS (it keeps counting, so the first sample after each gap holds the gap's
    events), one of them during an incident (2.5 % errors on both instances, 20h–16h before the
    end) and one holding a restart of instance a (29 days before the end); instance b is
    scraped throughout. `inventory_requests_total{service="inventory", code="200"}` has no
    error series at all (an error counter that never fired is never created). Its own random
    generator, so the other series of the shared dataset do not change."""
    rng = np.random.default_rng(seed)
    incident = [(END - 20 * 3600, END - 16 * 3600, 50.0)]
    gaps = [(END + a, END + b) for a, b in LEDGER_GAPS.values()]
    restart = END - 29 * DAY + 611
    t_a = scrape_times(start, END, 60.0, offset=17.5, rng=rng)
    t_b = scrape_times(start, END, 60.0, offset=44.75, rng=rng)
    for inst, t, g, resets in (("a", t_a, gaps, [restart]), ("b", t_b, [], [])):
        for code, lam in (("200", 40.0 if inst == "a" else 20.0), ("500", 0.02)):
            labels = {"service": "ledger", "instance": inst, "code": code}
            hits = rates(t, lam, rng=rng, incidents=incident if code == "500" else ())
            # instance a starts high, so its restart shows as a drop across the gap
            first = 1e6 if inst == "a" else 1000.0
            add_gapped_counter(ds, "ledger_requests", labels, t, hits, g, resets, first)
    t_i = scrape_times(start, END, 60.0, offset=29.0, rng=rng)
    labels = {"service": "inventory", "instance": "a", "code": "200"}
    add_counter(ds, "inventory_requests", labels, t_i, rates(t_i, 5, rng=rng))
    return {"ledger_restart": restart}


def slice_flags(
    series: Sequence[Series],
    slice_ends: np.ndarray,
    good_when: Callable[[float], bool],
    lookback: float = 300.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per slice end: (good slices, slices with data) summed over the series, where a series'
    slice value is what an instant query at the slice end sees."""
    good = np.zeros(slice_ends.size)
    data = np.zeros(slice_ends.size)
    for s in series:
        i = np.searchsorted(s.times, slice_ends, side="right") - 1
        ok = i >= 0
        ok[ok] = s.times[i[ok]] >= slice_ends[ok] - lookback
        vals = s.values[np.where(ok, i, 0)]
        data += ok
        good += ok & np.array([good_when(float(v)) for v in vals.tolist()], dtype=bool)
    return good, data
