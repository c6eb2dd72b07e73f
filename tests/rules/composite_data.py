"""Composites over tests/rules/data.py's SLOs, for the backfill test: one of each method over
a rolling window and a least_healthy one over calendar months in Europe/Berlin.

A composite's group reads its members' recorded counts at its own evaluation offset, so it
holds the members' latest minute only when it evaluates after them (docs/rules.md, "Intervals
and lag"). The group offsets are a hash of the group's name and file: the fixture probes
candidate names (`ROLES` with a numeric suffix) and writes the spec with, per role, the first
name whose offset falls after every member group's and early enough in the minute for the
scrapes after it.
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
}
SERVICE = "journey"


def candidates(role: str) -> list[str]:
    return [f"{role}-{k}" for k in range(100)]


def spec(names: dict[str, str]) -> str:
    """The composites' spec with the chosen name of each role."""
    lines = [f"version: slo/v1\nservice: {SERVICE}\ncomposites:"]
    for role, (method, window, members) in ROLES.items():
        lines.append(f"  - name: {names[role]}\n    objective: 99.5\n    window: {window}")
        lines.append(f"    method: {method}\n    members:")
        for m in members:
            slo, weight = m.split(":")
            lines.append(f"      - {{slo: {slo}, weight: {weight}}}")
    return "\n".join(lines) + "\n"
