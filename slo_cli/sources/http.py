"""HTTP to a Prometheus-compatible API: the whole JSON envelope, retries, errors.

Queries are sent as a form-encoded POST body (the client library puts POST queries in the URL
and returns only `data.result`, dropping `warnings`/`isPartial`); `slo_cli.sources.live` holds
the live session. Every failure becomes a `SourceError` subclass with status, errorType, the
query and a hint; every value we send that may be secret (header values, token, passwords, URL
user info and parameters) is scrubbed from anything we print, server text included.
Time bounds: each attempt ends within --timeout, a call and its retries within --timeout ×
(retries + 1), all of it within the run's --deadline; a Retry-After that does not fit is not
waited for.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from slo_cli.sources import errors as E
from slo_cli.sources.scrub import scrub, scrub_error
from slo_cli.sources.shapes import check_data

if TYPE_CHECKING:
    from slo_cli.sources.batch import Batcher, Member
    from slo_cli.sources.share import SharedAnswers

#: bounded retries for proxy 502/503/504 and for 429, and the backoff base (seconds, doubling)
MAX_RETRIES = 3
BACKOFF_S = 0.5
#: longest Retry-After we honour before giving up (seconds)
MAX_RETRY_AFTER_S = 60.0


@dataclass(frozen=True)
class Clock:
    """Time as the CLI reads it, handed down: sources never read the clock themselves.

    `now` is epoch seconds (for an HTTP-date Retry-After), `monotonic` measures deadlines,
    `sleep` waits between retries.
    """

    now: Callable[[], float]
    monotonic: Callable[[], float]
    sleep: Callable[[float], None]


_LIMIT_WORDS = (
    "limit",
    "too many",
    "exceeded maximum resolution",
    "max-",
    "err-mimir-max",
    "maxSamples",
    "max_samples",
)


def redact_url(url: str) -> str:
    """The URL without user info, query string or fragment (they may hold secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _short(text: str, limit: int = 160) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


@dataclass(frozen=True)
class RawAnswer:
    """One HTTP answer as received: what record/replay stores."""

    status: int
    content_type: str
    text: str
    retry_after: str | None = None


@dataclass(frozen=True)
class Envelope:
    """A successful answer's `data` plus its warnings."""

    data: Any
    warnings: tuple[str, ...] = ()


class Recorder:
    """Collects the final raw answer of every call (an error answer too), thread-safe, for
    `slo snapshot`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.answers: dict[str, dict[str, Any]] = {}

    def add(self, path: str, params: dict[str, str], answer: RawAnswer) -> None:
        key = answer_key(path, params)
        with self._lock:
            self.answers[key] = {
                "path": path,
                "params": dict(sorted(params.items())),
                "status": answer.status,
                "content_type": answer.content_type,
                "body": answer.text,
            }


@dataclass(frozen=True)
class Call:
    """One API call as the fetcher made it: the path and its parameters (the query text, its
    time range and step), before the transport adds the engine's extra parameters."""

    path: str
    params: tuple[tuple[str, str], ...]


class QueryLog:
    """Every call a transport is asked to make, in order, thread-safe: `slo check --explain`
    and `--show-queries` print these, so what is shown is what was (or would be) sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[Call] = []

    def add(self, path: str, params: dict[str, str]) -> None:
        with self._lock:
            self.calls.append(Call(path, tuple(params.items())))


def answer_key(path: str, params: dict[str, str]) -> str:
    """The identity of a call in a recording: path and its (non-secret) parameters."""
    return path + "?" + json.dumps(sorted(params.items()), separators=(",", ":"))


class Transport:
    """Sends calls and turns answers into Envelopes or SourceErrors. Subclasses provide `_send`."""

    def __init__(
        self,
        *,
        allow_partial: bool = False,
        auth_headers: list[str] | None = None,
        url: str = "",
        max_retries: int = MAX_RETRIES,
        backoff_s: float = BACKOFF_S,
        clock: Clock | None = None,
        timeout_s: float | None = None,
        run_deadline: float | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self.allow_partial = allow_partial
        self.auth_headers = auth_headers or []
        self.url = url
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.clock = clock
        self.timeout_s = timeout_s
        self.run_deadline = run_deadline
        self.secrets = [v for v in secrets or [] if v]
        self.requests_sent = 0
        self.partial_notes: list[str] = []
        #: the monotonic instant the attempt being sent must end by (None: unbounded)
        self.attempt_deadline: float | None = None
        #: where every call is logged before it is sent (None: not logged)
        self.log: QueryLog | None = None
        #: answers this call may be served from instead of the server (share.SharedAnswers:
        #: the group of SLOs being fetched selects the same series), None: every call is sent
        self.shared: SharedAnswers | None = None
        #: the batcher of this fetch and the SLO being fetched (batch.Batcher: one query for
        #: SLOs that differ in one label's value), None: every call is the SLO's own
        self.batch: tuple[Batcher, Member] | None = None

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        raise NotImplementedError

    def _record(self, path: str, params: dict[str, str], answer: RawAnswer) -> None:
        """Hook for recording successful answers (live transport only)."""

    def call(self, path: str, params: dict[str, str], query: str, method: str = "POST") -> Envelope:
        """One API call with bounded retries for proxies and 429; raises SourceError subclasses
        with every secret we send scrubbed from their text."""
        shared = self.shared
        if shared is not None and (got := shared.get(path, params)) is not None:
            return got  # not sent, so not logged
        batch = self.batch
        got = None if batch is None else batch[0].call(self, batch[1], path, params, query)
        if got is None:
            if self.log is not None:
                self.log.add(path, params)
            got = self.send_call(path, params, query, method)
        if shared is not None:
            shared.put(path, params, got)
        return got

    def send_call(
        self, path: str, params: dict[str, str], query: str, method: str = "POST"
    ) -> Envelope:
        """One call sent (with its retries), never served from shared or batched answers."""
        try:
            return self._call(path, params, query, method)
        except E.SourceError as exc:
            raise scrub_error(exc, self.secrets) from None

    def _call(self, path: str, params: dict[str, str], query: str, method: str) -> Envelope:
        """Each attempt ends within --timeout; the call and its retries within
        --timeout × (retries + 1); everything within the run's --deadline."""
        clock = self.clock
        call_end = None
        if clock is not None and self.timeout_s is not None:
            call_end = clock.monotonic() + self.timeout_s * (self.max_retries + 1)
            if self.run_deadline is not None:
                call_end = min(call_end, self.run_deadline)
        attempt = 0
        while True:
            if clock is not None and call_end is not None and self.timeout_s is not None:
                self.attempt_deadline = min(clock.monotonic() + self.timeout_s, call_end)
            answer = self._send(path, params, method)
            retry_in = self._retry_delay(answer, attempt)
            fits = (
                call_end is None or clock is None or clock.monotonic() + (retry_in or 0) < call_end
            )
            if not fits:
                retry_in = None  # waiting would pass the deadline: report the answer now
            if retry_in is None:
                # recorded before it is parsed: a snapshot holds a rejected query's answer too,
                # so replaying it (`--from`) gives that SLO the same error row as the live run
                self._record(path, params, answer)
                return self.parse(answer, query)
            attempt += 1
            assert clock is not None  # _retry_delay replays only with a clock
            clock.sleep(retry_in)

    def _retry_delay(self, answer: RawAnswer, attempt: int) -> float | None:
        """Seconds to wait before replaying this answer's request, or None to not replay."""
        if attempt >= self.max_retries or self.clock is None:
            return None
        if answer.status == 429:
            wait = _retry_after_s(answer.retry_after, self.clock.now())
            if wait is None:
                return self.backoff_s * 2**attempt
            return wait if wait <= MAX_RETRY_AFTER_S else None
        if answer.status in (502, 503, 504) and _envelope(answer) is None:
            return self.backoff_s * 2**attempt  # a proxy: the query never ran
        return None

    def parse(self, answer: RawAnswer, query: str) -> Envelope:
        """The whole-envelope parser shared by live calls and replay."""
        q = _short(query, 300) if query else None
        status = answer.status
        # a well-formed matrix or vector is read (and checked) fast; anything else slowly
        fast = _fast_envelope(answer.text) if status == 200 else None
        body = fast if fast is not None else _envelope(answer)
        if body is None:
            if status == 200:
                ctype = answer.content_type or "no content type"
                if answer.text.lstrip().startswith(("{", "[")):
                    raise E.BadResponseError(
                        f"truncated or invalid JSON from {self.url} ({len(answer.text)} bytes)",
                        status=status,
                        query=q,
                        hint="a proxy cut the answer short; retry, or lower --workers",
                    )
                raise E.BadResponseError(
                    f"not a Prometheus API answer from {self.url}: {ctype}, "
                    f"body starts {_short(answer.text, 60)!r}",
                    status=status,
                    query=q,
                    hint="a login page or proxy answered; check the URL and authentication",
                )
            raise self._http_error(answer, None, None, q)
        if body.get("status") != "success" or status != 200:
            raise self._http_error(
                answer, str(body.get("errorType") or ""), str(body.get("error") or ""), q
            )
        raw_warnings = body.get("warnings") or ()
        if not isinstance(raw_warnings, list | tuple):
            raise E.BadResponseError(
                f"malformed answer from {self.url}: `warnings` is not a list",
                status=status,
                query=q,
            )
        warnings = tuple(scrub(str(w), self.secrets) for w in raw_warnings)
        partial = bool(body.get("isPartial"))
        if warnings or partial:
            what = "; ".join(warnings) or "isPartial=true"
            if not self.allow_partial:
                raise E.PartialDataError(
                    f"the server answered with partial data: {_short(what, 200)}",
                    status=status,
                    query=q,
                    hint="a store or replica was missing; pass --allow-partial to accept it",
                )
            self.partial_notes.append(f"partial data: {_short(what, 200)}")
        if fast is None:
            check_data(body.get("data"), q, self.url)
        return Envelope(body.get("data"), warnings)

    def _http_error(
        self, answer: RawAnswer, error_type: str | None, error: str | None, q: str | None
    ) -> E.SourceError:
        status = answer.status
        et = error_type or None
        detail = f": {_short(error, 200)}" if error else ""
        if status in (401, 403):
            used = ", ".join(self.auth_headers) or "no credentials"
            return E.AuthError(
                f"{'unauthorized' if status == 401 else 'forbidden'} at {self.url}{detail}",
                status=status,
                error_type=et,
                query=q,
                hint=f"credentials sent: {used}; check the token, user or tenant header",
            )
        if status == 404:
            return E.NotFoundError(
                f"not found: {self.url}/api/v1/…",
                status=status,
                error_type=et,
                query=q,
                hint="wrong path prefix? Mimir/Cortex use …/prometheus, "
                "VictoriaMetrics cluster …/select/<tenant>/prometheus",
            )
        if status == 429:
            return E.OverloadedError(
                f"the server is overloaded (429) at {self.url}{detail}",
                status=status,
                error_type=et,
                query=q,
                hint="retried after Retry-After; try again later or lower --workers",
            )
        if status == 503 and error_type == "timeout":
            return E.QueryTimeoutError(
                f"the query timed out on the server{detail}",
                status=status,
                error_type=et,
                query=q,
                hint="raise --timeout, or use a shorter window or a recording rule",
            )
        if status in (502, 503, 504) and error_type is None:
            return E.ProxyError(
                f"bad gateway/unavailable ({status}) from {self.url} after "
                f"{self.max_retries} retries",
                status=status,
                query=q,
                hint="a proxy or load balancer in front of the server failed; try again later",
            )
        low = (error or "").lower()
        if status in (400, 422) and any(w.lower() in low for w in _LIMIT_WORDS):
            return E.LimitError(
                f"the query hit a server limit{detail}",
                status=status,
                error_type=et,
                query=q,
                hint="split into smaller ranges failed; raise the server's limits",
            )
        if status in (400, 422):
            return E.BadQueryError(
                f"the server rejected the query{detail}",
                status=status,
                error_type=et,
                query=q,
                hint="check the PromQL in the SLO spec",
            )
        return E.SourceError(
            f"unexpected answer {status} from {self.url}{detail}",
            status=status,
            error_type=et,
            query=q,
            hint="see the server's logs",
        )


def _fast_envelope(text: str) -> dict[str, Any] | None:
    from slo_cli.sources.fastjson import envelope

    return envelope(text)


def _envelope(answer: RawAnswer) -> dict[str, Any] | None:
    """The JSON envelope if the body is one, else None."""
    try:
        body = json.loads(answer.text)
    except (ValueError, RecursionError):
        return None
    if isinstance(body, dict) and body.get("status") in ("success", "error"):
        return body
    return None


def _retry_after_s(value: str | None, now: float) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
