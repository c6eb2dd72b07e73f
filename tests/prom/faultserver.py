"""A scripted loopback HTTP server standing in for a broken network or proxy (not for PromQL)."""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server answers: status, headers, body, a delay before answering (s), and a drip
    (s between body bytes: a server that never quite finishes)."""

    status: int = 200
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0
    drip: float = 0.0


@dataclass
class Seen:
    """One request as received."""

    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)  # the URL's query string


@dataclass
class FaultServer:
    url: str
    seen: list[Seen]


@contextmanager
def fault_server(
    script: Callable[[Seen, int], Reply], *, tls: tuple[str, str] | None = None
) -> Iterator[FaultServer]:
    """Serve `script(request, index)` on a free loopback port until the block ends (HTTPS with
    `tls` = (certificate file, key file))."""
    seen: list[Seen] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            parsed = urllib.parse.urlsplit(self.path)
            form = dict(urllib.parse.parse_qsl(raw or parsed.query))
            query = dict(urllib.parse.parse_qsl(parsed.query))
            req = Seen(self.command, parsed.path, form, dict(self.headers.items()), query)
            with lock:
                seen.append(req)
                index = len(seen) - 1
            reply = script(req, index)
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            try:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.drip:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = _handle
        do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield FaultServer(f"{scheme}://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
