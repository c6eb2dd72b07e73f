"""PromQL of the `least_healthy` and `weighted_burn` composites (docs/rules.md, "Composite
SLOs"), written in the very float operations `slo_cli.engine.composite` performs, so the recorded
burn rates equal `slo check`'s bit for bit where the members' window sums agree.

The composite's group records each member's latest interval counts as
`slo:member_events_{total,bad}:increase<E>` (one series per member, labelled `slo_member`);
a window's sums per member are `sum_over_time` of those (`Sums`), and:

* least_healthy: burn(W) = max over members of (badᵢ ÷ totalᵢ over W) ÷ (1 − o): the engine
  takes the member with the highest error ratio (members without traffic skipped: 0 ÷ 0 is NaN,
  which PromQL's `max` ignores unless every member has it) and divides its ratio by 1 − o;
* weighted_burn: B = Σ wᵢ·burnᵢ (burnᵢ = (badᵢ ÷ totalᵢ) ÷ (1 − oᵢ), 0 without traffic),
  T = Σ wᵢ·totalᵢ, both added in numpy's order (`np_sum`), then the engine's equivalent events
  bad = B × (1 − o) × T and burn = (bad ÷ T) ÷ (1 − o) — the same operations, hence the same
  float (within about 1e-15 of B: `slo check` converts the burn to events and back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slo_cli.rules import build as B

MEMBER_TOTAL = "slo:member_events_total:increase"
MEMBER_BAD = "slo:member_events_bad:increase"
PERIOD_TOTAL = "slo:period_member_events_total:increase"
PERIOD_BAD = "slo:period_member_events_bad:increase"

#: (kind "total"/"bad", member key or None for every member) -> a vector of window sums
Sums = Callable[[str, "str | None"], str]


def np_sum(terms: Sequence[str]) -> str:
    """PromQL adding `terms` in the order `numpy.sum` adds a float array (pairwise summation:
    left to right below 8 elements, eight running sums up to 128, halves beyond), so the sum
    is the engine's float.

    >>> np_sum(["a", "b", "c"])
    '((a + b) + c)'
    >>> np_sum([str(i) for i in range(9)])
    '((((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7))) + 8)'
    """
    n = len(terms)
    if n < 8:
        out = terms[0]
        for t in terms[1:]:
            out = f"({out} + {t})"
        return out
    if n <= 128:
        r = list(terms[:8])
        i = 8
        while i < n - n % 8:
            r = [f"({r[j]} + {terms[i + j]})" for j in range(8)]
            i += 8
        out = f"((({r[0]} + {r[1]}) + ({r[2]} + {r[3]})) + (({r[4]} + {r[5]}) + ({r[6]} + {r[7]})))"
        for t in terms[i:]:
            out = f"({out} + {t})"
        return out
    half = n // 2
    half -= half % 8
    return f"({np_sum(terms[:half])} + {np_sum(terms[half:])})"


def member_copy(c: Any, kind: str, intervals: dict[str, float], interval: float) -> str:
    """Each member's events of the composite's latest interval E, one series per member
    labelled `slo_member`: the sum over the last E less 1 ms of the member's own per-interval
    series (E ÷ its interval samples: one when they record at E)."""
    rng = B.duration(interval - 0.001)
    parts = []
    for key in c.member_keys:
        service, name = key.split("/", 1)
        record = (B.TOTAL if kind == "total" else B.BAD) + B.duration(intervals[key])
        sel = B.matchers({"slo_service": service, "slo_name": name})
        inner = f"sum(sum_over_time({record}{sel}[{rng}]))"
        parts.append(f'label_replace({inner}, "slo_member", "{key}", "", "")')
    return " or ".join(parts)


def _sums(names: tuple[str, str], base: dict[str, str], interval: float, range_s: float) -> Sums:
    e = B.duration(interval)
    rng = B.duration(range_s - interval / 2)

    def sums(kind: str, member: str | None) -> str:
        name = (names[0] if kind == "total" else names[1]) + e
        labels = dict(base) if member is None else {**base, "slo_member": member}
        return f"sum_over_time({name}{B.matchers(labels)}[{rng}])"

    return sums


def rolling_sums(base: dict[str, str], interval: float, window_s: float) -> Sums:
    """The members' sums over the last `window_s` (the w ÷ E evaluations ending at t)."""
    return _sums((MEMBER_TOTAL, MEMBER_BAD), base, interval, window_s)


def period_sums(base: dict[str, str], interval: float, range_s: float, phase: str) -> Sums:
    """The members' sums over the current calendar period: the phase-labelled copies over the
    longest period and a day, the current phase's samples only."""
    inner = _sums((PERIOD_TOTAL, PERIOD_BAD), base, interval, range_s)
    return lambda kind, member: f"({inner(kind, member)} and on(slo_phase) ({phase}))"


def least_healthy_burn(c: Any, sums: Sums) -> str:
    """max over members of bad ÷ total over the window, ÷ (1 − o)."""
    allowed = B.allowed_literal(c.objective)
    return f"max({sums('bad', None)} / {sums('total', None)}) / {allowed}"


def weighted_burn_burn(c: Any, member_objectives: Sequence[float], sums: Sums) -> str:
    """The engine's Σ wᵢ·burnᵢ through its equivalent events (module doc)."""
    burns, totals = [], []
    for key, w, o in zip(c.member_keys, c.weights, member_objectives, strict=True):
        bad, total = f"sum({sums('bad', key)})", f"sum({sums('total', key)})"
        burn = f"({bad} / ({total} > 0)) / {B.allowed_literal(o)}"
        burns.append(f"{float(w)!r} * ({burn} or on() vector(0))")
        totals.append(f"{float(w)!r} * ({total} or on() vector(0))")
    combined, total = np_sum(burns), np_sum(totals)
    allowed = B.allowed_literal(c.objective)
    return f"((({combined} * {allowed}) * {total}) / {total}) / {allowed}"


def burn_expr(c: Any, member_objectives: Sequence[float], sums: Sums) -> str:
    """The composite's burn rate over the window `sums` reads."""
    if c.method == "least_healthy":
        return least_healthy_burn(c, sums)
    return weighted_burn_burn(c, member_objectives, sums)
