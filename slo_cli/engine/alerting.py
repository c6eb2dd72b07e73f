"""Burn-rate windows and multi-window, multi-burn-rate alert rules, as data.

The default rules are the SRE Workbook's recommendation: Beyer, Murphy, Rensin, Kawahara, Thorne
(eds.), *The Site Reliability Workbook*, O'Reilly 2018, chapter 5 "Alerting on SLOs", section
"Multiwindow, Multi-Burn-Rate Alerts": table 5-8 (recommended parameters for a 99.9 % SLO: page
at 2 % of the budget in 1 h, 5 % in 6 h; ticket at 10 % in 3 d) and the example rules that follow
it, which add the 3× ticket over 1 d / 2 h. They are written there for a 30-day window. Each rule
is stored as the *share of the window's budget* it lets burn before firing, so the burn-rate
threshold scales to any SLO window (a 7-day SLO pages at 2 % of its own budget in an hour, i.e.
at a lower burn rate than a 30-day one). The Workbook's example rules compare with ``>``; this
engine fires at ``>=`` the threshold (burning exactly 2 % in an hour pages).

Standard library only: importing this module must stay cheap (`slo budget` imports it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: The burn-rate windows the engine always reports: (label, seconds).
STANDARD_WINDOWS: tuple[tuple[str, float], ...] = (
    ("5m", 300.0),
    ("30m", 1800.0),
    ("1h", 3600.0),
    ("2h", 7200.0),
    ("6h", 21600.0),
    ("1d", 86400.0),
    ("3d", 259200.0),
)

#: The window the SRE Workbook's table 5-8 is written for (30 days, in seconds).
WORKBOOK_WINDOW_S = 30 * 86400.0


@dataclass(frozen=True)
class AlertRule:
    """One multi-window burn-rate alert: fire when the burn rate over *both* windows is at least
    the rule's threshold.

    severity     "page" or "ticket".
    long_s       the long window in seconds (how much evidence the alert needs).
    short_s      the short window in seconds (makes the alert stop soon after the burn stops).
    budget_share share of the SLO window's error budget the long window may burn before the alert
                 fires (a ratio, e.g. 0.02); the threshold then scales with the SLO window.
    burn_rate    or a fixed burn-rate threshold (a factor of the sustainable rate).
    Exactly one of budget_share / burn_rate is given.

    >>> AlertRule("page", 3600, 300, budget_share=0.02).label
    'page 1h/5m'
    >>> AlertRule("page", 3600, 300)
    Traceback (most recent call last):
    ...
    ValueError: an alert rule needs exactly one of budget_share or burn_rate
    """

    severity: str
    long_s: float
    short_s: float
    budget_share: float | None = None
    burn_rate: float | None = None

    def __post_init__(self) -> None:
        if (self.budget_share is None) == (self.burn_rate is None):
            raise ValueError("an alert rule needs exactly one of budget_share or burn_rate")
        if self.severity not in ("page", "ticket"):
            raise ValueError(f"alert severity must be 'page' or 'ticket', got {self.severity!r}")
        if not (self.long_s > 0 and self.short_s > 0):
            raise ValueError("alert windows must be positive")

    @property
    def label(self) -> str:
        """Severity and windows, e.g. ``page 1h/5m`` (the name shown when it fires)."""
        return f"{self.severity} {format_window(self.long_s)}/{format_window(self.short_s)}"


#: SRE Workbook, ch. 5, table 5-8 and its example rules (30-day window): page at 2 % of the
#: budget burnt in 1 h (burn rate 14.4, short window 5 m) or 5 % in 6 h (6, 30 m); ticket at
#: 10 % in 1 d (3, 2 h) or 10 % in 3 d (1, 6 h).
DEFAULT_ALERT_RULES: tuple[AlertRule, ...] = (
    AlertRule("page", 3600.0, 300.0, budget_share=0.02),
    AlertRule("page", 21600.0, 1800.0, budget_share=0.05),
    AlertRule("ticket", 86400.0, 7200.0, budget_share=0.10),
    AlertRule("ticket", 259200.0, 21600.0, budget_share=0.10),
)


def allowed_share(objective: float) -> float:
    """The bad fraction an objective allows, ``1 − objective``, exact to the decimal the
    objective is written as: computed in decimal from its shortest repr (0.99 → 0.01) and
    rounded once. Float subtraction gives ``1 − 0.99 = 0.010000000000000009``, and a window
    exactly 1 % bad would burn 0.9999999999999991×, short of a threshold of 1.

    >>> allowed_share(0.99), allowed_share(0.999), 1 - 0.99
    (0.01, 0.001, 0.010000000000000009)
    >>> allowed_share(1.0), allowed_share(float("nan")) != allowed_share(float("nan"))
    (0.0, True)
    """
    try:
        return float(1 - Decimal(repr(float(objective))))
    except InvalidOperation:  # pragma: no cover - repr of a float is always a decimal
        return 1.0 - float(objective)


def burn_factor(rule: AlertRule, window_s: float) -> float:
    """Burn-rate threshold of ``rule`` for an SLO window of ``window_s`` seconds.

    ``budget_share × window_s ÷ long_s`` (burning at rate b for long_s seconds spends
    ``b × long_s ÷ window_s`` of the budget), or ``rule.burn_rate`` when the rule fixes it.

    >>> [round(burn_factor(r, 30 * 86400), 12) for r in DEFAULT_ALERT_RULES]
    [14.4, 6.0, 3.0, 1.0]
    >>> round(burn_factor(DEFAULT_ALERT_RULES[0], 7 * 86400), 12)  # 0.02 × 168 h ÷ 1 h
    3.36
    >>> burn_factor(AlertRule("ticket", 3600, 300, burn_rate=2.5), 7 * 86400)
    2.5
    """
    if rule.burn_rate is not None:
        return float(rule.burn_rate)
    assert rule.budget_share is not None
    return float(rule.budget_share) * float(window_s) / float(rule.long_s)


@dataclass(frozen=True)
class AlertBudget:
    """What an alert rule means for one SLO (objective, window).

    burn_rate            the threshold (factor of the sustainable error rate).
    error_rate           the bad-event fraction at that burn: ``burn_rate × (1 − objective)``.
    budget_consumed      share of the window's budget spent by the time it fires after burning
                         at exactly the threshold for the long window: ``burn × long_s ÷ window_s``.
    time_to_exhaustion_s seconds until a *full* budget is gone at that burn: ``window_s ÷ burn``.
    """

    rule: AlertRule
    burn_rate: float
    error_rate: float
    budget_consumed: float
    time_to_exhaustion_s: float


def alert_budget(objective: float, window_s: float, rule: AlertRule) -> AlertBudget:
    """Threshold, budget spent when it fires, and time to exhaustion of ``rule``.

    99.9 % over 30 days, the SRE Workbook's first page (table 5-8): burn 14.4 is an error rate of
    1.44 %; an hour at that rate spends 14.4 × 1 h ÷ 720 h = 2 % of the budget; a full budget
    lasts 720 h ÷ 14.4 = 50 h.

    >>> a = alert_budget(0.999, 30 * 86400, DEFAULT_ALERT_RULES[0])
    >>> round(a.burn_rate, 12), round(a.error_rate, 12), round(a.budget_consumed, 12)
    (14.4, 0.0144, 0.02)
    >>> round(a.time_to_exhaustion_s / 3600, 9)
    50.0
    >>> never = AlertRule("page", 3600, 300, burn_rate=0.0)
    >>> alert_budget(0.999, 30 * 86400, never).time_to_exhaustion_s
    inf
    """
    burn = burn_factor(rule, window_s)
    tte = float(window_s) / burn if burn > 0 else math.inf
    return AlertBudget(
        rule=rule,
        burn_rate=burn,
        error_rate=burn * allowed_share(objective),
        budget_consumed=burn * float(rule.long_s) / float(window_s),
        time_to_exhaustion_s=tte,
    )


def format_window(seconds: float) -> str:
    """A window length as the largest units that divide it: ``3600 -> '1h'``, ``5400 -> '1h30m'``.

    >>> [format_window(s) for s in (300, 1800, 3600, 5400, 86400, 259200, 90, 0.5)]
    ['5m', '30m', '1h', '1h30m', '1d', '3d', '1m30s', '0.5s']
    """
    rest = float(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        n = int(rest // size)
        if n:
            parts.append(f"{n}{unit}")
            rest -= n * size
    if rest or not parts:
        parts.append(f"{rest:g}s")
    return "".join(parts)
