"""Answers shared between the SLOs of one run that select the same series (issue 12, item 1).

Several SLOs over one SLI (99.9 % and 99 % over 30 days, 28 days, 7 days, a calendar month of
the same service) plan the same queries: the same wide-tier range queries over shorter or
longer stretches, the same hourly tier, the same raw samples of the last hours. The source
fetches such SLOs one after another on one worker, longest grid first, with one `SharedAnswers`
for the group, so each query reaches the server once:

- a call asked for again (path and every parameter equal) gets the answer already received;
- a range query (Prometheus only) whose start lies on the step grid of an answer received for
  the same expression, end and step, starting earlier, gets that answer's points from its
  start on. Prometheus evaluates every step of a range query on its own, so these are exactly
  the points the server would send (a series without a point from that start on is dropped,
  as the server drops it) — except for a query with `@ start()` or `@ end()` (a raw
  template may hold them), which evaluate at the range's own bounds. Other engines are not
  trusted with it: VictoriaMetrics, for one, may move a range's points with its start.

SLOs whose counts are the same request (one SLI over the same grid: 99.9 % and 99 % over 30
days) are counted once (`same_counts`), each getting its own copy.

Answers are never changed in place (the readers copy what they keep), so one answer is shared
as it is. Nothing is shared across groups or runs (a group's answers are dropped after it), and
a run that records answers (`slo snapshot`) or lists its calls (`--explain`) shares nothing, so
the recording holds every call and the listing every query.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from slo_cli.sources.http import Envelope, answer_key
from slo_cli.sources.shapes import ARRAYS, arrays

if TYPE_CHECKING:
    from slo_cli.sources.model import FetchRequest, SeriesCounts

RANGE_PATH = "/api/v1/query_range"
#: `@ start()` / `@ end()` (a raw template may hold them) evaluate at the range's own start or
#: end: such a range is never answered from another one
_ANCHORED = re.compile(r"\b(start|end)\s*\(\s*\)")
#: seconds: a point this close before a range's start is still at its start (the same
#: millisecond parsed from two decimal texts); steps are whole seconds apart or more
_SLACK_S = 0.0005


class SharedAnswers:
    """The answers one group of SLOs received, by call; `ranges` allows sharing range queries
    by their start (see the module docstring)."""

    def __init__(self, *, ranges: bool) -> None:
        self.ranges = ranges
        self._exact: dict[str, Envelope] = {}
        #: (expression and every other parameter but start) -> [(start ms, step ms, answer)]
        self._by_range: dict[str, list[tuple[int, int, Envelope]]] = {}

    def get(self, path: str, params: dict[str, str]) -> Envelope | None:
        """The answer to this call from one already received, or None."""
        got = self._exact.get(answer_key(path, params))
        if got is None and self.ranges and path == RANGE_PATH:
            got = self._from_range(params)
        return got

    def put(self, path: str, params: dict[str, str], env: Envelope) -> None:
        """Keep a successful answer for the group's next SLOs."""
        self._exact[answer_key(path, params)] = env
        if self.ranges and path == RANGE_PATH:
            grid = _grid(params)
            if grid is not None:
                self._by_range.setdefault(_range_key(params), []).append((*grid, env))

    def _from_range(self, params: dict[str, str]) -> Envelope | None:
        grid = _grid(params)
        if grid is None or _ANCHORED.search(params.get("query", "")):
            return None
        start, step = grid
        for first, have_step, env in self._by_range.get(_range_key(params), ()):
            behind = start - first
            if have_step == step and behind >= 0 and behind % step == 0:
                return _from(env, start / 1000.0)
        return None


def _range_key(params: dict[str, str]) -> str:
    return answer_key(RANGE_PATH, {k: v for k, v in params.items() if k != "start"})


def _grid(params: dict[str, str]) -> tuple[int, int] | None:
    """(start, step) of a range query in whole milliseconds, or None if not plain numbers."""
    try:
        start = round(float(params["start"]) * 1000)
        step = round(float(params["step"]) * 1000)
    except (KeyError, ValueError, OverflowError):
        return None
    return (start, step) if step > 0 else None


def _from(env: Envelope, start: float) -> Envelope:
    """A matrix answer with each series' points from `start` on; series left empty dropped."""
    data = env.data
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        return env
    low = start - _SLACK_S
    out: list[dict[str, Any]] = []
    for series in data.get("result") or []:
        t, v = arrays(series)
        keep = t >= low
        if not keep.any():
            continue
        metric = series.get("metric") or {}
        # the arrays are what every reader reads (shapes.arrays): the rows are not carried
        out.append({"metric": metric, ARRAYS: (t[keep], v[keep])})
    return Envelope({"resultType": "matrix", "result": out}, env.warnings)


def groups(requests: Sequence[FetchRequest], share: bool) -> list[list[tuple[int, FetchRequest]]]:
    """The requests (with their index) in groups fetched one after another: SLOs with the same
    SLI together, the longest grid first (its answers hold the others' shorter stretches), the
    groups in the order of their first request; each request alone when nothing is shared."""
    if not share:
        return [[(i, r)] for i, r in enumerate(requests)]
    by: dict[str, list[tuple[int, FetchRequest]]] = {}
    for i, r in enumerate(requests):
        by.setdefault(repr(getattr(r.slo, "sli", r.key)), []).append((i, r))
    return [
        sorted(g, key=lambda ir: (-(float(ir[1].edges[-1]) - float(ir[1].edges[0])), ir[0]))
        for g in by.values()
    ]


def same_counts(req: FetchRequest) -> tuple[Any, ...] | None:
    """What a request's counts depend on besides its SLI, which every request of one of
    `groups` has (everything else `Fetcher.counts` reads of it but its key: the time slice
    settings, the budgeting, the grid); requests of one group with the same get the same
    counts. None for a grouped SLO (its counts are per group, not copied)."""
    slo = req.slo
    if getattr(slo, "group_by", None):
        return None
    return (
        type(slo),
        repr(getattr(slo, "timeslice", None)),
        repr(getattr(slo, "budgeting", None)),
        np.asarray(req.edges, dtype=np.float64).tobytes(),
    )


def counted_once(
    group: Sequence[tuple[int, FetchRequest]],
    count: Callable[[FetchRequest], SeriesCounts],
    share: bool,
) -> Iterator[tuple[int, SeriesCounts]]:
    """(index, counts) of each request of one of `groups`, in order, counted by `count`; with
    `share`, a request with the same counts as an earlier one (same_counts) and no error gets a
    copy of them instead of being counted again."""
    done: dict[tuple[Any, ...], SeriesCounts] = {}
    for i, req in group:
        same = same_counts(req) if share else None
        if same is not None and same in done:
            yield i, copied(done[same], req.key)
            continue
        got = count(req)
        if same is not None and got.error is None:
            done[same] = got
        yield i, got


def copied(counts: SeriesCounts, key: str) -> SeriesCounts:
    """Another SLO's counts (see same_counts) under this SLO's key, with arrays of its own."""
    return dataclasses.replace(
        counts,
        key=key,
        edges=counts.edges.copy(),
        good=counts.good.copy(),
        total=counts.total.copy(),
    )
