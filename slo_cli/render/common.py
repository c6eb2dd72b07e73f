"""Formatting shared by the `slo check` renderers: statuses, symbols, compact numbers, summary.

Rendering only: every number shown here was computed by the engine; this module rounds it for
people and never derives a new result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timezone

from slo_cli.render.units import human_duration
from slo_cli.results import Evaluation, SLOResult, Status

#: status -> (symbol, word, rich style). The symbol and word read without colour.
STATUS_LOOK: dict[Status, tuple[str, str, str]] = {
    "OK": ("✓", "ok", "green"),
    "WARNING": ("!", "warn", "yellow"),
    "CRITICAL": ("✗", "crit", "bold red"),
    "NO_DATA": ("?", "no data", "magenta"),
    "ERROR": ("!", "error", "bold red"),
}

#: the burn-rate windows of the main table (the rest are in --details)
TABLE_BURN_WINDOWS: tuple[str, ...] = ("1h", "6h", "1d", "3d", "window")


def status_text(status: Status) -> str:
    """``✓ ok``, ``! warn``, ``✗ crit``, ``? no data``, ``! error``."""
    symbol, word, _ = STATUS_LOOK[status]
    return f"{symbol} {word}"


def by_service(results: Iterable[SLOResult]) -> list[tuple[str, list[SLOResult]]]:
    """Results grouped by service (services sorted by name, SLOs in spec order)."""
    groups: dict[str, list[SLOResult]] = {}
    for r in results:
        groups.setdefault(r.service, []).append(r)
    return sorted(groups.items())


def pct(ratio: float, digits: int = 2) -> str:
    """A ratio as a percentage with at most `digits` decimals, trailing zeros kept short.

    >>> pct(0.999), pct(0.99952), pct(-0.1234), pct(1.0, 0), pct(-0.00001), pct(float("nan"))
    ('99.9%', '99.95%', '-12.34%', '100%', '0%', '—')
    """
    if math.isnan(ratio):
        return "—"
    text = f"{ratio * 100:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


def coverage_text(ratio: float) -> str:
    """A coverage as a whole percentage, floored: 100% only when no bin lacks data, 0% only
    when every bin does (so a window missing its last half hour never reads as complete).

    >>> coverage_text(1.0), coverage_text(0.99993), coverage_text(0.5), coverage_text(0.004)
    ('100%', '99%', '50%', '<1%')
    >>> coverage_text(0.0), coverage_text(float("nan"))
    ('0%', '—')
    """
    if math.isnan(ratio):
        return "—"
    if 0 < ratio < 0.01:
        return "<1%"
    return f"{math.floor(ratio * 100 + 1e-9):d}%"


def objective_text(objective: float) -> str:
    """The objective with as many decimals as it was written with (up to 4).

    >>> objective_text(0.999), objective_text(0.99995), objective_text(0.95)
    ('99.9%', '99.995%', '95%')
    """
    return pct(objective, 4)


def sli_text(sli: float, objective: float) -> str:
    """The SLI with one decimal more than the objective, floored so 99.89% never reads as 99.9%.

    >>> sli_text(0.99887, 0.999), sli_text(0.987654, 0.99)
    ('99.88%', '98.7%')
    """
    if math.isnan(sli):
        return "—"
    decimals = len(objective_text(objective).rstrip("%").partition(".")[2])
    digits = min(decimals + 1, 5)
    # floor (towards the worse side), so a missed objective never rounds up to it
    scale = 10.0 ** (digits + 2)
    floored = math.floor(sli * scale + 1e-9) / scale
    return pct(floored, digits)


def burn_short(rate: float) -> str:
    """A burn rate in at most 3 characters, for the main table: ``.52``, ``6.1``, ``14``, ``2k``.

    >>> [burn_short(x) for x in (0.0, 0.004, 0.523, 6.06, 9.96, 14.4, 980, 1234, 2e6)]
    ['0', '.00', '.52', '6.1', '10', '14', '980', '1k', '>1M']
    """
    if math.isnan(rate):
        return "—"
    if math.isinf(rate):
        return "∞"
    if rate == 0:
        return "0"
    if rate < 0.995:
        return f"{rate:.2f}".lstrip("0")
    if rate < 9.95:
        return f"{rate:.1f}"
    if rate < 999.5:
        return f"{rate:.0f}"
    if rate < 9.5e5:
        return f"{rate / 1000:.0f}k"
    return ">1M"


def bar(remaining: float, width: int = 5) -> str:
    """A small budget bar: filled cells for the remaining share, empty for the spent one.

    >>> bar(0.5), bar(1.0), bar(-0.3), bar(0.01)
    ('▰▰▱▱▱', '▰▰▰▰▰', '▱▱▱▱▱', '▰▱▱▱▱')
    """
    if math.isnan(remaining):
        return " " * width
    share = min(max(remaining, 0.0), 1.0)
    filled = round(share * width)
    if share > 0 and filled == 0:
        filled = 1  # a budget that is not yet gone never looks empty
    if share < 1 and filled == width:
        filled = width - 1
    return "▰" * filled + "▱" * (width - filled)


def tte_text(r: SLOResult, parts: int = 2) -> str:
    """Time to exhaustion for people: ``now`` when spent, ``—`` when not burning, else a
    duration with at most `parts` units."""
    if not r.measured or math.isnan(r.time_to_exhaustion_s):
        return "—"
    if r.exhausted:
        return "now"
    if math.isinf(r.time_to_exhaustion_s):
        return "—"
    return human_duration(r.time_to_exhaustion_s, parts=parts)


def iso(epoch: float) -> str:
    """RFC 3339 in UTC, seconds precision (``2026-11-20T12:00:00Z``)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary(evaluation: Evaluation) -> str:
    """One line: SLO and service counts, counts per status, the gate's outcome.

    >>> from slo_cli.results import Evaluation
    >>> summary(Evaluation(at=0.0, slos=()))
    '0 SLOs in 0 services: none'
    """
    n = len(evaluation.slos)
    services = len({r.service for r in evaluation.slos})
    counts = evaluation.counts()
    parts = [f"{counts[s]} {STATUS_LOOK[s][1]}" for s in counts if counts[s]]
    text = (
        f"{n} SLO{'s' if n != 1 else ''} in {services} service{'s' if services != 1 else ''}: "
        f"{', '.join(parts) if parts else 'none'}"
    )
    breached, errors = evaluation.breached, evaluation.errors
    unknown = tuple(r for r in evaluation.unknown if r.error is None)
    if errors:  # the source failed for these SLOs: exit 3, never a pass
        return text + f" · {len(errors)} with a source error"
    if any(r.verdict is not None for r in evaluation.slos):
        # never "pass" next to SLOs without data: those exit 4 unless --allow-no-data
        if breached:
            text += f" · gate: {len(breached)} failing"
            if unknown:
                text += f", {len(unknown)} without data"
        elif unknown:
            text += f" · gate: {len(unknown)} without data"
        else:
            text += " · gate: pass"
    return text


def since_text(r: SLOResult) -> str:
    """The figures since `slo check --since` in one phrase (``""`` without them), e.g.
    ``SLI 99.81%, 12 bad of 6,400 events, spent 3.1% of budget, burn 1.88×``."""
    from slo_cli.render.units import number

    s = r.since
    if s is None:
        return ""
    if not s.total > 0:
        text = f"no {r.count_unit} since {iso(s.start)}"
    else:
        text = (
            f"SLI {pct(s.sli, 3)}, {number(s.bad, 4)} bad of {number(s.total, 4)} "
            f"{r.count_unit}, spent {pct(s.consumed, 2)} of budget, "
            f"burn {number(s.burn_rate, 3)}×"
        )
    if not s.coverage >= 1.0:  # NaN too
        text += f" (data for {coverage_text(s.coverage)} of the time since)"
    return text
