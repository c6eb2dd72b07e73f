"""One HTTP exchange with hard bounds: a total deadline, a size cap, same-origin redirects only.

- *Deadline*: the whole exchange (connecting, waiting, every byte of the body, redirects) ends by
  `deadline` on the CLI's monotonic clock. The body is read in small pieces and the socket's
  timeout is set to the time left before each one, so a server that drips a byte a second is
  cut off at the deadline, not after the last byte.
- *Size*: at most `max_bytes` of body *after decompression* (a gzip bomb is stopped while it
  inflates: urllib3 inflates at most what is asked for).
- *Redirects*: followed only within the same origin (scheme, host, port), at most 5 times;
  headers, parameters and credentials are never sent anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from slo_cli.sources import errors as E
from slo_cli.sources.urls import same_origin

#: bytes asked for per read (small: a read blocks at most until the deadline anyway)
READ_PIECE = 16_384
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Route:
    """How to reach the server's origin, set up once per worker: the urllib3 connection pool
    (TLS, client certificate and proxy as the requests session's adapter configured it), the
    retry policy for connection failures, whether the request target is the absolute URL
    (through an HTTP proxy), and every header sent (session defaults, the user's, credentials).

    A redirect is followed only within the origin, so one pool serves every hop."""

    pool: Any
    retries: Any
    absolute: bool
    headers: dict[str, str]
    #: the same with the form body's Content-Type
    form_headers: dict[str, str]


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


class Expired(Exception):
    """The deadline passed while sending or reading (the caller words the error)."""


def exchange(
    route: Route,
    ex: Exchange,
    *,
    deadline: float,
    monotonic: Callable[[], float],
    max_bytes: int,
    shown_url: str,
) -> Received:
    """Send `ex` and read the whole answer within the bounds; raises Expired or SourceError.

    The request goes straight to the urllib3 pool (keep-alive), its form body encoded once:
    the requests library's per-request preparation cost more client CPU than parsing the
    answer (benchmarks/README.md, issue 12)."""
    from urllib3 import Timeout

    url, method, params = ex.url, ex.method, ex.params
    body = urlencode(ex.form).encode("ascii") if ex.form is not None else None
    for _ in range(MAX_REDIRECTS + 1):
        left = deadline - monotonic()
        if left <= 0:
            raise Expired
        target = url + ("?" + urlencode(params) if params else "")
        resp = route.pool.urlopen(
            method,
            target if route.absolute else _path(target),
            body=body,
            headers=route.headers if body is None else route.form_headers,
            retries=route.retries,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            timeout=Timeout(connect=min(ex.connect_timeout_s, left), read=left),
        )
        try:
            location = resp.headers.get("Location")
            if resp.status in (301, 302, 303, 307, 308) and location:
                target = urljoin(url, location)
                if not same_origin(url, target):
                    raise E.RedirectError(
                        f"{shown_url} redirected ({resp.status}) to another origin, "
                        f"{_origin(target)}; not followed (it would receive our credentials)",
                        status=resp.status,
                        hint="use the final URL as --prometheus-url",
                    )
                if resp.status in (301, 302, 303) and method == "POST":
                    method, params, body = "GET", {**params, **(ex.form or {})}, None
                url = target.split("?", 1)[0]
                continue
            data = _read_body(resp, deadline, monotonic, max_bytes, shown_url)
        finally:
            # a completely read answer has already handed its connection back for reuse
            # (keep-alive); any other is closed first, so a half-read one is never reused
            resp.close()
            resp.release_conn()
        ctype = resp.headers.get("Content-Type", "")
        return Received(
            resp.status,
            ctype,
            data.decode(_charset(ctype), errors="replace"),
            resp.headers.get("Retry-After"),
        )
    raise E.RedirectError(
        f"{shown_url} redirected more than {MAX_REDIRECTS} times",
        hint="use the final URL as --prometheus-url",
    )


def _path(url: str) -> str:
    """The origin-form request target of an absolute URL: path and query."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _read_body(
    resp: Any, deadline: float, monotonic: Callable[[], float], max_bytes: int, shown_url: str
) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_large(shown_url, max_bytes, f"it declares {int(declared):,} bytes")
    sock = _socket(resp)
    pieces: list[bytes] = []
    size = 0
    while True:
        left = deadline - monotonic()
        if left <= 0:
            raise Expired
        if sock is not None:
            sock.settimeout(left)
        piece = resp.read1(READ_PIECE, decode_content=True)
        if not piece:  # urllib3's read1 returns b"" only at the end of the body
            break
        size += len(piece)
        if size > max_bytes:
            raise _too_large(shown_url, max_bytes, "it is larger (after decompression)")
        pieces.append(piece)
    return b"".join(pieces)


def _socket(resp: Any) -> Any:
    """The response's socket, to tighten its timeout as the deadline nears (None if hidden)."""
    conn = getattr(resp, "connection", None)
    sock = getattr(conn, "sock", None)
    return sock if sock is not None and hasattr(sock, "settimeout") else None


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
