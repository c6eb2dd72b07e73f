"""A counting HTTP proxy in front of a real server: how many requests reach it, and how many at
once (the most in flight at any moment). For tests and benchmarks that must see what a client
sends (`--workers` bounds the queries in flight).

    with counting_proxy(server.url, delay_s=0.02) as proxy:
        ... slo check --prometheus-url proxy.url ...
        proxy.requests, proxy.max_in_flight, proxy.paths, proxy.calls

Each request is forwarded as it came (method, path, query, body, headers but Host) and the
answer returned as the server gave it; `delay_s` holds each request before forwarding, so
concurrent requests surely overlap. Setting `proxy.upstream` puts another server behind the
same URL (the bin cache's self-check is tested so).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QUERY_PATHS = ("/api/v1/query", "/api/v1/query_range")
_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "proxy-connection"}


@dataclass
class Counts:
    """What the proxy saw."""

    url: str = ""
    #: where requests go (http://host:port): may be changed while the proxy runs
    upstream: str = ""
    requests: int = 0
    #: bytes of the answers' bodies, as the server sent them
    answered: int = 0
    #: samples the server read for the queries (its `totalQueryableSamples`; `samples=True`)
    samples: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    #: every query call as sent: (path, its URL and form parameters), in order of arrival
    calls: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self, path: str, params: list[tuple[str, str]]) -> None:
        with self.lock:
            if path in QUERY_PATHS:
                self.calls.append((path, params))
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.paths[path] = self.paths.get(path, 0) + 1

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self.lock:
            self.requests = self.max_in_flight = self.answered = self.samples = 0
            self.paths.clear()
            self.calls.clear()


def _params(path: str, body: bytes | None) -> list[tuple[str, str]]:
    """A request's URL and form parameters."""
    query = urllib.parse.urlsplit(path).query
    return urllib.parse.parse_qsl(query) + urllib.parse.parse_qsl((body or b"").decode())


@contextmanager
def counting_proxy(
    upstream: str, *, delay_s: float = 0.0, samples: bool = False
) -> Iterator[Counts]:
    """A proxy on a free loopback port forwarding to `upstream` (http://host:port). With
    `samples`, each query is asked once more with `stats=all` (Prometheus) to add up the
    samples the server read for it; the client gets the first answer as it was."""
    counts = Counts(upstream=upstream)

    def read_samples(path: str, body: bytes | None) -> None:
        split = urllib.parse.urlsplit(path)
        if split.path not in QUERY_PATHS:
            return
        params = _params(path, body)
        form = urllib.parse.urlencode([*params, ("stats", "all")]).encode()
        target = urllib.parse.urlsplit(counts.upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", split.path, body=form, headers=kind)
        answer = json.loads(conn.getresponse().read() or b"{}")
        conn.close()
        stats = (answer.get("data") or {}).get("stats") or {}
        with counts.lock:
            counts.samples += int((stats.get("samples") or {}).get("totalQueryableSamples", 0))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            counts.enter(urllib.parse.urlsplit(self.path).path, _params(self.path, body))
            try:
                if delay_s:
                    time.sleep(delay_s)
                target = urllib.parse.urlsplit(counts.upstream)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                with counts.lock:
                    counts.answered += len(data)
                if samples and resp.status == 200:
                    read_samples(self.path, body)
            finally:
                counts.leave()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in _HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _forward
        do_POST = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    counts.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        server.shutdown()
        server.server_close()
