"""The queries a run would send, without a server (`slo check --show-queries`, `slo snapshot
--dry-run`).

The real `Fetcher` plans every request over a transport that sends nothing: each call is
logged and answered with an empty success, so the listed calls are the very ones a live run
starts with (the same chunking under the points limit, the same tagged union queries). What a
live run sends only because of an answer is not listed: for bins with a counter reset, a new
series or a scrape gap, 6-hour range queries splitting a wider bin and raw-sample queries;
baseline queries bridging a gap; halved chunks after a limit error. A latency SLI's bucket
matcher names the `le` spellings of its threshold the server reports (its first call asks);
the dry run assumes the spelling Prometheus 3 stores (``0.3``, ``1.0``), which the listing
says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slo_cli.sources.errors import PER_SLO_ERRORS
from slo_cli.sources.fetch import LOOKBACK_S, Fetcher
from slo_cli.sources.http import Call, QueryLog, RawAnswer, Transport
from slo_cli.sources.model import FetchRequest

#: what the listing says about the queries it cannot know in advance
NOT_LISTED = (
    "sent only when an answer calls for them, so not listed: for bins with a counter reset, "
    "a new series or a scrape gap, range queries on 6-hour bins splitting a wider one and "
    "raw-sample queries; baseline queries bridging a gap; halves of a chunk the server "
    "refused as too large. SLOs of one SLI share answers: a call is listed under the first "
    "SLO (the longest window) that sends it. SLOs over the same window whose SLIs differ only "
    'in one label\'s value (service="a", service="b", …) are listed each with its own '
    "calls, but a live run sends a call asked for by several of them once for up to 50, "
    'with service=~"a|b|…" in place of each one\'s matcher'
)
#: what it says about a latency SLI's bucket matcher
LE_ASSUMED = (
    "the `le` matcher lists the spellings of the threshold the server reports (its label "
    "values call); shown with the spelling Prometheus 3 stores"
)


class DryRunTransport(Transport):
    """Sends nothing: every call is answered with an empty success (no series)."""

    def __init__(self, log: QueryLog) -> None:
        super().__init__(url="dry run", max_retries=0)
        self.log = log
        #: the label values a `/api/v1/label/le/values` call is answered with
        self.le_values: list[str] = []

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        data: Any
        if path.endswith("/values"):
            data = self.le_values
        elif path == "/api/v1/query_range" or params.get("query", "").rstrip().endswith("]"):
            # a range answer, or the raw samples of an instant query of a range selector
            data = {"resultType": "matrix", "result": []}
        else:
            data = {"resultType": "vector", "result": []}
        body = json.dumps({"status": "success", "data": data})
        return RawAnswer(200, "application/json", body)


def le_spelling(threshold: float) -> str:
    """How Prometheus 3 spells a bucket boundary (normalised floats).

    >>> le_spelling(0.3), le_spelling(1.0), le_spelling(2.5e-05)
    ('0.3', '1.0', '2.5e-05')
    """
    return repr(float(threshold))


@dataclass(frozen=True)
class Planned:
    """The calls one SLO's counts start with; `error` when planning them stopped (e.g. a
    latency threshold that cannot be a bucket boundary)."""

    key: str
    calls: tuple[Call, ...]
    error: str | None = None
    assumes_le: bool = False


def planned_calls(
    requests: Sequence[FetchRequest],
    *,
    engine: str = "prometheus",
    max_points: int = 11_000,
    lookback_s: float = LOOKBACK_S,
) -> list[Planned]:
    """Per request, in order, the calls a live run starts with (nothing is sent). SLOs of one
    SLI are planned as the live source fetches them (slo_cli.sources.prometheus: one group,
    longest grid first, sharing answers): a call answered from an earlier SLO's answer is
    listed under that SLO only."""
    from slo_cli.sources.share import SharedAnswers, groups

    out: list[Planned | None] = [None] * len(requests)
    for group in groups(requests, True):
        shared = SharedAnswers(ranges=engine == "prometheus") if len(group) > 1 else None
        for i, req in group:
            log = QueryLog()
            transport = DryRunTransport(log)
            transport.shared = shared
            latency = getattr(req.slo.sli, "latency", None)
            if latency is not None:
                transport.le_values = [le_spelling(latency.threshold)]
            fetcher = Fetcher(
                transport, max_points=max_points, lookback_s=lookback_s, engine=engine
            )
            error = None
            try:
                fetcher.counts(req)
            except PER_SLO_ERRORS as exc:
                error = str(getattr(exc, "message", exc))
            out[i] = Planned(req.key, tuple(log.calls), error, latency is not None)
    return [p for p in out if p is not None]
