"""Why an SLO has no answer, and whether its history covers its window (issue 10 item 5).

The one place that turns the facts of a run into the reasons of a NO_DATA status and the
partial mark of a young SLO; `slo_cli.evaluate` calls it for every result, the gate and every
renderer only read what it decided (`SLOResult.no_data`, `SLOResult.history`).

The facts: which of the SLO's own selectors matched no series at all over the grid (the
source's `SeriesCounts.unmatched`), which bins of the grid have data (neither good nor total
NaN), the engine's coverage per window, its total and its blind alert rules, and the minimum
coverage the status was judged by. Reasons, most fundamental first (every one that applies is
listed; the first is the one people see first):

``no_series``      nothing the SLO selects exists from the grid's start to its end: a misspelt
                   metric or label, or a target never scraped. Names the selectors.
``short_history``  the data starts after the window does, and covers less of it than the
                   minimum: how much is covered and when the window fills.
``low_coverage``   the window's data (with gaps) covers less of it than the minimum.
``blind``          no sample in the last hour, or an alert rule reads a window without one:
                   the rule cannot be evaluated, so its silence is no evidence. Since when.
``no_traffic``     data throughout, but nothing counted (no events, or no slice with events).

A young SLO (the data starts after the window does) that is still evaluated — its coverage is
at least the minimum — is *partial*: its figures are over the data it has, never presented as
the full window's (`History`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.render.common import iso
from slo_cli.render.units import human_duration
from slo_cli.results import MIN_COVERAGE, History, NoData

if TYPE_CHECKING:
    from slo_cli.plan import Planned
    from slo_cli.sources.model import SeriesCounts

#: a window edge and a bin edge this close (seconds) are the same instant
_EDGE_S = 1e-3


def min_coverage(slo: Any, override: float | None) -> tuple[float, str]:
    """The minimum coverage an SLO is judged by and where it came from: the command line's
    `--min-coverage` (for every SLO), else the spec's `min_coverage` (the SLO's own, else its
    service's), else the default `results.MIN_COVERAGE`."""
    if override is not None:
        return float(override), "command line"
    own = getattr(slo, "min_coverage", None)
    if own is not None:
        return float(own), "spec"
    return MIN_COVERAGE, "default"


def _span(seconds: float) -> str:
    """A covered length for people, to the minute (to the hour beyond a day): ``2d 3h``."""
    step = 3600.0 if seconds >= 86400 else 60.0 if seconds >= 60 else 1.0
    return human_duration(math.floor(seconds / step + 1e-9) * step, parts=2)


def _pct(ratio: float) -> str:
    """Floored, so a coverage under the minimum never reads as reaching it: ``7%``, ``<1%``."""
    if 0 < ratio < 0.01:
        return "<1%"
    return f"{math.floor(ratio * 100 + 1e-9):d}%"


def history(p: Planned, counts: SeriesCounts) -> History | None:
    """The young SLO's history (the data starts after the window does, and nothing of the
    grid before it has data), or None when the history reaches the window's start (or there
    is no data at all: that is `no_series` or `blind`, not a short history)."""
    edges = np.asarray(p.edges, dtype=float)
    data = _data(counts)
    start, end = p.window.start, p.end
    if not data.any():
        return None
    first = int(np.flatnonzero(data)[0])
    t0 = float(edges[first])
    if t0 <= start + _EDGE_S or t0 >= end:
        return None
    elapsed = end - start
    calendar = p.window.name != p.window.short  # a calendar window's name has its zone
    # a rolling window is whole `seconds` after its first datum; a calendar period that
    # started before the data never is: the next period is the first with full history
    full = p.window.start + p.window.seconds if calendar else t0 + p.window.seconds
    ratio = (end - t0) / elapsed if elapsed > 0 else math.nan
    return History(
        first_data=t0,
        covered_s=end - t0,
        covered_ratio=ratio,
        window_full_at=full,
        calendar=calendar,
        message=(
            f"partial: history covers {_span(end - t0)} of {p.window.name} ({_pct(ratio)}) "
            f"since {iso(t0)}; figures are over that data, {_full_text(full, calendar)}"
        ),
    )


