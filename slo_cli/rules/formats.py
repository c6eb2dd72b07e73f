"""`slo rules --format`'s choices, apart from the rendering: every command's options import
them (slo_cli.render.formats), and the rules builder behind them costs ≈ 18 ms to import."""

from __future__ import annotations

import enum


class RulesFormat(str, enum.Enum):
    """`slo rules --format`."""

    prometheus = "prometheus"
    prometheus_operator = "prometheus-operator"
    mimir = "mimir"
