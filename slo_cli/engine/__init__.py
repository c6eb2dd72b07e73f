"""The numbers: error budgets, burn rates, alerts and time to exhaustion (docs/design.md §2).

Imports only numpy and the standard library; knows nothing of specs, Prometheus or rendering.
Modules: ``alerting`` (rules, stdlib), ``calendar`` (stdlib), ``kernel`` (window sums),
``measures`` (count transforms), ``formulas`` (one function per figure), ``core`` (evaluate:
kernel → formulas → alerts → status), ``periods`` (period figures, burn events, burn-down;
``records`` their frozen results), ``timeline`` (rolling history), ``offline``
(`slo budget`). The alerting names are plain stdlib and load eagerly; the numpy parts
(``evaluate``, ``EngineResult``, ``Status``, ``history``, ``burn_events``...) load on first
use, so `slo budget` (which needs only the alert table) does not pay for importing numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slo_cli.engine.alerting import (
    DEFAULT_ALERT_RULES,
    STANDARD_WINDOWS,
    AlertBudget,
    AlertRule,
    alert_budget,
    burn_factor,
    format_window,
)

if TYPE_CHECKING:
    from slo_cli.engine.composite import (
        CompositeResult,
        evaluate_composite,
        hourly_composite_burn,
    )
    from slo_cli.engine.core import EngineResult, Policy, Status, evaluate
    from slo_cli.engine.formulas import budget_minutes, burn_rate, time_to_exhaustion
    from slo_cli.engine.hourly import hourly_burn
    from slo_cli.engine.kernel import edge_index
    from slo_cli.engine.measures import ratio_timeslice_counts
    from slo_cli.engine.periods import PeriodReport, burn_events, period_report
    from slo_cli.engine.records import BurnDown, BurnEvent, PeriodFigures
    from slo_cli.engine.scoped import SinceFigures, since_figures
    from slo_cli.engine.timeline import History, history

#: lazily loaded name -> module holding it
# (the module is "timeline", not "history", so that it cannot shadow the function `history`)
_LAZY = {
    "CompositeResult": "slo_cli.engine.composite",
    "evaluate_composite": "slo_cli.engine.composite",
    "hourly_composite_burn": "slo_cli.engine.composite",
    "EngineResult": "slo_cli.engine.core",
    "Policy": "slo_cli.engine.core",
    "Status": "slo_cli.engine.core",
    "evaluate": "slo_cli.engine.core",
    "budget_minutes": "slo_cli.engine.formulas",
    "burn_rate": "slo_cli.engine.formulas",
    "time_to_exhaustion": "slo_cli.engine.formulas",
    "edge_index": "slo_cli.engine.kernel",
    "hourly_burn": "slo_cli.engine.hourly",
    "ratio_timeslice_counts": "slo_cli.engine.measures",
    "PeriodReport": "slo_cli.engine.periods",
    "burn_events": "slo_cli.engine.periods",
    "period_report": "slo_cli.engine.periods",
    "BurnDown": "slo_cli.engine.records",
    "BurnEvent": "slo_cli.engine.records",
    "PeriodFigures": "slo_cli.engine.records",
    "SinceFigures": "slo_cli.engine.scoped",
    "since_figures": "slo_cli.engine.scoped",
    "History": "slo_cli.engine.timeline",
    "history": "slo_cli.engine.timeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'slo_cli.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "DEFAULT_ALERT_RULES",
    "STANDARD_WINDOWS",
    "AlertBudget",
    "AlertRule",
    "BurnDown",
    "BurnEvent",
    "CompositeResult",
    "EngineResult",
    "History",
    "PeriodFigures",
    "PeriodReport",
    "Policy",
    "SinceFigures",
    "Status",
    "alert_budget",
    "budget_minutes",
    "burn_events",
    "burn_factor",
    "burn_rate",
    "edge_index",
    "evaluate",
    "evaluate_composite",
    "format_window",
    "history",
    "hourly_burn",
    "hourly_composite_burn",
    "period_report",
    "ratio_timeslice_counts",
    "since_figures",
    "time_to_exhaustion",
]
