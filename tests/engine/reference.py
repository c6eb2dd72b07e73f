"""A plain reference for the engine: Python loops over SLOs, windows and bins, no numpy tricks.

It restates the rules of docs/design.md §2 and slo_cli/engine/core.py's module docstring one bin
at a time, so the property tests can compare the vectorised engine against it:

* a bin has data when neither good nor total is NaN; good > total is a data error and counts as
  good = total; with ratio_timeslices a bin with total > 0 contributes width × good/total good
  seconds and width seconds;
* a window [a, b] holds the bins lying wholly inside it; coverage = seconds with data ÷ seconds;
* burn = (bad ÷ total) ÷ (1 − objective); NaN without traffic; objective 1: inf if bad else 0;
  1 − objective is the objective's decimal (:func:`allowed`: 0.01 at 99 %, so 2 % bad burns
  exactly 2×), not the float difference 0.010000000000000009.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from slo_cli.engine.alerting import DEFAULT_ALERT_RULES, STANDARD_WINDOWS, AlertRule, burn_factor

TOL = 1e-3


@dataclass
class Window:
    bad: float = 0.0
    total: float = 0.0
    seconds: float = 0.0
    seconds_with_data: float = 0.0
    data_error: bool = False


def window(
    edges: Sequence[float],
    good: Sequence[float],
    total: Sequence[float],
    start: float,
    end: float,
    ratio_timeslices: bool = False,
) -> Window:
    """Sums over the bins wholly inside [start, end]."""
    w = Window()
    for k in range(len(total)):
        lo, hi = edges[k], edges[k + 1]
        if lo < start - TOL or hi > end + TOL:
            continue
        width = hi - lo
        w.seconds += width
        g, t = good[k], total[k]
        if math.isnan(g) or math.isnan(t):
            continue
        if ratio_timeslices:
            if not t > 0:
                continue  # no traffic in this slice: no data
            ratio = g / t
            if ratio > 1.0:
                w.data_error = True
                ratio = 1.0
            w.seconds_with_data += width
            w.total += width
            w.bad += (1.0 - ratio) * width
        else:
            w.seconds_with_data += width
            if g > t:
                w.data_error = True
                g = t
            w.total += t
            w.bad += t - g
    return w


def allowed(objective: float) -> float:
    """1 − objective, exact to the decimal the objective is written as (its shortest repr):
    0.01 at 99 %, where ``1.0 - 0.99`` is 0.010000000000000009 (docs/design.md §2)."""
    return float(1 - Fraction(repr(float(objective))))


def burn(bad: float, total: float, objective: float) -> float:
    if not total > 0:
        return math.nan
    if objective >= 1.0:
        return math.inf if bad > 0 else 0.0
    return (bad / total) / allowed(objective)


@dataclass
class Ref:
    good: float
    total: float
    sli: float
    allowed_bad: float
    budget_minutes: float
    consumed: float
    remaining: float
    burn_rates: dict[str, float]
    coverage: dict[str, float]
    page: bool
    ticket: bool
    alerts_firing: tuple[str, ...]
    alerts_blind: tuple[str, ...]
    time_to_exhaustion_s: float
    status: int
    data_error: bool
    extra: dict[str, float] = field(default_factory=dict)


def evaluate_one(
    edges: Sequence[float],
    good: Sequence[float],
    total: Sequence[float],
    *,
    end: float,
    objective: float,
    window_start: float,
    window_s: float,
    rules: Sequence[AlertRule] = DEFAULT_ALERT_RULES,
    min_coverage: float = 0.5,
    warn_remaining: float = 0.25,
    ratio_timeslices: bool = False,
) -> Ref:
    slo = window(edges, good, total, window_start, end, ratio_timeslices)
    consumed = burn(slo.bad, slo.total, objective)
    remaining = 1.0 - consumed
    burns: dict[str, float] = {}
    coverage: dict[str, float] = {}
    for name, w in STANDARD_WINDOWS:
        x = window(edges, good, total, end - w, end, ratio_timeslices)
        burns[name] = burn(x.bad, x.total, objective)
        coverage[name] = x.seconds_with_data / x.seconds
    burns["window"] = consumed
    coverage["window"] = slo.seconds_with_data / slo.seconds if slo.seconds > 0 else math.nan

    firing = []
    blind = []  # rules reading a window with not one bin of data: they cannot be evaluated
    page = ticket = False
    for rule in rules:
        long_w = window(edges, good, total, end - rule.long_s, end, ratio_timeslices)
        short_w = window(edges, good, total, end - rule.short_s, end, ratio_timeslices)
        if not (long_w.seconds_with_data > 0 and short_w.seconds_with_data > 0):
            blind.append(rule.label)
        b_long = burn(long_w.bad, long_w.total, objective)
        b_short = burn(short_w.bad, short_w.total, objective)
        factor = burn_factor(rule, window_s)
        if b_long >= factor and b_short >= factor:  # NaN compares False: no alert on no data
            firing.append(rule.label)
            page = page or rule.severity == "page"
            ticket = ticket or rule.severity == "ticket"

    b1h = burns["1h"]
    if math.isnan(remaining):
        tte = math.nan
    elif remaining <= 0:
        tte = 0.0
    elif b1h > 0:
        tte = remaining * window_s / b1h
    elif coverage["1h"] > 0:
        tte = math.inf  # traffic-free hour: nothing is being spent
    else:
        tte = math.nan  # no data in the hour: unknown

    cov = coverage["window"]
    if page or remaining <= 0:
        status = 2
    elif not (cov >= min_coverage) or not slo.total > 0 or not coverage["1h"] > 0 or blind:
        status = 3
    elif ticket or remaining < warn_remaining:
        status = 1
    else:
        status = 0
    return Ref(
        good=slo.total - slo.bad,
        total=slo.total,
        sli=(slo.total - slo.bad) / slo.total if slo.total > 0 else math.nan,
        allowed_bad=allowed(objective) * slo.total,
        budget_minutes=window_s * allowed(objective) / 60.0,
        consumed=consumed,
        remaining=remaining,
        burn_rates=burns,
        coverage=coverage,
        page=page,
        ticket=ticket,
        alerts_firing=tuple(firing),
        alerts_blind=tuple(blind),
        time_to_exhaustion_s=tte,
        status=status,
        data_error=slo.data_error,
    )
