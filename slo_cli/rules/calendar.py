"""Calendar windows in PromQL: the burn-rate threshold depends on the current period's length.

`slo check` spreads a calendar period's budget over the whole period (docs/design.md §2), so
an alert's threshold is ``budget_share × period length ÷ long window``: February pages at a
lower burn rate than March. PromQL knows the calendar in UTC only (`days_in_month()`,
`month()`, `year()`), so the threshold is exact for UTC periods; for other time zones the
period is the UTC one (its length differs by the zone's DST shift, at most 1 h, and its
boundaries by the zone's offset) — labelled approximate in the rule file and docs/rules.md.
PromQL cannot sum "since the period start", so calendar SLOs get no budget-remaining rule.
"""

from __future__ import annotations

from typing import Any

_DAY = 86400


def is_calendar(slo: Any) -> bool:
    return getattr(slo.window, "calendar", None) is not None


def window_seconds(slo: Any) -> float:
    """The rolling window's length (calendar windows have none: see `factor_expr`)."""
    return float(getattr(slo.window, "seconds", 0.0) or 0.0)


def period_days_expr(calendar: str) -> str:
    """PromQL (a scalar) for the number of days of the current UTC period."""
    if calendar == "week":
        return "7"
    if calendar == "month":
        return "scalar(days_in_month())"
    year = "scalar(year())"
    leap = f"(({year} % 4 == bool 0) - ({year} % 100 == bool 0) + ({year} % 400 == bool 0))"
    month = "scalar(month())"
    # Q1: 90 (+1 in leap years), Q2: 91, Q3 and Q4: 92
    return f"(92 - ({month} <= bool 6) - ({month} <= bool 3) * (1 - {leap}))"


def factor_expr(slo: Any, rule: Any) -> str:
    """``budget_share × (days × 86400) ÷ long_s`` in the order `burn_factor` computes it."""
    days = period_days_expr(slo.window.calendar)
    return f"({float(rule.budget_share)!r} * ({days} * {_DAY}) / {float(rule.long_s)!r})"


def note(slo: Any) -> str:
    w = slo.window
    text = f"calendar {w.calendar}: thresholds scale with the current period's length in UTC"
    if w.timezone != "UTC":
        text += f" (approximate for {w.timezone}: PromQL has no time zones)"
    return text + "; no budget-remaining rule (PromQL cannot sum since the period start)"
