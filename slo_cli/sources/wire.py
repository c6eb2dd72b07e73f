"""One HTTP exchange with hard bounds: a total deadline, a size cap, same-origin redirects only.

- *Deadline*: the whole exchange (connecting, waiting, every byte of the body, redirects) ends by
  `deadline` on the CLI's monotonic clock. The body is read in small pieces and the socket's
  timeout is set to the time left before each one, so a server that drips a byte a second is
  cut off at the deadline, not after the last byte.
- *Size*: at most `max_bytes` of body *after decompression* (a gzip bomb is stopped while it
  inflates: `http11` inflates at most what is left under the cap).
- *Connections*: from the session's urllib3 pool, kept alive; a kept-alive connection the
  server closed while idle is replaced once; a refused connect is retried with backoff.
- *Redirects*: followed only within the same origin (scheme, host, port), at most 5 times;
  headers, parameters and credentials are never sent anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from slo_cli.sources import errors as E
from slo_cli.sources import http11 as H
from slo_cli.sources.http11 import Expired
from slo_cli.sources.urls import same_origin

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Route:
    """How to reach the server's origin, set up once per worker: the urllib3 connection pool
    (TLS, client certificate and proxy as the requests session's adapter configured it), how
    often to retry a failed connect (with `backoff_s` doubling), whether the request target is
    the absolute URL (through an HTTP proxy, `tunnel` for HTTPS through one), and the header
    block every request carries (`Host`, session defaults, the user's, credentials).

    A redirect is followed only within the origin, so one pool serves every hop."""

    pool: Any
    connect_tries: int
    backoff_s: float
    absolute: bool
    tunnel: bool
    headers: str
    #: the same with the form body's Content-Type
    form_headers: str


@dataclass(frozen=True)
class Exchange:
    """What to send: method, URL, URL parameters, form body, connect timeout."""

    method: str
    url: str
    params: dict[str, str]
    form: dict[str, str] | None
    connect_timeout_s: float


@dataclass(frozen=True)
class Received:
    status: int
    content_type: str
    text: str
    retry_after: str | None


def exchange(
    route: Route,
    ex: Exchange,
    *,
    deadline: float,
    monotonic: Callable[[], float],
    sleep: Callable[[float], None],
    max_bytes: int,
    shown_url: str,
) -> Received:
    """Send `ex` and read the whole answer within the bounds; raises Expired or SourceError
    (or the connection's own exception when there is no answer at all)."""
    url, method, params = ex.url, ex.method, ex.params
    body = urlencode(ex.form).encode("ascii") if ex.form is not None else None
    for _ in range(MAX_REDIRECTS + 1):
        target = url + ("?" + urlencode(params) if params else "")
        head = route.headers if body is None else route.form_headers
        line = f"{method} {target if route.absolute else _path(target)} HTTP/1.1\r\n{head}"
        length = f"Content-Length: {len(body)}\r\n\r\n" if body is not None else "\r\n"
        request = (line + length).encode("latin-1") + (body or b"")
        got = _send(
            route,
            request,
            method,
            ex.connect_timeout_s,
            deadline,
            monotonic,
            sleep,
            max_bytes,
            shown_url,
        )
        location = got.headers.get("location")
        if got.status in (301, 302, 303, 307, 308) and location:
            target = urljoin(url, location)
            if not same_origin(url, target):
                raise E.RedirectError(
                    f"{shown_url} redirected ({got.status}) to another origin, "
                    f"{_origin(target)}; not followed (it would receive our credentials)",
                    status=got.status,
                    hint="use the final URL as --prometheus-url",
                )
            if got.status in (301, 302, 303) and method == "POST":
                method, params, body = "GET", {**params, **(ex.form or {})}, None
            url = target.split("?", 1)[0]
            continue
        ctype = got.headers.get("content-type", "")
        return Received(
            got.status,
            ctype,
            got.body.decode(_charset(ctype), errors="replace"),
            got.headers.get("retry-after"),
        )
    raise E.RedirectError(
        f"{shown_url} redirected more than {MAX_REDIRECTS} times",
        hint="use the final URL as --prometheus-url",
    )


def _send(
    route: Route,
    request: bytes,
    method: str,
    connect_timeout_s: float,
    deadline: float,
    monotonic: Callable[[], float],
    sleep: Callable[[float], None],
    max_bytes: int,
    shown_url: str,
) -> H.Answer:
    """One round trip on a pooled connection: a kept-alive one that the server closed in the
    meantime is replaced once (the query never reached it); a fresh connection that fails to
    connect is retried `connect_tries` times in all."""
    pool = route.pool
    for fresh in (False, True):
        conn = pool._get_conn()
        reusable = False
        try:
            reused = conn.sock is not None and not fresh
            if conn.sock is not None and (fresh or not conn.is_connected):
                conn.close()
                reused = False
            if conn.sock is None:
                _connect(route, conn, connect_timeout_s, deadline, monotonic, sleep)
            try:
                answer, reusable = H.roundtrip(
                    conn,
                    request,
                    method=method,
                    deadline=deadline,
                    monotonic=monotonic,
                    max_bytes=max_bytes,
                )
            except H.Stale:
                if reused:  # a kept-alive connection the server closed: once on a new one
                    continue
                raise
            return answer
        except H.TooLarge as exc:
            why = "it is larger (after decompression)"
            if exc.declared is not None:
                why = f"it declares {exc.declared:,} bytes"
            raise _too_large(shown_url, max_bytes, why) from None
        except H.Undecodable:
            raise E.BadResponseError(
                f"the answer from {shown_url} could not be decompressed",
                hint="a proxy mangled the answer's Content-Encoding",
            ) from None
        except H.Malformed as exc:
            raise E.BadResponseError(
                f"not an HTTP answer from {shown_url}: {exc}",
                hint="a proxy or a server that is not Prometheus answered; check the URL",
            ) from None
        finally:
            if not reusable:
                conn.close()
            pool._put_conn(conn)
    raise AssertionError("unreachable")  # pragma: no cover


def _connect(
    route: Route,
    conn: Any,
    connect_timeout_s: float,
    deadline: float,
    monotonic: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    """Connect (TLS, proxy tunnel) within the deadline, retrying refused or failed connects:
    nothing was sent yet, so even a POST may be replayed."""
    from urllib3.exceptions import ConnectTimeoutError  # NewConnectionError is one too

    for attempt in range(route.connect_tries):
        left = deadline - monotonic()
        if left <= 0:
            raise Expired
        conn.timeout = min(connect_timeout_s, left)
        try:
            if route.tunnel:
                route.pool._prepare_proxy(conn)
            else:
                conn.connect()
            return
        except ConnectTimeoutError:  # refused, unreachable, DNS, timed out (not TLS failures)
            conn.close()
            wait = route.backoff_s * 2**attempt
            if attempt + 1 >= route.connect_tries or monotonic() + wait >= deadline:
                raise
            sleep(wait)


def _path(url: str) -> str:
    """The origin-form request target of an absolute URL: path and query."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _too_large(shown_url: str, max_bytes: int, why: str) -> E.SourceError:
    return E.AnswerTooLargeError(
        f"the answer from {shown_url} exceeds --max-answer-size {_size(max_bytes)}: {why}",
        hint="raise --max-answer-size, or use shorter windows or a recording rule",
    )


def _size(n: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return f"{n} bytes"


def _charset(content_type: str) -> str:
    import codecs

    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")
