"""Composites of members at different intervals (docs/rules.md, "Intervals and lag"), for the
real-server test `test_backfill_mixed.py`: a 1-minute timeslice SLO (`fast`), a 5-minute
timeslice SLO of the same probe (`slow-<k>`) and a ratio SLO budgeted by 5-minute timeslices
(`ratio-<k>`: a slice is good when at least 95 % of its requests succeed; a composite's
members share one budgeting method), and one composite of each method over the three
(`weighted-<k>`, `least-<k>`, `burn-<k>`), whose groups run every 5 minutes.

History: 4 days ending at datagen.END, one probe and one counter scrape a minute, each inside a
given span of its minute (jittered up to ±1 s). The probe fails in 60 % of the minutes (seeded)
of a 30-minute incident 3 h before the end; the counter's errors are ×40 for 20 minutes from
10 minutes into it.

The truth (`truth`, `window_sums`, `burn_rates`) is plain arithmetic on the generator's
samples: a probe slice ending at t is what an instant query at t sees (`datagen.slice_flags`),
a ratio slice's events are the counters' increments inside it (`data.minute_bins`); a window
(t − w, t] holds the slices ending inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests import datagen as G
from tests.rules.data import minute_bins

END = G.END
START = END - 4 * G.DAY
SERVICE = "mixed"
INCIDENT = (END - 3 * 3600 + 17, END - 2.5 * 3600 + 17)  # the probe fails in it
ERRORS = (INCIDENT[0] + 600, INCIDENT[0] + 1800)  # the counter's errors ×40
#: the roles whose names are chosen for their groups' evaluation offsets (all every 5 minutes)
ROLES = ("slow", "ratio", "weighted", "least", "burn")
#: member -> (objective, weight in the weighted and weighted_burn composites)
MEMBERS = {"fast": (0.99, 1.0), "slow": (0.98, 5.0), "ratio": (0.97, 5.0)}
TARGET = 0.95  # the ratio SLO's slices
OBJECTIVE = 0.99  # the composites'
WINDOW_S = 2 * 86400.0  # the composites' (it does not reach the first slices of the history)
#: the composites' alert rules: (label, long, short, burn_rate)
ALERTS = (
    ("page 1h/5m", 3600.0, 300.0, 10.0),
    ("page 6h/30m", 21600.0, 1800.0, 2.0),
    ("ticket 1d/2h", 86400.0, 7200.0, 1.0),
)
WINDOWS = {"5m": 300.0, "30m": 1800.0, "1h": 3600.0, "2h": 7200.0, "6h": 21600.0, "1d": 86400.0}

_SLOS = """version: slo/v1
service: mixed
slos:
  - name: fast
    objective: 99
    window: 7d
    budgeting: timeslices
    sli:
      timeslices: {{query: 'probe_success{{job="mixed"}}', good_when: ">= 1", slice: 1m}}
  - name: {slow}
    objective: 98
    window: 7d
    budgeting: timeslices
    sli:
      timeslices: {{query: 'probe_success{{job="mixed"}}', good_when: ">= 1", slice: 5m}}
  - name: {ratio}
    objective: 97
    window: 7d
    budgeting: timeslices
    timeslice: {{slice: 5m, target: 95}}
    sli:
      ratio:
        bad: 'requests_total{{job="mixed",code="500"}}'
        total: 'requests_total{{job="mixed"}}'
composites:
"""
_COMPOSITE = """  - name: {name}
    objective: 99
    window: 2d
    method: {method}
    members:
      - {{slo: fast, weight: 1}}
      - {{slo: {slow}, weight: 5}}
      - {{slo: {ratio}, weight: 5}}
    alerting:
      windows:
        - {{severity: page, long: 1h, short: 5m, burn_rate: 10}}
        - {{severity: page, long: 6h, short: 30m, burn_rate: 2}}
        - {{severity: ticket, long: 1d, short: 2h, burn_rate: 1}}
