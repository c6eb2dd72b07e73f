"""Composites over tests/rules/data.py's SLOs, for the backfill test: one of each method over
a rolling window and a least_healthy one over calendar months in Europe/Berlin.

A composite's group reads its members' recorded counts at its own evaluation offset, so it
holds the members' latest minute only when it evaluates after them (docs/rules.md, "Intervals
and lag"). The group offsets are a hash of the group's name and file: the fixture probes
candidate names (`ROLES` with a numeric suffix) and writes the spec with, per role, the first
name whose offset falls after every member group's and early enough in the minute for the
scrapes after it (and for the 5-minute member `probe5` the earliest).
"""

from __future__ import annotations

#: role -> (method, window, members as "slo[:weight]")
ROLES = {
    "weighted": ("weighted", "7d", ("shop/availability:1", "shop/latency:2")),
    "least": ("least_healthy", "7d", ("shop/availability:1", "shop/latency:1")),
    "burn": ("weighted_burn", "7d", ("shop/availability:1", "shop/latency:3")),
    "month": (
        "least_healthy",
        "{calendar: month, timezone: Europe/Berlin}",
        ("shop/availability:1", "shop/latency:1"),
    ),
    # members at different intervals: shop/probe's 1-minute slices and PROBE5's 5-minute ones
    "mixed": ("weighted", "7d", ("shop/probe:1", "PROBE5:5")),
}
#: a 5-minute timeslice SLO of the same probe (its name is chosen like the composites')
PROBE5 = """  - name: {name}
    objective: 99
    window: 7d
    budgeting: timeslices
    sli:
      timeslices: {{query: 'probe_success{{job="shop"}}', good_when: ">= 1", slice: 5m}}
"""
#: the roles whose groups run every 5 minutes (the others every minute)
FIVE_MINUTES = ("mixed", "probe5")
SERVICE = "journey"


def candidates(role: str) -> list[str]:
    return [f"{role}-{k}" for k in range(300 if role in FIVE_MINUTES else 100)]


def spec(names: dict[str, str]) -> str:
    """The composites' spec with the chosen name of each role (and of `probe5`)."""
    lines = [f"version: slo/v1\nservice: {SERVICE}\nslos:", PROBE5.format(name=names["probe5"])]
    lines.append("composites:")
    for role, (method, window, members) in ROLES.items():
        lines.append(f"  - name: {names[role]}\n    objective: 99.5\n    window: {window}")
        lines.append(f"    method: {method}\n    members:")
        for m in members:
            slo, weight = m.split(":")
            slo = slo.replace("PROBE5", names["probe5"])
            lines.append(f"      - {{slo: {slo}, weight: {weight}}}")
    return "\n".join(lines) + "\n"
