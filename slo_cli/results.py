"""The results of an evaluation: frozen, plain numbers, no I/O and no rounding.

`slo_cli.evaluate` builds them from the engine's arrays; `slo_cli.gate` adds the gate's verdict;
`slo_cli.render.*` turns them into text. Units are in the field names where a bare number would
be ambiguous (`_s` = seconds); ratios are fractions (0.999), never percentages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from slo_cli.engine.defaults import MIN_COVERAGE, WARN_REMAINING

Status = Literal["OK", "WARNING", "CRITICAL", "NO_DATA", "ERROR"]
#: engine status ints (docs/design.md §2) in order, then ERROR: the SLO's own queries failed
#: (the engine never says ERROR; `slo_cli.evaluate` does, from the source's per-SLO error)
STATUSES: tuple[Status, ...] = ("OK", "WARNING", "CRITICAL", "NO_DATA", "ERROR")

FailOn = Literal["exhausted", "page", "ticket", "never"]
FAIL_ON: tuple[FailOn, ...] = ("exhausted", "page", "ticket", "never")

# WARN_REMAINING (the status is WARNING below it, reports call such SLOs "close to" exhaustion)
# and MIN_COVERAGE (NO_DATA below it; the default of `min_coverage` / `--min-coverage`) are
# defined once, in slo_cli.engine.defaults (the engine's Policy defaults), and carried in
# every result.

#: why an SLO has no answer (slo_cli.nodata): the machine-readable reason codes
NoDataCode = Literal["no_series", "short_history", "low_coverage", "blind", "no_traffic"]
NO_DATA_CODES: tuple[NoDataCode, ...] = (
    "no_series",
    "short_history",
    "low_coverage",
    "blind",
    "no_traffic",
)

#: burn-rate windows in display order; "window" is the whole SLO window
BURN_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "window")


@dataclass(frozen=True)
class Gate:
    """The effective gate policy of one SLO.

    `fail_on`: breach when the budget is exhausted (`exhausted`), or also when a page alert fires
    (`page`), or also when a ticket alert fires (`ticket`), or never (`never`).
    `min_remaining`: also breach when less than this ratio of the budget remains (None = off).
    `max_burn_since` / `max_spent_since`: also breach when, since `slo check --since`, the
    average burn rate exceeded this / more than this ratio of the budget was spent (None = off;
    command line only, and whatever `fail_on` says).
    `origin`: where the policy came from, for people: "default", "spec" or "command line".
    """

    fail_on: FailOn = "page"
    min_remaining: float | None = None
    origin: str = "default"
    max_burn_since: float | None = None
    max_spent_since: float | None = None

    def describe(self) -> str:
        """Short text, e.g. ``fail on page, min remaining 25%``."""
        text = f"fail on {self.fail_on}"
        if self.min_remaining is not None:
            text += f", min remaining {self.min_remaining * 100:g}%"
        if self.max_burn_since is not None:
            text += f", max burn since {self.max_burn_since:g}×"
        if self.max_spent_since is not None:
            text += f", max spent since {self.max_spent_since * 100:g}%"
        return text


@dataclass(frozen=True)
class Verdict:
    """The gate's answer for one SLO.

    `breached`: the SLO fails the gate (exit 1). `unknown`: there is no trustworthy answer (no
    data, too little coverage, or inconsistent counts): exit 4 unless allowed. `reasons` are short
    phrases for people (``budget exhausted``, ``page alert firing``).
    """

    breached: bool
    unknown: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoData:
    """One reason an SLO has status NO_DATA: a code (`NO_DATA_CODES`) and a message for people
    naming the facts (the selector that matched nothing, how much history, since when)."""

    code: NoDataCode
    message: str


@dataclass(frozen=True)
class History:
    """A young SLO: its data starts after its window does (slo_cli.nodata.history).

    `first_data` is the start of the first bin with data (epoch seconds), `covered_s` the
    seconds from it to the evaluation instant, `covered_ratio` their share of the window (of
    its elapsed part for a calendar window); `window_full_at` when the window is first wholly
    covered (a calendar window: the next period's start, `calendar`). `message` says it for
    people. An evaluated result with a history is *partial*: its figures are over that data.
    """

    first_data: float
    covered_s: float
    covered_ratio: float
    window_full_at: float
    calendar: bool = False
    message: str = ""


@dataclass(frozen=True)
class SLOError:
    """Why one SLO has no result: its own queries failed at the source (the others did not).

    `message` is the source's message (the server's own words where it gave some), `kind` the
    error class (``BadQueryError``, ``LimitError``, …), `query_sent` the PromQL that was sent
    (generated), `spec_query` the SLO's query text as written in its spec, `spec_line` the line
    its spec file has the SLO at.
    """

    message: str
    kind: str
    spec_query: str
    query_sent: str | None = None
    hint: str | None = None
    spec_line: int | None = None

    def describe(self, path: str | None) -> str:
        """One line: ``file:line: message (query: …)``."""
        where = f"{path or '<spec>'}" + (f":{self.spec_line}" if self.spec_line else "")
        text = f"{where}: {self.message}; spec query: {self.spec_query}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


@dataclass(frozen=True)
class Since:
    """One SLO over [start, end): from `slo check --since` (a deploy) to the evaluation instant.

    Counts in the SLO's `count_unit`; `consumed` is the share of the SLO window's error budget
    the stretch spent, `burn_rate` its average burn rate; `coverage` the share of its seconds
    with data. All from `slo_cli.engine.since_figures`.
    """

    start: float
    end: float
    good: float
    total: float
    sli: float
    consumed: float
    burn_rate: float
    coverage: float

    @property
    def bad(self) -> float:
        """total − good."""
        return self.total - self.good


@dataclass(frozen=True)
class CompositeMember:
    """One member of a composite: its SLO's own result figures (its own window and objective)
    and what it contributed to the composite over the composite's window.

    `burn_share`: the member's share of the composite's burn over the composite's SLO window —
    weighted: wᵢ·badᵢ ÷ Σ wⱼ·badⱼ; weighted_burn: wᵢ·burnᵢ ÷ Σ wⱼ·burnⱼ; least_healthy: 1 for
    the least healthy member, else 0 (NaN when nothing was bad).
    """

    key: str
    weight: float
    status: Status
    objective: float
    sli: float
    remaining: float
    burn_share: float


@dataclass(frozen=True)
class CompositeInfo:
    """What makes an SLOResult a composite: its method and its members, in spec order."""

    method: str
    members: tuple[CompositeMember, ...]


@dataclass(frozen=True)
class AdjustmentUse:
    """One budget adjustment as it applied over a span: `reason`; `kind` "one-off" or
    "recurring"; `rule` the period as written for people (times, or RRULE, duration and zone);
    `origin` where it is written (``file:line``); `intervals` [start, end) epoch seconds inside
    the span; `events` and `bad` the events it took out (counts in the SLO's `count_unit`)."""

    reason: str
    kind: str
    rule: str
    origin: str
    intervals: tuple[tuple[float, float], ...]
    events: float
    bad: float


@dataclass(frozen=True)
class AdjustmentFigures:
    """What an SLO's budget adjustments took out of [start, end) (`slo_cli.adjust.figures`).

    `events`, `bad`: excluded events and bad events (each excluded once, however many
    adjustments cover a bin); `consumed_without`: the share of the SLO window's error budget
    the span would have consumed without them; `returned`: the budget they gave back, that
    minus what it consumed with them (ratio; 0.05 = 5 percentage points); `unknown_s`: excluded
    seconds that had no data anyway; `partial`: an adjustment edge was not a bin edge (the bins
    holding it were counted in full: approximate).
    """

    start: float
    end: float
    applied: tuple[AdjustmentUse, ...]
    events: float
    bad: float
    returned: float
    consumed_without: float
    unknown_s: float = 0.0
    partial: bool = False


@dataclass(frozen=True)
class SLOResult:
    """One SLO evaluated at one instant (see docs/design.md §4).

    Counts (`good`, `total`, `allowed_bad`) are in `count_unit` over the SLO window: "events"
    (occurrences), "slices" (timeslices) or "seconds" (ratio_timeslices: good-seconds of seconds
    with traffic); `budgeting_note` is the budgeting for people ("" for occurrences).
    `window` is the window's name in every output (``30d``, ``month (Europe/Berlin)``);
    `window_short` the same without the zone, for narrow table cells.
    `warn_remaining` and `min_coverage` are the thresholds the status was decided with.
    `remaining` is the ratio of the error budget left (may be negative: an overspent budget is
    shown, never clamped). `budget_minutes` is the budget's time equivalent
    over the window. `burn_rates` and `coverage` are keyed by BURN_WINDOWS names.
    `time_to_exhaustion_s` is inf when the budget is not burning, 0 when already exhausted.
    `since` holds the figures since `slo check --since` (None without it).
    `alerts_blind` names the alert rules that read a window without data (they cannot be
    evaluated; the status is then NO_DATA unless a rule fires or the budget is spent).
    `error`: status ERROR, the SLO's own queries failed (every number is NaN).
    `no_data`: the reasons of a NO_DATA status; `history`: set for a young SLO (`partial` when
    it was evaluated all the same, its coverage at least `min_coverage`).
    """

    service: str
    name: str
    objective: float
    window: str
    window_s: float
    window_start: float
    window_end: float
    budgeting: str
    sli_kind: str
    good: float
    total: float
    sli: float
    allowed_bad: float
    budget_minutes: float
    consumed: float
    remaining: float
    burn_rates: dict[str, float]
    coverage: dict[str, float]
    page: bool
    ticket: bool
    alerts_firing: tuple[str, ...]
    time_to_exhaustion_s: float
    status: Status
    data_error: bool = False
    alerts_blind: tuple[str, ...] = ()
    exact: bool = True
    notes: tuple[str, ...] = ()
    description: str = ""
    source_path: str | None = None
    gate: Gate = field(default_factory=Gate)
    verdict: Verdict | None = None
    since: Since | None = None
    window_short: str = ""
    count_unit: str = "events"
    budgeting_note: str = ""
    warn_remaining: float = WARN_REMAINING
    min_coverage: float = MIN_COVERAGE
    error: SLOError | None = None
    #: the line of `source_path` the SLO starts at
    source_line: int | None = None
    #: the budget adjustments that applied in the SLO window (None: none did)
    adjustments: AdjustmentFigures | None = None
    #: the burn rate of each of the 24 hours before `window_end`, oldest first (NaN: no
    #: traffic), from the engine on the same counts; filled when details are asked for
    hourly_burn: tuple[float, ...] = ()
    #: every figure's inputs (slo_cli.explanation.Trace), for `slo check --explain`; None
    #: unless asked for
    trace: Any = field(default=None, compare=False, repr=False)
    #: a composite SLO (sli_kind "composite"): its method and members; None for other SLOs
    composite: CompositeInfo | None = None
    #: why the status is NO_DATA (first the most fundamental); empty for every other status
    no_data: tuple[NoData, ...] = ()
    #: the data starts after the window does (a young SLO); None when it reaches the start
    history: History | None = None
    #: where `min_coverage` came from: "default", "spec" or "command line"
    min_coverage_origin: str = "default"
    #: (selector, note) for each `bad` selector that matched no series over the queried range
    #: while the total has data (counted as 0 bad events: an error counter that never fired
    #: has no series); the notes are also in `notes`. Outputs for people name them per SLO
    #: only when it is not OK (docs/check.md), else once per run (`slo check --details`)
    absent_bad: tuple[tuple[str, str], ...] = ()

    @property
    def quiet_notes(self) -> tuple[str, ...]:
        """The notes of `absent_bad`."""
        return tuple(note for _, note in self.absent_bad)

    @property
    def shown_notes(self) -> tuple[str, ...]:
        """`notes` as outputs for people show them per SLO: without those of `absent_bad`
        when the SLO is OK (a healthy SLO whose error counter never fired)."""
        if self.status != "OK" or not self.absent_bad:
            return self.notes
        quiet = set(self.quiet_notes)
        return tuple(n for n in self.notes if n not in quiet)

    @property
    def partial(self) -> bool:
        """Evaluated over a history shorter than the window: never a full-window figure."""
        return self.history is not None and self.measured

    @property
    def measured(self) -> bool:
        """The SLO has numbers (status OK, WARNING or CRITICAL)."""
        return self.status not in ("NO_DATA", "ERROR")

    @property
    def key(self) -> str:
        """``service/name``."""
        return f"{self.service}/{self.name}"

    @property
    def exhausted(self) -> bool:
        """The error budget is spent (remaining <= 0) on a measured window."""
        return self.measured and not math.isnan(self.remaining) and self.remaining <= 0

    @property
    def alert(self) -> Literal["page", "ticket", "none"]:
        """The most severe burn-rate alert firing."""
        if self.page:
            return "page"
        if self.ticket:
            return "ticket"
        return "none"


@dataclass(frozen=True)
class Evaluation:
    """Every SLO evaluated at the instant `at` (epoch seconds, UTC); `since`: the start of the
    deploy-scoped figures (`slo check --since`, a bin edge), None without them."""

    at: float
    slos: tuple[SLOResult, ...]
    since: float | None = None

    def counts(self) -> dict[Status, int]:
        """SLOs per status, every status present (zero when none)."""
        out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for r in self.slos:
            out[r.status] += 1
        return out

    @property
    def breached(self) -> tuple[SLOResult, ...]:
        """SLOs that fail the gate (empty before the gate is applied)."""
        return tuple(r for r in self.slos if r.verdict is not None and r.verdict.breached)

    @property
    def errors(self) -> tuple[SLOResult, ...]:
        """SLOs whose own queries failed at the source (status ERROR): the run exits 3."""
        return tuple(r for r in self.slos if r.error is not None)

    @property
    def unknown(self) -> tuple[SLOResult, ...]:
        """SLOs without a trustworthy answer (empty before the gate is applied)."""
        return tuple(r for r in self.slos if r.verdict is not None and r.verdict.unknown)