"""
METHODS = {"weighted": "weighted", "least": "least_healthy", "burn": "weighted_burn"}


def candidates(role: str) -> list[str]:
    return [f"{role}-{k}" for k in range(100)]


def spec(names: dict[str, str]) -> str:
    """The spec with the chosen name of each role."""
    text = _SLOS.format(slow=names["slow"], ratio=names["ratio"])
    for role, method in METHODS.items():
        text += _COMPOSITE.format(
            name=names[role], method=method, slow=names["slow"], ratio=names["ratio"]
        )
    return text


@dataclass
class Data:
    dataset: G.Dataset
    openmetrics: str


def build(free: tuple[float, float], seed: int = 1305) -> Data:
    """The history; every scrape falls `free[0]` to `free[1]` seconds into its minute."""
    rng = np.random.default_rng(seed)
    lo, hi = free
    jitter = min(1.0, (hi - lo) * 0.1)
    ds = G.Dataset()
    tp = G.scrape_times(START, END, 60.0, offset=lo + 0.3 * (hi - lo), jitter=jitter, rng=rng)
    failing = (tp >= INCIDENT[0]) & (tp < INCIDENT[1]) & (rng.random(tp.size) < 0.6)
    G.add_gauge(ds, "probe_success", {"job": SERVICE}, tp, (~failing) * 1.0)
    tc = G.scrape_times(START, END, 60.0, offset=lo + 0.7 * (hi - lo), jitter=jitter, rng=rng)
    errors = (ERRORS[0], ERRORS[1], 40.0)
    G.add_counter(ds, "requests", {"job": SERVICE, "code": "200"}, tc, G.rates(tc, 20, rng=rng))
    G.add_counter(
        ds,
        "requests",
        {"job": SERVICE, "code": "500"},
        tc,
        G.rates(tc, 0.1, rng=rng, incidents=[errors]),
    )
    return Data(ds, ds.openmetrics())


@dataclass(frozen=True)
class Truth:
    """Per member: (bad, total) slices ending at `ends` (its own array)."""

    ends: dict[str, np.ndarray]
    bad: dict[str, np.ndarray]
    total: dict[str, np.ndarray]


def truth(data: Data) -> Truth:
    ds = data.dataset
    probe = ds.select("probe_success")
    minutes = np.arange(START + 60.0, END + 1, 60.0)
    fives = np.arange(START + 300.0, END + 1, 300.0)
    ends, bad, total = {}, {}, {}
    for member, at in (("fast", minutes), ("slow", fives)):
        good, seen = G.slice_flags(probe, at, lambda v: v >= 1)
        ends[member], bad[member], total[member] = at, seen - good, seen
    # the ratio SLO's slices: the requests and errors counted in each 5 minutes
    counters = ds.select("requests_total")
    edges = np.concatenate([[START], fives])
    requests = minute_bins(counters, edges)
    errors = minute_bins([s for s in counters if s.labels["code"] == "500"], edges)
    with np.errstate(invalid="ignore"):
        good = (requests > 0) & ((requests - errors) / requests >= TARGET)
    ends["ratio"] = fives
    total["ratio"] = (requests > 0) * 1.0
    bad["ratio"] = total["ratio"] - good
    return Truth(ends, bad, total)


def window_sums(tr: Truth, t: float, w: float) -> dict[str, tuple[float, float]]:
    """Per member: (bad, total) of its slices ending in (t − w, t]."""
    out = {}
    for m, ends in tr.ends.items():
        inside = (ends > t - w) & (ends <= t)
        out[m] = (float(tr.bad[m][inside].sum()), float(tr.total[m][inside].sum()))
    return out


def burn(method: str, sums: dict[str, tuple[float, float]]) -> float:
    """The composite's burn rate over a window, by the method's definition
    (docs/spec-language.md, "Composite SLOs")."""
    if method == "weighted":
        bad = sum(MEMBERS[m][1] * b for m, (b, _) in sums.items())
        total = sum(MEMBERS[m][1] * n for m, (_, n) in sums.items())
        return bad / total / (1 - OBJECTIVE)
    if method == "least_healthy":
        worst = max(b / n for b, n in sums.values() if n > 0)
        return worst / (1 - OBJECTIVE)
    return sum(
        MEMBERS[m][1] * (b / n / (1 - MEMBERS[m][0]) if n > 0 else 0.0)
        for m, (b, n) in sums.items()
    )


def expected(tr: Truth, method: str, t: float) -> tuple[dict[str, float], float, set[str]]:
    """At t: the burn rate per window, the budget left over the 2-day window and the alerts
    firing."""
    rates = {name: burn(method, window_sums(tr, t, w)) for name, w in WINDOWS.items()}
    remaining = 1 - burn(method, window_sums(tr, t, WINDOW_S))
    firing = set()
    for label, long_s, short_s, factor in ALERTS:
        long_b = burn(method, window_sums(tr, t, long_s))
        short_b = burn(method, window_sums(tr, t, short_s))
        if long_b >= factor and short_b >= factor:
            firing.add(label)
    return rates, remaining, firing
