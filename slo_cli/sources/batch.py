"""One query for many SLOs that differ only in one label's value (issue 12: fewer requests).

Two hundred availability SLOs, one per `service`, plan the same queries but for the matcher
`service="…"` in their selectors. Each query our counters send is evaluated series by series
(selectors, `last_over_time`, `resets`, `label_replace` onto `__slo_part`, `or`, `offset`),
so the answer to the query with `service=~"a|b|c"` in place of `service="a"` holds, among its
series, exactly the series the query for `a` alone returns, with the same points: its series
whose `service` is `a`. `Batcher` uses that:

- `families` puts SLOs together whose SLI text is the same but for the value of one label's
  equality matcher (the same value wherever that label is matched in the SLI), over the same
  grid (the same window and instant: the same queries);
- the first SLO of a family to ask for a query sends it alone; when a second one asks for the
  same query (the same path and parameters, its own value in place of the first's), the
  batcher sends it once for that SLO and up to `CHUNK - 1` more of the family's values not yet
  served, in the family's order (the order the workers take the SLOs), and keeps each value's
  series for its SLO. A batch goes out in as many parts as there are workers: the workers that
  wait for it each send a part not sent yet, so the server evaluates the parts side by side
  (one query is one thread of Prometheus' work). A query only one SLO asks for (the
  follow-ups of one SLO's counter reset) is never batched;
- once AHEAD_AFTER SLOs took their answers from a batch, the family's next chunk of the same
  query is fetched ahead, on prefetch threads, while the workers count this chunk's SLOs: the
  server evaluates the next chunk while the client counts this one, instead of the two taking
  turns. The transports share a gate of --workers, so no more queries are in flight than
  without prefetching;
- anything unusual sends the SLO's own query instead: an expression with other functions,
  aggregations, a selector without the SLO's matcher or a string that names the label; a value
  other than letters, digits and `_ - . : /`; a batched answer with warnings or partial data,
  or with a series of no value asked for; an error answer (the SLO's own query then gets its
  own error, as before, and nothing more is batched in this fetch: a server that refused a
  batch for its size or time is not asked again).

A run that records answers (`slo snapshot`) or lists its calls (`--explain`) batches nothing,
so the recording holds, and the listing shows, each SLO's own calls.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slo_cli.sources.http import Envelope, answer_key

if TYPE_CHECKING:
    from slo_cli.sources.http import Transport
    from slo_cli.sources.model import FetchRequest

#: most SLOs one batched query serves (bounds an answer's size and the server's samples)
CHUNK = 50
#: a batch that this many SLOs took answers from puts the family's next chunk in the prefetch
#: queue: a query every SLO of the family asks, not the follow-up of a few SLOs' counter resets
AHEAD_AFTER = 4
#: the paths whose queries may be batched
PATHS = ("/api/v1/query", "/api/v1/query_range")
#: a label equality matcher (in the SLI's text and in queries; `!=`, `=~` are not)
_MATCHER = re.compile(r'(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')
#: values batched: letters, digits and `_ - . : /` (a dot escaped in the regular expression)
_PLAIN = re.compile(r"[A-Za-z0-9_:/.-]+")
#: the functions and keywords an expression may hold (each evaluated series by series)
_WORDS = frozenset({"label_replace", "last_over_time", "resets", "or", "offset"})
_SELECTOR = re.compile(r"\{[^{}]*\}")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RANGE = re.compile(r"\[[^\]]*\]")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_:])\d[A-Za-z0-9_.]*")
_WORD = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_PLACE = "\x00"


@dataclass(frozen=True)
class Member:
    """An SLO's place in a family: the label, its value, the family's values in order."""

    label: str
    value: str
    values: tuple[str, ...]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where this SLO's matcher (`label="value"`) is in a query's text."""
        return _spans(text, self.label, self.value)

    def blank(self, text: str) -> str:
        """The text with this SLO's matcher replaced by _PLACE."""
        return _blank(text, self.spans(text))


