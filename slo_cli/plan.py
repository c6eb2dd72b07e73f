"""The one query plan of every command (docs/design.md §4): specs + what the command needs → one
bin grid and one fetch request per SLO.

`slo check` needs each SLO's window and every burn-rate and alert window at one instant
(`check_needs`); `slo report` also needs the period's and the previous period's bounds as bin
edges, the SLO window at the previous period's end, and hourly bins all the way back for burn
events and charts (`report_needs`). `slo snapshot` records `requests(plan(...))` for exactly
these needs, so what it stores is what the other commands replay.

Everything an SLO's spec says about *how* it is measured is resolved here, once: its window
(`slo_window`: the name every output uses, its start and budgeted length), its alert rules, and
its `Measurement` (budgeting → what the engine counts, and in which unit). The clock is never
read here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from slo_cli.report.period import Period
    from slo_cli.sources.model import FetchRequest, SeriesCounts
    from slo_specs.model import SLO, ServiceSpec

#: bin width near the evaluation instant; `slo check` instants are floored to it (seconds)
FINE_STEP_S = 60.0
#: the hours before the instant whose burn rates `--details` shows (slo_cli.engine.hourly)
DETAIL_HOURS = 24
#: the longest standard burn-rate window (3d): its data is always fetched (seconds)
LONGEST_BURN_WINDOW_S = 3 * 86400.0


@dataclass(frozen=True)
class Window:
    """An SLO window ending at one instant.

    `name` is how every output names it: the spec's label (``30d``, ``month (Europe/Berlin)``,
    ``week (UTC)``: a calendar window always with its zone). `short` is the name without the
    zone (``month``), for the one place too narrow for it: the check table's objective column.
    `start` is where it starts (epoch seconds); `seconds` is the length the budget is spread
    over (a calendar window's whole period, even while data ends before the period does).
    """

    name: str
    short: str
    start: float
    seconds: float


@dataclass(frozen=True)
class Measurement:
    """What the engine counts for an SLO's budgeting, and the unit of its counts.

    occurrences       good and bad events                                  unit "events"
    timeslices        good slices of slices with data                      unit "slices"
    ratio_timeslices  each slice's good ÷ total ratio weighted by its
                      duration: good-seconds of seconds with traffic       unit "seconds"

    `slice_s`: RatioTimeslices with the spec's ``timeslice.slice`` — the source then counts
    per bin the sum of its slices' ratios and their number, which the engine weighs by this
    length (:func:`slo_cli.engine.measures.ratio_timeslice_counts`); None: each bin is one
    slice of its own width (or another budgeting).
    """

    budgeting: str
    unit: str
    slice_s: float | None = None

    @property
    def ratio_timeslices(self) -> bool:
        """The engine turns per-bin ratios into seconds (OpenSLO RatioTimeslices)."""
        return self.budgeting == "ratio_timeslices"

    @property
    def qualifier(self) -> str:
        """The budgeting when it is not plain event counting (for people), else ``""``."""
        return "" if self.budgeting == "occurrences" else self.budgeting


_UNITS = {"occurrences": "events", "timeslices": "slices", "ratio_timeslices": "seconds"}


def measurement(slo: SLO) -> Measurement:
    """The SLO's budgeting resolved into what the engine counts.

    >>> from types import SimpleNamespace
    >>> measurement(SimpleNamespace(budgeting="ratio_timeslices")).unit
    'seconds'
    """
    ts = getattr(slo, "timeslice", None)
    slice_s = float(ts.slice) if slo.budgeting == "ratio_timeslices" and ts else None
    return Measurement(budgeting=slo.budgeting, unit=_UNITS[slo.budgeting], slice_s=slice_s)


def slice_length(slo: SLO) -> float | None:
    """The length of an SLO's slices (seconds): a timeslices SLI's `slice`, or the `timeslice`
    of a ratio or latency SLI budgeted by timeslices; None for occurrences (any bin will do).

    >>> from types import SimpleNamespace as N
    >>> slice_length(N(sli=N(kind="timeslices", timeslices=N(slice=300.0))))
    300.0
    >>> slice_length(N(sli=N(kind="ratio"), budgeting="occurrences", timeslice=None)) is None
    True
    """
    ts = slo.sli.timeslices if slo.sli.kind == "timeslices" else None
    if ts is not None:
        return float(ts.slice)
    if slo.budgeting != "occurrences" and slo.timeslice is not None:
        return float(slo.timeslice.slice)
    return None


def slo_window(slo: SLO, end: float) -> Window:
    """The SLO's window ending at `end` (epoch seconds).

    A calendar window is the period holding the last instant of data (`end` itself may be the
    next period's start); a rolling one is the `seconds` before `end`.
    """
    from slo_specs.model import CalendarWindow

    w = slo.window
    if isinstance(w, CalendarWindow):
        from slo_cli.engine.calendar import period_bounds

        start, stop = period_bounds(end - 1e-3, w.calendar, w.timezone, w.start)
        return Window(w.label, w.calendar, float(start), float(stop - start))
    return Window(w.label, w.label, end - float(w.seconds), float(w.seconds))


def alert_rules(slo: SLO) -> tuple[Any, ...] | None:
    """The SLO's own alert rules as engine AlertRules, or None for the engine's defaults."""
    if slo.alerting is None:
        return None
    from slo_cli.engine import AlertRule

    return tuple(
        AlertRule(
            severity=w.severity,
            long_s=w.long,
            short_s=w.long if w.short is None else w.short,  # None: one window
            budget_share=w.budget_consumed,
            burn_rate=w.burn_rate,
        )
        for w in slo.alerting.windows
    )


def burn_window_starts(slo: Any, end: float) -> tuple[float, ...]:
    """Where every burn-rate and alert window the engine reads for `slo` (an SLO or a
    composite) at `end` starts: bin edges of its grid (the grid's bins are aligned to the
    epoch, so a window start is an edge only when the plan asks for it)."""
    from slo_cli.engine import DEFAULT_ALERT_RULES
    from slo_cli.engine.core import window_lengths

    return tuple(sorted({end - w for w in window_lengths(alert_rules(slo) or DEFAULT_ALERT_RULES)}))


@dataclass(frozen=True)
class Needs:
    """What a command needs counts for.

    end          the instant the grid ends at and the engine evaluates at (a whole minute).
    edges        instants that must be bin edges and lie on the grid (a report's period bounds).
    windows_at   also the SLO window ending at each of these instants (the previous period's).
    far_step_s   bin width beyond 3 days; None: hourly bins all the way back (history, events).
    """

    end: float
    edges: tuple[float, ...] = ()
    windows_at: tuple[float, ...] = ()
    far_step_s: float | None = 86400.0


def evaluation_end(at: float) -> float:
    """The instant `slo check` evaluates at: `at` floored to the fine step (whole minutes)."""
    return math.floor(at / FINE_STEP_S) * FINE_STEP_S


def since_edge(since: float) -> float:
    """The bin edge a `slo check --since` instant becomes: floored to the fine step (whole
    minutes), as every edge of the grid; the figures then cover [since_edge, end)."""
    return math.floor(since / FINE_STEP_S) * FINE_STEP_S


def check_needs(at: float, since: float | None = None, details: bool = False) -> Needs:
    """`slo check` at `at`: every window at that instant's whole minute; with `since` (a
    deploy), that instant's whole minute is a bin edge too (so its figures are exact); with
    `details`, the bounds of the DETAIL_HOURS hours before it (the `--details` sparkline)."""
    end = evaluation_end(at)
    edges: tuple[float, ...] = () if since is None else (since_edge(since),)
    if details:
        edges += tuple(end - 3600.0 * k for k in range(1, DETAIL_HOURS + 1))
    return Needs(end=end, edges=edges)


def report_needs(period: Period) -> Needs:
    """`slo report` for `period`: the engine at the period's end, the period's and the previous
    period's bounds as edges, the SLO window at the previous period's end, hourly history."""
    return Needs(
        end=period.end,
        edges=(period.start, period.previous_start),
        windows_at=(period.previous_end,),
        far_step_s=None,
    )


@dataclass(frozen=True)
class Planned:
    """One SLO's place in the plan: how it is measured and the grid its counts are wanted on.

    `window` ends at `end`; `windows_at[i]` is the SLO window ending at `Needs.windows_at[i]`.
    `adjustments`: the SLO's budget adjustments (`slo_cli.adjust.Applied`) over the grid;
    their edges are bin edges of `edges`.
    """

    slo: SLO
    source_path: str | None
    window: Window
    end: float
    rules: tuple[Any, ...] | None
    measurement: Measurement
    edges: np.ndarray
    windows_at: tuple[Window, ...] = ()
    #: the SLO's budget adjustments with their intervals inside the grid (slo_cli.adjust)
    adjustments: tuple[Any, ...] = ()

    @property
    def description(self) -> str:
        """The SLO's description."""
        return self.slo.description


def plan(specs: Sequence[ServiceSpec], needs: Needs) -> list[Planned]:
    """Every SLO of `specs`, in spec order, with the grid its counts are fetched on.

    The grid reaches back over the SLO window(s), the needed edges and at least the longest
    burn-rate or alert window; SLOs needing the same edges share one grid (so the engine
    evaluates them as one matrix).
    """
    from slo_cli import adjust
    from slo_cli.composites import shared_edges
    from slo_cli.sources.grid import plan_grid

    end = needs.end
    shared = shared_edges(specs, needs)  # composite members: one grid per cluster
    grids: dict[tuple[float, ...], np.ndarray] = {}
    out: list[Planned] = []
    for spec in specs:
        for slo in spec.slos:
            window = slo_window(slo, end)
            others = tuple(slo_window(slo, t) for t in needs.windows_at)
            rules = alert_rules(slo)
            extra, reach = shared.get(slo.key, ((), 0.0))
            longest = max([LONGEST_BURN_WINDOW_S, reach] + [r.long_s for r in rules or ()])
            must = (*needs.edges, window.start, *(w.start for w in others), *extra)
            first = min(*must, end - longest)
            must += burn_window_starts(slo, end)
            applied = adjust.expand(adjust.of(spec, slo), first, end)
            must += tuple(t for t in adjust.edges_of(applied) if first < t < end)
            key = (first, *sorted(set(must)))
            if key not in grids:
                grids[key] = plan_grid(
                    end, end - first, must_edges=must, far_step_s=needs.far_step_s
                )
            out.append(
                Planned(
                    slo=slo,
                    source_path=spec.source_path,
                    window=window,
                    end=end,
                    rules=rules,
                    measurement=measurement(slo),
                    edges=grids[key],
                    windows_at=others,
                    adjustments=applied,
                )
            )
    return out


def requests(planned: Sequence[Planned]) -> list[FetchRequest]:
    """The source requests for a plan (one per SLO, keyed ``service/name``)."""
    from slo_cli.sources.model import FetchRequest

    return [FetchRequest(key=p.slo.key, slo=p.slo, edges=p.edges) for p in planned]


def expand_groups(
    planned: Sequence[Planned], counts: Sequence[SeriesCounts]
) -> tuple[list[Planned], list[SeriesCounts]]:
    """A grouped SLO (``group_by``) becomes one SLO per group its source found: named
    ``slo{label="value"}`` (key ``service/slo{label="value"}``), each with its own counts, and
    so its own budget, alerts, gate verdict and report row. Other SLOs pass through."""
    from dataclasses import replace

    from slo_cli.sources.groups import label_text

    out_p: list[Planned] = []
    out_c: list[SeriesCounts] = []
    for p, c in zip(planned, counts, strict=True):
        if not p.slo.group_by or c.error is not None:  # an error row stays one row
            out_p.append(p)
            out_c.append(c)
            continue
        for g in c.groups:
            member = p.slo.model_copy(update={"name": f"{p.slo.name}{label_text(g.labels)}"})
            out_p.append(replace(p, slo=member))
            out_c.append(replace(c, key=member.key, good=g.good, total=g.total, groups=()))
    return out_p, out_c
