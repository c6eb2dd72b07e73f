"""One HTTP/1.1 round trip on a pooled urllib3 connection, read by our own lean parser.

urllib3 still connects (TLS with the session's CA bundle and client certificate, proxy
tunnels, socket options) and pools the connections; the request is written in one `sendall`
and the answer read here, because urllib3's and http.client's per-request machinery (request
building, email-parser headers, response objects) cost several times the client CPU of
parsing the answer itself (benchmarks/README.md, issue 12).

Every read waits at most until the deadline (the socket's timeout is set to the time left
before each one); the body is inflated (gzip, deflate) at most `max_bytes` at a time, so a gzip
bomb is stopped while it inflates. A connection is reused only after an answer was read to its
end and the server did not ask to close it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: bytes asked of the socket per read
RECV = 65_536
#: limits of a status line plus headers
MAX_HEAD = 65_536
MAX_HEADERS = 200


class Expired(Exception):
    """The deadline passed while sending or reading (the caller words the error)."""


class Malformed(Exception):
    """Not an HTTP/1.x answer we can frame (a broken server or proxy)."""


class TooLarge(Exception):
    """The body exceeds the size cap (`declared`: the Content-Length it announced)."""

    def __init__(self, declared: int | None = None) -> None:
        super().__init__(declared)
        self.declared = declared


class Stale(Exception):
    """The connection was closed before any byte of an answer came: a kept-alive connection
    the server had closed while idle (the request may be sent again on a new one)."""


class Undecodable(Exception):
    """The body's Content-Encoding is one we did not ask for, or its data is corrupt."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class _Stream:
    """Buffered reads from a socket, each bounded by the deadline (`pos`: the next unread byte
    of `buf`, so taking a line or a piece copies only that)."""

    def __init__(self, sock: Any, deadline: float, monotonic: Callable[[], float]) -> None:
        self.sock, self.deadline, self.monotonic = sock, deadline, monotonic
        self.buf = b""
        self.pos = 0
        self.received = 0

    def _fill(self) -> bytes:
        left = self.deadline - self.monotonic()
        if left <= 0:
            raise Expired
        self.sock.settimeout(left)
        try:
            data: bytes = self.sock.recv(RECV)
        except TimeoutError:
            raise Expired from None
        self.received += len(data)
        return data

    def line(self, limit: int) -> bytes:
        while True:
            end = self.buf.find(b"\n", self.pos)
            if end >= 0:
                out = self.buf[self.pos : end]
                self.pos = end + 1
                return out[:-1] if out.endswith(b"\r") else out
            if len(self.buf) - self.pos > limit:
                raise Malformed("header line too long")
            data = self._fill()
            if not data:
                raise ConnectionResetError("the server closed the connection")
            self.buf, self.pos = self.buf[self.pos :] + data, 0

    def some(self, most: int) -> bytes:
        """Up to `most` bytes (b"" only at the end of the stream)."""
        if self.pos >= len(self.buf):
            self.buf, self.pos = self._fill(), 0
        out = self.buf[self.pos : self.pos + most]
        self.pos += len(out)
        return out

    def pending(self) -> bool:
        """Bytes after the answer (a server that sent more than it framed)."""
        return self.pos < len(self.buf)


def _head(stream: _Stream) -> tuple[str, int, dict[str, str]]:
    """Version, status and headers of the next final (non-1xx) answer."""
    while True:
        status_line = stream.line(MAX_HEAD)
        version, _, rest = status_line.partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/1.") or not code.isdigit():
            raise Malformed(f"not an HTTP/1.x status line: {status_line[:40]!r}")
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = stream.line(MAX_HEAD)
            if not line:
                break
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise Malformed("a header line without a name")
            key, value = name.lower(), value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        else:
            raise Malformed("too many headers")
        if not 100 <= int(code) < 200:
            return version.decode("latin-1"), int(code), headers


