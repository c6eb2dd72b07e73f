"""The offline budget calculator behind `slo budget`: what an objective means, before any data.

Pure arithmetic on the objective and the window, done in :class:`decimal.Decimal` so the figures
are exact for objectives written in decimal percent (99.9 % of 30 days is 43 minutes 12 seconds,
not 43.2000000000004 minutes), and converted to float only at the end.

Standard library only (the engine's rule: no typer, rich or requests here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slo_cli.engine.alerting import DEFAULT_ALERT_RULES, AlertRule, alert_budget

DAY = Decimal(86400)

#: The periods `slo budget` gives allowed downtime for. Quarter and year are fixed lengths
#: (90 and 365 days), as most SLO calculators use; calendar periods vary (see the engine).
DOWNTIME_PERIODS: tuple[tuple[str, Decimal], ...] = (
    ("day", DAY),
    ("week", 7 * DAY),
    ("28d", 28 * DAY),
    ("30d", 30 * DAY),
    ("quarter (90d)", 90 * DAY),
    ("year (365d)", 365 * DAY),
)

#: Burn rates shown in the "time to exhaustion" table (the SRE Workbook's table 5-4 uses 1, 2,
#: 10 and 1000 for a 99.9 % SLO; 14.4, 6 and 3 are the alerting thresholds of table 5-8).
BURN_RATES: tuple[Decimal, ...] = tuple(
    Decimal(x) for x in ("1", "2", "3", "6", "10", "14.4", "1000")
)


@dataclass(frozen=True)
class Downtime:
    """Allowed bad time in a period at the objective: ``period_s × (1 − objective)``."""

    period: str
    period_s: float
    allowed_s: float


@dataclass(frozen=True)
class AlertRow:
    """One multi-window burn-rate alert, scaled to this window."""

    severity: str
    burn_rate: float
    long_s: float
    short_s: float
    budget_consumed: float  # share of the window's budget spent when it fires: burn × long / window
    time_to_exhaustion_s: float  # window / burn: the whole budget at this burn rate


@dataclass(frozen=True)
class BurnRow:
    """How long a full budget lasts at a given burn rate (SRE Workbook table 5-4)."""

    burn_rate: float
    error_rate: float  # burn × (1 − objective): the bad fraction of events at this burn
    time_to_exhaustion_s: float


@dataclass(frozen=True)
class EventBudget:
    """The budget in events for a traffic of ``events`` per window."""

    events_per_window: float
    allowed_bad_per_window: float
    allowed_bad_per_day: float


@dataclass(frozen=True)
class BudgetSheet:
    """Everything `slo budget` shows, unrounded."""

    objective: float  # ratio, e.g. 0.999
    window_s: float
    allowed_bad_fraction: float  # 1 − objective
    allowed_bad_s_per_window: float
    downtime: tuple[Downtime, ...]
    alerts: tuple[AlertRow, ...]
    burn_rates: tuple[BurnRow, ...]
    events: EventBudget | None


def _dec(x: float | str | Decimal) -> Decimal:
    # str() first: Decimal(0.02) would carry the binary error of the float into the result.
    return x if isinstance(x, Decimal) else Decimal(str(x))


def budget_sheet(
    objective_percent: str | Decimal,
    window_s: float,
    *,
    events: float | None = None,
    rules: Sequence[AlertRule] = DEFAULT_ALERT_RULES,
) -> BudgetSheet:
    """All offline figures for an objective (in percent, as written) and a rolling window.

    >>> s = budget_sheet("99.9", 30 * 86400)
    >>> s.allowed_bad_fraction, s.allowed_bad_s_per_window / 60
    (0.001, 43.2)
    >>> [(a.severity, round(a.burn_rate, 9), round(a.time_to_exhaustion_s / 3600, 9))
    ...  for a in s.alerts]
    [('page', 14.4, 50.0), ('page', 6.0, 120.0), ('ticket', 3.0, 240.0), ('ticket', 1.0, 720.0)]
    """
    pct = _dec(objective_percent)
    if not Decimal(0) < pct < Decimal(100):
        raise ValueError(
            f"objective must be between 0 and 100 (exclusive), got {objective_percent}"
        )
    if window_s <= 0:
        raise ValueError("window must be positive")
    bad = (Decimal(100) - pct) / Decimal(100)
    window = _dec(window_s)
    downtime = tuple(Downtime(name, float(p), float(p * bad)) for name, p in DOWNTIME_PERIODS)
    alerts = []
    for rule in rules:
        a = alert_budget(float(pct / 100), float(window), rule)
        alerts.append(
            AlertRow(
                severity=rule.severity,
                burn_rate=a.burn_rate,
                long_s=float(rule.long_s),
                short_s=float(rule.short_s),
                budget_consumed=a.budget_consumed,
                time_to_exhaustion_s=a.time_to_exhaustion_s,
            )
        )
    max_burn = 1 / bad  # an error rate above 100 % is impossible
    burns = tuple(
        BurnRow(float(b), float(b * bad), float(window / b)) for b in BURN_RATES if b <= max_burn
    )
    event_budget = None
    if events is not None:
        ev = _dec(events)
        event_budget = EventBudget(float(ev), float(ev * bad), float(ev * bad * DAY / window))
    return BudgetSheet(
        objective=float(pct / 100),
        window_s=float(window),
        allowed_bad_fraction=float(bad),
        allowed_bad_s_per_window=float(window * bad),
        downtime=downtime,
        alerts=tuple(alerts),
        burn_rates=burns,
        events=event_budget,
    )
