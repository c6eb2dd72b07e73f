"""Formatting shared by the `slo report` renderers: times in the report's zone, change arrows,
Rendering only: every number comes from `slo_cli.report.model`."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from slo_cli.render.common import STATUS_LOOK, pct, status_text
from slo_cli.report.model import Report, SLOReport

#: trend -> (symbol, word): symbols read without colour
TREND_LOOK = {
    "better": ("▼", "better"),
    "worse": ("▲", "worse"),
    "same": ("=", "same"),
    "unknown": ("?", "unknown"),
}


def local_time(report: Report, epoch: float) -> str:
    """``2026-11-20 12:00`` in the report's time zone."""
    return datetime.fromtimestamp(epoch, ZoneInfo(report.period.timezone)).strftime(
        "%Y-%m-%d %H:%M"
    )


def span_text(report: Report, start: float, end: float) -> str:
    """``2026-11-13 12:00 → 2026-11-20 12:00``."""
    return f"{local_time(report, start)} → {local_time(report, end)}"


def change_text(slo: SLOReport) -> str:
    """The change of consumed budget against the previous period, e.g. ``▲ worse (+12.5 pp)``."""
    symbol, word = TREND_LOOK[slo.trend]
    delta = slo.consumed_change
    if not math.isfinite(delta):
        return f"{symbol} {word}"
    return f"{symbol} {word} ({delta * 100:+.1f} pp)"


def consumed_text(share: float, count: float, minutes: float, unit: str) -> str:
    """``12.5% · 430 events · 54m``: budget share, bad events and the time equivalent."""
    from slo_cli.render.units import human_duration

    if not math.isfinite(share):
        return "—"
    # whole events and whole seconds: people compare these, they do not add them up
    time = human_duration(round(minutes * 60.0), parts=2)
    n = round(count)
    word = unit[:-1] if n == 1 and unit.endswith("s") else unit
    return f"{pct(share, 1)} · {n:,} {word} · {time}"


def status_cell(slo: SLOReport) -> str:
    """``✗ crit`` (plus the alert firing at the period's end, if any)."""
    text = status_text(slo.status)  # type: ignore[arg-type]
    if slo.alert != "none":
        text += f" ({slo.alert})"
    return text


def status_summary(report: Report) -> str:
    """``8 SLOs in 5 services: 3 ✓ ok, 1 ✗ crit``."""
    n = len(report.slos)
    services = len({s.service for s in report.slos})
    parts = [
        f"{count} {STATUS_LOOK[status][0]} {STATUS_LOOK[status][1]}"  # type: ignore[index]
        for status, count in report.summary.status_counts.items()
        if count
    ]
    return (
        f"{n} SLO{'s' if n != 1 else ''} in {services} service{'s' if services != 1 else ''}: "
        f"{', '.join(parts) if parts else 'none'}"
    )


def by_service(report: Report) -> list[tuple[str, list[SLOReport]]]:
    """SLOs grouped by service (services sorted, SLOs in spec order)."""
    groups: dict[str, list[SLOReport]] = {}
    for s in report.slos:
        groups.setdefault(s.service, []).append(s)
    return sorted(groups.items())


def find(report: Report, key: str) -> SLOReport:
    """The SLO with this key."""
    return next(s for s in report.slos if s.key == key)
