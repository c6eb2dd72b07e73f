"""The lean HTTP/1.1 reader (slo_cli/sources/http11.py) on framings a real Prometheus sends
(chunked gzip, kept-alive connections; tests/prom/test_exact_counts.py and the others read real
answers through it) and on ones it does not but a proxy or another server may: a kept-alive
connection closed while idle, raw deflate, several gzip members, a broken status line. Those
come from a scripted socket server, byte by byte what it sends."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources import errors as E
from slo_cli.sources.live import LiveTransport
from slo_cli.sources.settings import ConnectionSettings

OK = json.dumps({"status": "success", "data": ["a", "b"]}).encode()


def _read_request(conn: socket.socket, buf: bytes) -> tuple[bytes, bytes] | None:
    """(request head, rest of the buffer) or None when the client closed."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head, rest[length:]


@contextmanager
def raw_server(
    answer: Callable[[int, int], tuple[bytes, bool]],
) -> Iterator[tuple[str, list[int]]]:
    """`answer(connection index, request index on it)` -> (bytes to send, close afterwards)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    connections: list[int] = []

    def serve(conn: socket.socket, index: int) -> None:
        buf, n = b"", 0
        with conn:
            while (got := _read_request(conn, buf)) is not None:
                buf = got[1]
                data, close = answer(index, n)
                conn.sendall(data)
                n += 1
                if close:
                    return

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(len(connections))
            threading.Thread(target=serve, args=(conn, len(connections) - 1), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", connections
    finally:
        listener.close()


def transport(url: str) -> LiveTransport:
    return LiveTransport(
        ConnectionSettings(url=url, timeout_s=5.0),
        clock=system_clock(),
    )


def _reply(body: bytes, headers: str = "", status: str = "200 OK") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _chunked(body: bytes, headers: str = "", piece: int = 7) -> bytes:
    chunks = b"".join(
        f"{len(body[i : i + piece]):x};ext=1\r\n".encode() + body[i : i + piece] + b"\r\n"
        for i in range(0, len(body), piece)
    )
    return (
        (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"{headers}Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        + chunks
        + b"0\r\nX-Trailer: t\r\n\r\n"
    )


def call(t: LiveTransport) -> object:
    return t.call("/api/v1/label/x/values", {}, "", method="GET").data


def test_chunked_gzip_answers_share_one_kept_alive_connection() -> None:
    with raw_server(
        lambda c, n: (_chunked(gzip.compress(OK), "Content-Encoding: gzip\r\n"), False)
    ) as (
        url,
        conns,
    ):
        t = transport(url)
        assert [call(t) for _ in range(3)] == [["a", "b"]] * 3
        assert len(conns) == 1  # keep-alive: one connection for three requests
        t.close()


def test_a_kept_alive_connection_the_server_closed_is_replaced() -> None:
    # the server closes every connection after its first answer without saying so
    with raw_server(lambda c, n: (_reply(OK), True)) as (url, conns):
        t = transport(url)
        assert [call(t) for _ in range(3)] == [["a", "b"]] * 3
        assert len(conns) == 3
        t.close()


def test_raw_deflate_zlib_deflate_and_two_gzip_members() -> None:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = [
        (raw.compress(OK) + raw.flush(), "deflate"),
        (zlib.compress(OK), "deflate"),
        (gzip.compress(OK[:10]) + gzip.compress(OK[10:]), "gzip"),
    ]
    with raw_server(
        lambda c, n: (_reply(bodies[n][0], f"Content-Encoding: {bodies[n][1]}\r\n"), False)
    ) as (url, _):
        t = transport(url)
        assert [call(t) for _ in bodies] == [["a", "b"]] * 3
        t.close()


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", E.BadResponseError, "not an HTTP answer"),
        (_reply(OK, "Content-Encoding: br\r\n"), E.BadResponseError, "could not be decompressed"),
        (
            _reply(b"\x1f\x8b not gzip", "Content-Encoding: gzip\r\n"),
            E.BadResponseError,
            "could not be decompressed",
        ),
        (_reply(OK)[:-5], E.BadResponseError, "broke while reading"),
    ],
)
def test_answers_no_server_should_send_are_one_line_errors(
    data: bytes, error: type[E.SourceError], words: str
) -> None:
    with raw_server(lambda c, n: (data, True)) as (url, _):
        t = transport(url)
        with pytest.raises(error) as got:
            call(t)
        assert words in str(got.value)
        t.close()


def test_a_chunked_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"0" * (8 << 20))
    with raw_server(lambda c, n: (_chunked(bomb, "Content-Encoding: gzip\r\n", 4096), True)) as (
        url,
        _,
    ):
        t = LiveTransport(
            ConnectionSettings(url=url, timeout_s=5.0, max_answer_bytes=1 << 20),
            clock=system_clock(),
        )
        with pytest.raises(E.AnswerTooLargeError):
            call(t)
        t.close()


def test_a_server_that_closes_without_answering_cannot_be_connected_to() -> None:
    with raw_server(lambda c, n: (b"", True)) as (url, conns):
        t = transport(url)
        with pytest.raises(E.UnreachableError) as got:
            call(t)
        assert "closed the connection without answering" in str(got.value)
        assert len(conns) == 1  # a new connection is not retried
        t.close()