def _full_text(full: float, calendar: bool) -> str:
    if calendar:
        return f"the next period (from {iso(full)}) is the first fully covered"
    return f"the window is fully covered from {iso(full)}"


def _data(counts: SeriesCounts) -> np.ndarray:
    good = np.asarray(counts.good, dtype=float)
    total = np.asarray(counts.total, dtype=float)
    return ~np.isnan(good) & ~np.isnan(total)


def _last_data_end(p: Planned, counts: SeriesCounts) -> float | None:
    data = _data(counts)
    if not data.any():
        return None
    return float(np.asarray(p.edges, dtype=float)[int(np.flatnonzero(data)[-1]) + 1])


def reasons(
    p: Planned,
    counts: SeriesCounts,
    *,
    coverage: dict[str, float],
    total: float,
    alerts_blind: tuple[str, ...],
    min_cov: float,
    young: History | None,
    query: str,
) -> tuple[NoData, ...]:
    """Every reason a NO_DATA status has (see the module's docstring), first the most
    fundamental. Call it for NO_DATA results only; it always returns at least one. `query`:
    the SLO's query as its spec writes it, named when the source did not say which of its
    selectors matched nothing."""
    out: list[NoData] = []
    window = p.window.name
    cov = coverage.get("window", math.nan)
    last = _last_data_end(p, counts)
    if last is None:
        out.append(_no_series(p, counts, query))
        return tuple(out)
    if not cov >= min_cov:
        if young is not None:
            out.append(_short_history(young, window, min_cov))
        else:
            out.append(
                NoData(
                    "low_coverage",
                    f"too little coverage: data for {_pct(cov)} of the window ({window}), "
                    f"less than the minimum coverage {_pct_min(min_cov)}",
                )
            )
    if not coverage.get("1h", math.nan) > 0 or alerts_blind:
        out.append(_blind(p, last, alerts_blind, coverage))
    if cov > 0 and not total > 0:
        unit = p.measurement.unit
        out.append(NoData("no_traffic", f"no traffic: 0 {unit} counted in the window ({window})"))
    if not out:  # the engine's rules and these agree; never a NO_DATA without a reason
        out.append(NoData("low_coverage", f"no usable data in the window ({window})"))
    return tuple(out)


def _pct_min(ratio: float) -> str:
    return f"{ratio * 100:g}%"


def _no_series(p: Planned, counts: SeriesCounts, query: str) -> NoData:
    selectors = tuple(getattr(counts, "unmatched", ()) or ()) or (query,)
    since = iso(float(np.asarray(p.edges)[0]))
    what = ", ".join(selectors)
    return NoData(
        "no_series",
        f"no series matched {what} from {since} to {iso(p.end)} "
        "(a misspelt metric or label, or a target that is not scraped?)",
    )


def _short_history(h: History, window: str, min_cov: float) -> NoData:
    full = _full_text(h.window_full_at, h.calendar)
    return NoData(
        "short_history",
        f"history shorter than the window: data since {iso(h.first_data)} covers "
        f"{_span(h.covered_s)} of {window} ({_pct(h.covered_ratio)}), less than the minimum "
        f"coverage {_pct_min(min_cov)}; {full} (a lower min_coverage evaluates it over the "
        "data it has, marked partial)",
    )


def _blind(
    p: Planned, last: float, alerts_blind: tuple[str, ...], coverage: dict[str, float]
) -> NoData:
    ago = _span(p.end - last)
    if not coverage.get("1h", math.nan) > 0:
        text = (
            f"blind: no samples in the last hour, none since {iso(last)} ({ago} before the "
            "evaluation instant; is the target still scraped?)"
        )
    else:
        text = (
            f"blind: {', '.join(alerts_blind)} cannot be evaluated: a window it reads has no "
            f"data (last sample before {iso(last)}, {ago} before the evaluation instant)"
        )
    return NoData("blind", text)
