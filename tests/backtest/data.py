"""Generated history for the `slo backtest` tests (tests/backtest/): exact, deterministic counts
whose truth the tests compute from the stories' parameters (never from the tool).

Every series is scraped once a minute, 20 s into it, and each sample adds a whole number of
events, so the slo 1-minute bin (t − 1m, t] holds exactly the events of minute [t − 1m, t).

- `cal` (calendar windows): 1,000 requests a minute, 140 of them errors (a constant burn rate
  of 14 at 99 %), from 30 December 2025 to END (1 April 2026, 00:00 UTC).
- `comp` (composites): members m1, m2, m3 with 600, 300 and 100 requests a minute and no errors
  but in their incidents (INCIDENTS: member, first minute, end, errors a minute; odd numbers,
  so no window burns exactly at a threshold), over the last 3 days before END.
"""

from __future__ import annotations

import numpy as np

from tests import datagen as G

#: 2026-04-01T00:00:00Z: a 90-day replay ending here covers January, February and March (UTC)
END = 1_775_001_600.0
MIN = 60.0
OFFSET = 20.0
CAL_START = END - 92 * G.DAY
CAL_TOTAL, CAL_BAD = 1000, 140
COMP_START = END - 3 * G.DAY
TRAFFIC = {"m1": 600, "m2": 300, "m3": 100}
INCIDENTS = [  # member, start, end (whole minutes), errors per minute
    ("m1", END - 20 * 3600, END - 19.5 * 3600, 61),
    ("m2", END - 10 * 3600, END - 8 * 3600, 16),
    ("m3", END - 5 * 3600, END - 5 * 3600 + 10 * 60, 53),
    ("m1", END - 3 * 3600, END - 2 * 3600, 7),
]

SPEC = """version: slo/v1
service: bt
slos:
  - name: month-utc
    objective: 99
    window: {calendar: month, timezone: UTC}
    sli: {ratio: {bad: 'cal_requests_total{code="500"}', total: 'cal_requests_total'}}
    alerting:
      windows:
        - {severity: page, long: 1h, short: 5m, budget_consumed: 2}
  - name: month-berlin
    objective: 99
    window: {calendar: month, timezone: Europe/Berlin}
    sli: {ratio: {bad: 'cal_requests_total{code="500"}', total: 'cal_requests_total'}}
    alerting:
      windows:
        - {severity: page, long: 1h, short: 5m, budget_consumed: 2}
"""

RULES = """    alerting:
      windows:
        - {severity: page, long: 1h, short: 5m, burn_rate: 6}
        - {severity: ticket, long: 6h, short: 30m, budget_consumed: 10}
"""
OBJECTIVES = {"m1": 99.0, "m2": 99.5, "m3": 99.0}
WEIGHTS = {  # method -> weights of m1, m2, m3
    "weighted": (1.0, 1.0, 2.0),
    "least_healthy": (1.0, 1.0, 1.0),
    "weighted_burn": (1.0, 2.0, 0.5),
}


def composite_spec() -> str:
    """The members (1-day windows) and one composite per method (1-day window, RULES)."""
    out = ["version: slo/v1", "service: comp", "slos:"]
    for m, o in OBJECTIVES.items():
        out += [
            f"  - name: {m}",
            f"    objective: {o:g}",
            "    window: 1d",
            f'    sli: {{ratio: {{bad: \'comp_requests_total{{member="{m}",code="500"}}\', '
            f"total: 'comp_requests_total{{member=\"{m}\"}}'}}}}",
        ]
        out.append(RULES.rstrip("\n"))
    out.append("composites:")
    for method, weights in WEIGHTS.items():
        members = ", ".join(
            f"{{slo: {m}, weight: {w:g}}}" for m, w in zip(OBJECTIVES, weights, strict=True)
        )
        out += [
            f"  - name: {method.replace('_', '-')}",
            "    objective: 99",
            "    window: 1d",
            f"    method: {method}",
            f"    members: [{members}]",
            RULES.rstrip("\n"),
        ]
    return "\n".join(out) + "\n"


def per_minute(member: str, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bad, total) of a member in the minutes [edges[k], edges[k] + 60 s), from the stories."""
    minutes = edges[:-1]
    total = np.full(minutes.size, float(TRAFFIC[member]))
    bad = np.zeros(minutes.size)
    for m, a, b, errors in INCIDENTS:
        if m == member:
            bad[(minutes >= a) & (minutes < b)] = errors
    return bad, total


def build() -> G.Dataset:
    ds = G.Dataset()
    rng = np.random.default_rng(0)
    t = G.scrape_times(CAL_START, END, MIN, offset=OFFSET, jitter=0.0, rng=rng)
    for code, n in (("200", CAL_TOTAL - CAL_BAD), ("500", CAL_BAD)):
        G.add_counter(ds, "cal_requests", {"code": code}, t, np.full(t.size, float(n)))
    t = G.scrape_times(COMP_START, END, MIN, offset=OFFSET, jitter=0.0, rng=rng)
    minutes = np.append(t - OFFSET, t[-1] - OFFSET + MIN)
    for member in TRAFFIC:
        bad, total = per_minute(member, minutes)
        # the sample 20 s into minute m adds minute m's events
        G.add_counter(ds, "comp_requests", {"member": member, "code": "200"}, t, total - bad)
        G.add_counter(ds, "comp_requests", {"member": member, "code": "500"}, t, bad)
    return ds
