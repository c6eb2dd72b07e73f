"""HTTP to a Prometheus-compatible API: sessions, the whole JSON envelope, retries, errors.

prometheus-api-client's `PrometheusConnect` is built with our own `requests.Session` (CA bundle,
client certificate, headers, auth) and a urllib3 `Retry` that retries connection failures only.
Queries are sent as a form-encoded POST body through the session it holds, because the client
puts POST queries in the URL and returns only `data.result` (dropping `warnings`/`isPartial`).

Every failure becomes a `SourceError` subclass with status, errorType, the query and a hint;
no secret (header value, token, password, URL user info) is ever put in a message or a record.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from slo_cli.sources import errors as E
from slo_cli.sources.settings import ConnectionSettings

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
    """Collects the raw answers of successful calls, thread-safe, for `slo snapshot`."""

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
    ) -> None:
        self.allow_partial = allow_partial
        self.auth_headers = auth_headers or []
        self.url = url
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.clock = clock
        self.requests_sent = 0
        self.partial_notes: list[str] = []

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        raise NotImplementedError

    def _record(self, path: str, params: dict[str, str], answer: RawAnswer) -> None:
        """Hook for recording successful answers (live transport only)."""

    def call(self, path: str, params: dict[str, str], query: str, method: str = "POST") -> Envelope:
        """One API call with bounded retries for proxies and 429; raises SourceError subclasses."""
        attempt = 0
        while True:
            answer = self._send(path, params, method)
            retry_in = self._retry_delay(answer, attempt)
            if retry_in is None:
                envelope = self.parse(answer, query)
                self._record(path, params, answer)
                return envelope
            attempt += 1
            assert self.clock is not None  # _retry_delay replays only with a clock
            self.clock.sleep(retry_in)

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
        body = _envelope(answer)
        status = answer.status
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
        warnings = tuple(str(w) for w in body.get("warnings") or ())
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


class LiveTransport(Transport):
    """A transport over one requests.Session held by a PrometheusConnect (one per worker)."""

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        clock: Clock,
        recorder: Recorder | None = None,
        max_retries: int = MAX_RETRIES,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        super().__init__(
            allow_partial=settings.allow_partial,
            auth_headers=settings.auth_header_names(),
            url=redact_url(settings.base_url),
            max_retries=max_retries,
            backoff_s=backoff_s,
            clock=clock,
        )
        self.settings = settings
        self.recorder = recorder
        self.prom = _connect(settings)

    def _record(self, path: str, params: dict[str, str], answer: RawAnswer) -> None:
        if self.recorder is not None:
            self.recorder.add(path, params, answer)

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        import requests

        s = self.settings
        form = {**params, **s.query_params}
        if path in ("/api/v1/query", "/api/v1/query_range"):
            # the server gives up (503 timeout) a little before we stop waiting
            form.setdefault("timeout", f"{max(1, int(s.timeout_s * 0.9))}s")
        url = self.prom.url + path
        kwargs: dict[str, Any] = {
            "headers": self.prom.headers,
            "timeout": (s.connect_timeout_s, s.timeout_s),
        }
        self.requests_sent += 1
        try:
            if method == "POST":
                resp = self.prom._session.post(url, data=form, **kwargs)
            else:
                resp = self.prom._session.get(url, params=form, **kwargs)
        except requests.exceptions.SSLError:
            raise E.UnreachableError(
                f"TLS handshake with {self.url} failed",
                hint="pass --ca-bundle FILE for a private CA (or --insecure to skip checks)",
            ) from None
        except requests.exceptions.ReadTimeout:
            raise self._read_timeout(params) from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            if "Read timed out" in text:  # urllib3 wraps a read timeout in a ConnectionError
                raise self._read_timeout(params) from None
            dns = any(w in text for w in ("NameResolution", "Name or service", "getaddrinfo"))
            raise E.UnreachableError(
                f"cannot {'resolve' if dns else 'connect to'} {self.url}",
                hint="check the host name (DNS)" if dns else "is the server up and the port right?",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise E.UnreachableError(
                f"request to {self.url} failed: {type(exc).__name__}",
                hint="check --prometheus-url",
            ) from None
        return RawAnswer(
            resp.status_code,
            resp.headers.get("Content-Type", ""),
            resp.text,
            resp.headers.get("Retry-After"),
        )

    def _read_timeout(self, params: dict[str, str]) -> E.QueryTimeoutError:
        return E.QueryTimeoutError(
            f"no answer from {self.url} within {self.settings.timeout_s:g} s",
            query=_short(params.get("query", ""), 300) or None,
            hint="raise --timeout",
        )

    def close(self) -> None:
        self.prom.close()


def _connect(settings: ConnectionSettings) -> Any:
    """A PrometheusConnect over our own session; the client retries connections only."""
    import requests
    from prometheus_api_client import PrometheusConnect
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.verify = settings.ca_bundle or not settings.insecure
    if settings.client_cert:
        session.cert = (
            (settings.client_cert, settings.client_key)
            if settings.client_key
            else settings.client_cert
        )
    headers = {name: value for name, value in settings.headers}
    token = settings.bearer_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    auth = settings.basic_auth()
    # connection failures never reached the server, so replaying them (even a POST) is safe;
    # statuses are decided by Transport (a 503 query timeout must not be replayed as-is)
    retry = Retry(
        total=2,
        connect=2,
        read=0,
        status=0,
        other=0,
        backoff_factor=0.2,
        allowed_methods=None,
        status_forcelist=(),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    return PrometheusConnect(
        url=settings.base_url,
        headers=headers,
        session=session,
        retry=retry,
        auth=auth,
        timeout=settings.timeout_s,
    )
