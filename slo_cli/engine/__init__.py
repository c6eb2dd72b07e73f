"""The numbers: error budgets, burn rates, alerts and time to exhaustion (docs/design.md §2).

Imports only numpy and the standard library; knows nothing of specs, Prometheus or rendering.
The alerting names are plain stdlib and load eagerly; the numpy parts load on first use, so
`slo budget` (which needs only the alert table) does not pay for importing numpy.
"""

from __future__ import annotations

from slo_cli.engine.alerting import (
    DEFAULT_ALERT_RULES,
    STANDARD_WINDOWS,
    AlertBudget,
    AlertRule,
    alert_budget,
    burn_factor,
    format_window,
)

__all__ = [
    "DEFAULT_ALERT_RULES",
    "STANDARD_WINDOWS",
    "AlertBudget",
    "AlertRule",
    "alert_budget",
    "burn_factor",
    "format_window",
]