def _spans(text: str, label: str, value: str) -> list[tuple[int, int]]:
    """The spans of the equality matchers `label="value"` in `text` (value as written, its
    escapes included), found by the one _MATCHER scan: compiling a pattern per SLO cost
    ~0.3 ms each before the first query of a run."""
    return [m.span() for m in _MATCHER.finditer(text) if m[1] == label and m[2] == value]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by _PLACE."""
    out, at = [], 0
    for a, b in spans:
        out += [text[at:a], _PLACE]
        at = b
    return "".join(out) + text[at:]


def families(requests: Sequence[FetchRequest]) -> dict[str, Member]:
    """Each batchable request's Member, by request key: its SLI's text with one label's value
    left out is that of at least one other request over the same grid (whose queries are then
    the same but for that value)."""
    from slo_cli.sources.share import same_counts

    shapes: dict[tuple[str, str, Any], list[tuple[str, str]]] = {}
    for req in requests:
        plan = same_counts(req)  # the grid and what else decides the queries
        if plan is None:
            continue  # a grouped SLO's series carry their own groups
        text = repr(getattr(req.slo, "sli", None))
        values: dict[str, set[str]] = {}
        for label, value in _MATCHER.findall(text):
            values.setdefault(label, set()).add(value)
        for label, seen in values.items():
            if len(seen) != 1 or label.startswith("__"):
                continue
            (value,) = seen
            if not _PLAIN.fullmatch(value):
                continue
            shape = _blank(text, _spans(text, label, value))
            shapes.setdefault((label, shape, plan), []).append((req.key, value))
    best: dict[str, Member] = {}
    for (label, _, _), keyed in shapes.items():
        values_in_order = tuple(dict.fromkeys(v for _, v in keyed))
        if len(values_in_order) < 2:
            continue
        for key, value in keyed:
            have = best.get(key)
            if have is None or len(values_in_order) > len(have.values):
                best[key] = Member(label, value, values_in_order)
    return best


def batchable(query: str, member: Member) -> bool:
    """Whether the expression is evaluated series by series and every series it reads is one
    of this SLO's: each selector holds the SLO's matcher, the words are _WORDS and metric names
    before their selectors, no `@`, and no string names the label (a label_replace onto it)."""
    return _batchable_blanked(member.blank(query), member.label)


@functools.lru_cache(maxsize=4096)
def _batchable_blanked(blanked: str, label: str) -> bool:
    """`batchable` on the query with the SLO's matchers replaced by _PLACE (Member.blank): the
    same text for every SLO of a family, so it is checked once per family and query."""
    if "@" in blanked:
        return False
    selectors = _SELECTOR.findall(blanked)
    if not selectors or not all(_PLACE in s for s in selectors):
        return False
    bare = _SELECTOR.sub("{}", blanked)
    if f'"{label}"' in bare:
        return False
    bare = _NUMBER.sub(" ", _RANGE.sub("[]", _STRING.sub(" ", bare)))
    for m in _WORD.finditer(bare):
        if m.group() not in _WORDS and not bare.startswith("{", m.end()):
            return False
    return True


@dataclass(frozen=True)
class _Ask:
    """One query of a family: the label, the call's path, its parameters with _PLACE where
    each SLO's matcher goes, and the query as shown in errors."""

    label: str
    path: str
    template: dict[str, str]
    query: str


@dataclass
class _Pending:
    """One batch: its values in parts, each part one query sent by whichever of the batch's
    threads takes it first (so a batch's parts reach the server in parallel), and the answers
    per value as parts come back."""

    parts: list[list[str]]
    taken: int = 0
    #: the values that took their answer from this batch (or are taking it)
    asked: int = 0
    #: the family's next chunk for the same query was put in the prefetch queue (Batcher._ahead)
    ahead: bool = False
    #: the values whose part came back (with an answer, or not: they send their own)
    done: set[str] = field(default_factory=set)
    answers: dict[str, Envelope] = field(default_factory=dict)
    cond: threading.Condition = field(default_factory=threading.Condition)


