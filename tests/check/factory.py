"""Hand-made SLOResults for renderer and gate tests (no engine, no source)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from slo_cli.results import BURN_WINDOWS, Evaluation, Gate, SLOResult

AT = 1_795_176_000.0  # 2026-11-20T12:00:00Z


def result(**kw: Any) -> SLOResult:
    """A healthy 99.9 % / 30 d SLO with 1,000,000 events and 100 bad ones, unless overridden.

    Defaults by hand: budget = 0.001 x 1e6 = 1000 bad events; consumed = 100 / 1000 = 0.1;
    remaining 0.9; budget minutes = 0.001 x 30 x 1440 = 43.2.
    """
    burn = kw.pop("burn", 0.1)
    base = SLOResult(
        service="checkout",
        name="availability",
        objective=0.999,
        window="30d",
        window_s=30 * 86400.0,
        window_start=AT - 30 * 86400.0,
        window_end=AT,
        budgeting="occurrences",
        sli_kind="ratio",
        good=999_900.0,
        total=1_000_000.0,
        sli=0.9999,
        allowed_bad=1000.0,
        budget_minutes=43.2,
        consumed=0.1,
        remaining=0.9,
        burn_rates=dict.fromkeys(BURN_WINDOWS, burn),
        coverage=dict.fromkeys(BURN_WINDOWS, 1.0),
        page=False,
        ticket=False,
        alerts_firing=(),
        time_to_exhaustion_s=math.inf,
        status="OK",
        gate=Gate(),
    )
    return replace(base, **kw)


def no_data(**kw: Any) -> SLOResult:
    """An SLO whose queries returned nothing."""
    nan = math.nan
    return result(
        good=0.0,
        total=0.0,
        sli=nan,
        consumed=nan,
        remaining=nan,
        burn_rates=dict.fromkeys(BURN_WINDOWS, nan),
        coverage=dict.fromkeys(BURN_WINDOWS, 0.0),
        time_to_exhaustion_s=nan,
        status="NO_DATA",
        **kw,
    )


def evaluation(*results: SLOResult) -> Evaluation:
    return Evaluation(at=AT, slos=tuple(results))