class _Inflate:
    """Content-Encoding decoding with the output bounded while it inflates."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        codings = [c.strip() for c in encoding.lower().split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise Undecodable(encoding)
        self.kind = codings[0] if codings else None
        self.max_bytes = max_bytes
        self.size = 0
        self.out: list[bytes] = []
        self.first = True
        self.z: Any = self._new()

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self.kind != "deflate" else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        if self.kind is None:
            self.size += len(data)
            if self.size > self.max_bytes:
                raise TooLarge
            self.out.append(data)
            return
        out = self.out
        try:
            while data:
                if self.z.eof:  # another gzip member follows
                    self.z = self._new()
                room = self.max_bytes - self.size + 1
                piece = self._inflate(data, room)
                self.size += len(piece)
                if self.size > self.max_bytes:
                    raise TooLarge
                out.append(piece)
                data = self.z.unused_data if self.z.eof else self.z.unconsumed_tail
        except zlib.error:
            raise Undecodable(self.kind) from None

    def _inflate(self, data: bytes, room: int) -> bytes:
        try:
            piece: bytes = self.z.decompress(data, room)
        except zlib.error:
            if not (self.first and self.kind == "deflate"):
                raise
            self.z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            piece = self.z.decompress(data, room)
        self.first = False
        return piece

    def close(self) -> None:
        if self.kind is not None and not self.z.eof and self.size == 0 and self.first:
            return  # an empty body
        if self.kind is not None and not self.z.eof:
            raise Undecodable(f"{self.kind} data ends early")


def _body(stream: _Stream, headers: dict[str, str], sink: _Inflate) -> bool:
    """Read the body into `sink`; True if the connection may carry another request."""
    chunked = headers.get("transfer-encoding", "").lower().rsplit(",", 1)[-1].strip() == "chunked"
    if chunked:
        while True:
            size_line = stream.line(MAX_HEAD).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise Malformed("a bad chunk size") from None
            if size == 0:
                while stream.line(MAX_HEAD):  # trailers
                    pass
                return True
            _exactly(stream, size, sink)
            if stream.line(MAX_HEAD):
                raise Malformed("a chunk without its CRLF")
    declared = headers.get("content-length")
    if declared is not None:
        n = declared.split(",")[0].strip()
        if not n.isdigit():
            raise Malformed("a bad Content-Length")
        if int(n) > sink.max_bytes:
            raise TooLarge(int(n))
        _exactly(stream, int(n), sink)
        return True
    while piece := stream.some(RECV):  # the body ends when the server closes
        sink.feed(piece)
    return False


def _exactly(stream: _Stream, n: int, sink: _Inflate) -> None:
    while n > 0:
        piece = stream.some(n)
        if not piece:
            raise ConnectionResetError("the answer was cut short")
        n -= len(piece)
        sink.feed(piece)


def roundtrip(
    conn: Any,
    request: bytes,
    *,
    method: str,
    deadline: float,
    monotonic: Callable[[], float],
    max_bytes: int,
) -> tuple[Answer, bool]:
    """Send the request bytes on the connected urllib3 connection `conn` and read the answer;
    returns it and whether the connection may be reused."""
    left = deadline - monotonic()
    if left <= 0:
        raise Expired
    conn.sock.settimeout(left)
    stream = _Stream(conn.sock, deadline, monotonic)
    try:
        conn.sock.sendall(request)
        version, status, headers = _head(stream)
    except TimeoutError:
        raise Expired from None
    except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
        if stream.received:
            raise
        raise Stale from None
    sink = _Inflate(headers.get("content-encoding", ""), max_bytes)
    if method == "HEAD" or status in (204, 304):
        reusable = True
    else:
        reusable = _body(stream, headers, sink)
        sink.close()
    if (
        version == "HTTP/1.0"
        or "close" in headers.get("connection", "").lower()
        or stream.pending()
    ):
        reusable = False
    return Answer(status, headers, b"".join(sink.out)), reusable