class Batcher:
    """Shared by the workers of one fetch; each worker's transport asks it before sending.
    `parts`: how many queries one batch is sent as (the workers, so that each worker waiting
    for a batch sends a part of it and the server evaluates them side by side)."""

    def __init__(
        self,
        members: dict[str, Member],
        parts: int = 1,
        spawn: Callable[[Callable[[], None]], object] | None = None,
        transport: Callable[[], Transport] | None = None,
    ) -> None:
        self.members = members
        self.parts = max(1, parts)
        #: runs a prefetch on a thread of its own, and that thread's transport (None: no
        #: prefetching; see `_ahead`)
        self.spawn = spawn if transport is not None else None
        self.transport = transport
        self._lock = threading.Lock()
        #: template call key -> the values that asked for it alone or were put in a batch
        self._claimed: dict[str, set[str]] = {}
        #: (template call key, value) -> the batch holding that value's answer
        self._batches: dict[tuple[str, str], _Pending] = {}
        #: batched queries sent, and the batches among them put in the prefetch queue (tests)
        self.sent = 0
        self.ahead = 0
        #: a batched query failed: every SLO sends its own queries from now on
        self.off = False

    def call(
        self, t: Transport, member: Member, path: str, params: dict[str, str], query: str
    ) -> Envelope | None:
        """This SLO's answer from a batched query, or None: it sends its own query."""
        if self.off or path not in PATHS:
            return None
        blanked = member.blank(params.get("query", ""))
        if not _batchable_blanked(blanked, member.label):
            return None
        template = {**params, "query": blanked}
        key = answer_key(path, template)
        value = member.value
        with self._lock:
            pending = self._batches.pop((key, value), None)
            if pending is None:
                claimed = self._claimed.setdefault(key, set())
                chunk = [] if not claimed or value in claimed else self._chunk(claimed, member)
                claimed.update(chunk or [value])
                if len(chunk) < 2:
                    return None  # the first to ask, one asking again, or no one to share with
                pending = _Pending(_split_in(chunk, self.parts))
                for v in chunk[1:]:
                    self._batches[(key, v)] = pending
        ask = _Ask(member.label, path, template, query)
        self._ahead(key, member, ask, pending)
        self._help(t, ask, value, pending)
        with pending.cond:  # the lock the parts' answers are stored under
            return pending.answers.pop(value, None)

    @staticmethod
    def _chunk(claimed: set[str], member: Member, after: str | None = None) -> list[str]:
        """This value and the family's next ones not yet claimed, in the family's order (with
        `after`: the family's next unclaimed values after that one, this value not among them)."""
        out = [] if after is not None else [member.value]
        at = member.values.index(after if after is not None else member.value)
        for v in member.values[at + 1 :] + member.values[:at]:
            if len(out) >= CHUNK:
                break
            if v not in claimed:
                out.append(v)
        return out

    def _ahead(self, key: str, member: Member, ask: _Ask, pending: _Pending) -> None:
        """Put the family's next chunk for this query in the prefetch queue, once per batch,
        when AHEAD_AFTER SLOs have asked for their answers from it.

        The workers take the family's SLOs in order, so while they count the SLOs of one
        chunk (client work, the server idle) the next chunk's answers are fetched on the
        prefetch thread (server work, the client idle): the two overlap instead of taking
        turns. Every SLO of a family asks the same queries (that is what makes it a family),
        so what is fetched ahead is asked for; at most --workers queries are in flight, the
        prefetches' included (the transports share one gate)."""
        if self.spawn is None or pending.ahead or self.off:
            return
        with self._lock:
            pending.asked += 1
            if pending.ahead or pending.asked < AHEAD_AFTER:
                return
            pending.ahead = True
            last = pending.parts[-1][-1]
            chunk = self._chunk(self._claimed[key], member, after=last)
            if len(chunk) < 2:
                return
            self._claimed[key].update(chunk)
            self.ahead += 1
            nxt = _Pending(_split_in(chunk, self.parts))
            for v in chunk:
                self._batches[(key, v)] = nxt
        # a source that is closing takes no task: then the workers that ask send the parts
        with contextlib.suppress(RuntimeError):
            self.spawn(lambda: self._prefetch(ask, nxt))

    def _prefetch(self, ask: _Ask, pending: _Pending) -> None:
        """Send the parts of a prefetched batch no worker has taken yet."""
        assert self.transport is not None
        try:
            t = self.transport()
            while self._send_next(t, ask, pending):
                pass
        except Exception:  # each SLO then sends its own queries
            self.off = True
            with pending.cond:  # no worker waits for a part that is never sent
                rest = pending.parts[pending.taken :]
                pending.taken = len(pending.parts)
                pending.done.update(v for part in rest for v in part)
                pending.cond.notify_all()

    def _help(self, t: Transport, ask: _Ask, value: str, pending: _Pending) -> None:
        """Send the batch's parts no thread has taken yet, until this value's part is back."""
        cond = pending.cond
        while True:
            with cond:
                if value in pending.done:
                    return
                if pending.taken == len(pending.parts):
                    cond.wait_for(lambda: value in pending.done)
                    return
            self._send_next(t, ask, pending)

    def _send_next(self, t: Transport, ask: _Ask, pending: _Pending) -> bool:
        """Send the batch's next part no thread has taken (False: every part was taken)."""
        cond = pending.cond
        with cond:
            if pending.taken == len(pending.parts):
                return False
            part = pending.parts[pending.taken]
            pending.taken += 1
        got: dict[str, Envelope] = {}
        try:
            got = self._send(t, ask, part)
        finally:
            with cond:
                pending.answers.update(got)
                pending.done.update(part)
                cond.notify_all()
        return True

    def _send(self, t: Transport, ask: _Ask, part: list[str]) -> dict[str, Envelope]:
        """One part's answers per value; none when it failed (each SLO then sends its own)."""
        from slo_cli.sources.errors import SourceError

        label = ask.label
        alternatives = "|".join(v.replace(".", "\\\\.") for v in part)
        combined = ask.template["query"].replace(_PLACE, f'{label}=~"{alternatives}"')
        try:
            env = t.send_call(ask.path, {**ask.template, "query": combined}, ask.query)
        except SourceError:
            # a server that refused one batch (a limit, a timeout, an answer too large) is
            # not sent more
            self.off = True
            return {}
        with self._lock:
            self.sent += 1
        if env.warnings or not isinstance(env.data, dict):
            return {}
        return _split(env.data, label, part) or {}


def _split_in(values: list[str], parts: int) -> list[list[str]]:
    """`values` in at most `parts` parts of nearly equal size (none smaller than 2), the first
    value in the first part."""
    n = max(1, min(parts, len(values) // 2))
    size, longer = divmod(len(values), n)
    out, at = [], 0
    for i in range(n):
        step = size + (i < longer)
        out.append(values[at : at + step])
        at += step
    return out


def _split(data: dict[str, Any], label: str, values: list[str]) -> dict[str, Envelope] | None:
    """Each value's series of a batched answer (its relative order kept), or None when the
    answer is not a vector or matrix or holds a series of none of the values."""
    kind = data.get("resultType")
    if kind not in ("vector", "matrix"):
        return None
    per: dict[str, list[Any]] = {v: [] for v in values}
    for series in data.get("result") or []:
        metric = series.get("metric") if isinstance(series, dict) else None
        got = per.get(str(metric.get(label))) if isinstance(metric, dict) else None
        if got is None:
            return None
        got.append(series)
    return {v: Envelope({"resultType": kind, "result": s}) for v, s in per.items()}
