"""What `slo check --explain SLO` shows: every figure of one SLO with its inputs (frozen, plain
numbers, no I/O). `slo_cli.tracing` fills it from the very engine call the table's numbers come
from; `slo_cli.render.explain` lays it out. Ratios are fractions, durations seconds, epoch
seconds UTC, nothing rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BinRun:
    """Consecutive bins of one width inside a window: `count` bins of `width_s` seconds
    covering [start, end)."""

    width_s: float
    count: int
    start: float
    end: float


@dataclass(frozen=True)
class MemberFigures:
    """What a composite read of one member over one window: its sums as the method read them
    (weighted: over the bins every member observed), its burn rate against its own
    `objective`, and (least_healthy) whether it was the member picked for that window."""

    key: str
    weight: float
    objective: float
    good: float
    bad: float
    total: float
    missing_s: float
    burn_rate: float
    picked: bool = False

    @property
    def error_ratio(self) -> float:
        """bad ÷ total, what least_healthy compares (NaN without traffic)."""
        return self.bad / self.total if self.total > 0 else float("nan")


@dataclass(frozen=True)
class WindowFigures:
    """One window's sums and figures as the engine computed them.

    `name`: "5m" … "3d", an alert rule's own length ("4h"), or the SLO window's name; `good`,
    `bad`, `total` in the SLO's count unit (events, slices, or seconds); `missing_s`: seconds
    of its bins without data; `span_s`: its length on the grid; `bins`: its bins, by width;
    `refined`: its bins counted again from raw samples ((start, end, counter part));
    `members`: a composite's inputs over the window, one per member (empty for other SLOs).
    """

    name: str
    start: float
    end: float
    good: float
    bad: float
    total: float
    missing_s: float
    span_s: float
    coverage: float
    burn_rate: float
    bins: tuple[BinRun, ...] = ()
    refined: tuple[tuple[float, float, str], ...] = ()
    members: tuple[MemberFigures, ...] = ()

    @property
    def n_bins(self) -> int:
        """Bins in the window."""
        return sum(b.count for b in self.bins)


@dataclass(frozen=True)
class RuleFigures:
    """One multi-window alert rule: its threshold (from `budget_share` of the budget over the
    long window, or a fixed `burn_rate`), the burn rate of each of its windows, and whether it
    fired (both windows ≥ threshold) or could not be evaluated (`blind`: a window without data).
    """

    label: str
    severity: str
    long_s: float
    short_s: float
    budget_share: float | None
    fixed_burn_rate: float | None
    threshold: float
    long_burn: float
    short_burn: float
    firing: bool
    blind: bool


@dataclass(frozen=True)
class Trace:
    """Everything behind one SLO's row: the SLO window and every burn-rate and alert window
    with their sums, the alert rules, the time-to-exhaustion basis, and each formula's
    equation as `slo_cli.engine.formulas` states it (name -> text, e.g. "sli" ->
    "SLI = good ÷ total"). `method`: a composite's (its windows then hold their `members`,
    and the equations the method's), None for other SLOs."""

    slo_window: WindowFigures
    windows: tuple[WindowFigures, ...]
    rules: tuple[RuleFigures, ...]
    tte_basis: str
    equations: dict[str, str]
    grid_start: float
    grid_bins: int
    method: str | None = None

    def window(self, name: str) -> WindowFigures | None:
        """The burn-rate window named `name` ("1h"), if there is one."""
        return next((w for w in self.windows if w.name == name), None)


@dataclass(frozen=True)
class Query:
    """One API call: its path and parameters (query text, start, end, step or time)."""

    path: str
    params: tuple[tuple[str, str], ...]

    @property
    def kind(self) -> str:
        """ "range", "instant" or "label values"."""
        if self.path.endswith("query_range"):
            return "range"
        if self.path.endswith("/query"):
            return "instant"
        return "label values"

    @property
    def text(self) -> str:
        """The PromQL (or the series selector of a label-values call)."""
        p = dict(self.params)
        return p.get("query") or p.get("match[]") or ""

    def param(self, name: str) -> str | None:
        """A parameter's value (start, end, step, time), None when absent."""
        return dict(self.params).get(name)


@dataclass(frozen=True)
class QueryList:
    """The calls of one SLO: `key` service/name; `error` when planning stopped early;
    `notes` what the listing cannot know in advance."""

    key: str
    queries: tuple[Query, ...]
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explained:
    """`slo check --explain`'s subject: the SLO's results (`result`: an SLOResult with its
    trace, one per group of a grouped SLO) at `at`, the calls its counts took (`queries`, as
    sent to `origin`: a server's URL or "snapshot FILE", replayed), and the run's exit code."""

    at: float
    results: tuple[Any, ...]
    queries: QueryList
    origin: str
    exit_code: int = 0


@dataclass(frozen=True)
class Planned:
    """`--show-queries`' subject: per SLO the calls a run at `at` would start with."""

    at: float
    lists: tuple[QueryList, ...]
    notes: tuple[str, ...] = ()
    extra_params: tuple[tuple[str, str], ...] = ()
