"""Real, throw-away servers for tests, on loopback: Prometheus and VictoriaMetrics.

    server = start_prometheus(openmetrics_text, tmpdir)   # raises PrometheusUnavailable
    vm = start_victoriametrics(prometheus_text_ms, tmpdir)  # the same history, imported
    ... server.url ...
    server.stop()

Prometheus gets its history backfilled with promtool (OpenMetrics, seconds); VictoriaMetrics
gets it through `/api/v1/import/prometheus` (Prometheus text, integer milliseconds), then a
forced flush so every sample is searchable at once. Each server is our own process (never the
Debian system service), stopped by its pid. `server_or_skip()` turns PrometheusUnavailable
into a pytest failure when CI=true and a skip otherwise (testing.md: integration tests never
silently skip in CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = "global:\n  scrape_interval: 1m\nscrape_configs: []\n"


class PrometheusUnavailable(RuntimeError):
    """The binaries are missing or the server would not start."""


@dataclass
class Server:
    """A running server: its base URL, its engine and how to stop it (by its pid)."""

    url: str
    pid: int
    process: subprocess.Popen[bytes] = field(repr=False)
    log: Path
    engine: str = "prometheus"

    def stop(self) -> None:
        """Stop the server we started (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binaries() -> tuple[str, str]:
    """Paths of `prometheus` and `promtool`, or PrometheusUnavailable."""
    prom, tool = shutil.which("prometheus"), shutil.which("promtool")
    if not prom or not tool:
        raise PrometheusUnavailable(
            "prometheus/promtool not found (apt-get install -y prometheus; "
            ".ci/install-system-deps.sh does it)"
        )
    return prom, tool


def backfill(openmetrics: str | Path, tsdb: Path) -> None:
    """Write OpenMetrics text (a string, or a Path to a file of it) into blocks under `tsdb`."""
    _, tool = binaries()
    tsdb.mkdir(parents=True, exist_ok=True)
    if isinstance(openmetrics, Path):
        data = openmetrics
    else:
        data = tsdb.parent / "data.om"
        data.write_text(openmetrics, encoding="utf-8")
    done = subprocess.run(
        [
            tool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=240h",
            str(data),
            str(tsdb),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if not isinstance(openmetrics, Path):
        data.unlink()
    if done.returncode != 0:
        raise PrometheusUnavailable(f"promtool backfill failed: {done.stderr.strip()[-500:]}")


def start_prometheus(
    openmetrics_text: str | Path, tmpdir: str | Path, timeout: float = 60.0
) -> Server:
    """Backfill the text (or a Path to a file of it) into a fresh TSDB under `tmpdir`, start
    Prometheus on a free loopback port, wait until /-/ready answers."""
    prom, _ = binaries()
    root = Path(tmpdir)
    root.mkdir(parents=True, exist_ok=True)
    tsdb = root / "tsdb"
    backfill(openmetrics_text, tsdb)
    cfg = root / "prometheus.yml"
    cfg.write_text(CONFIG, encoding="utf-8")
    port = _free_port()
    proc, log = _spawn(
        [
            prom,
            f"--config.file={cfg}",
            f"--storage.tsdb.path={tsdb}",
            "--storage.tsdb.retention.time=10y",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        root / "prometheus.log",
    )
    server = Server(f"http://127.0.0.1:{port}", proc.pid, proc, log)
    return _wait_ready(server, "/-/ready", timeout, "prometheus")


def _spawn(cmd: list[str], log: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a server process of our own, its output into `log`, in the log's directory."""
    with open(log, "wb") as log_fh:
        proc = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT, cwd=log.parent)
    return proc, log


def _wait_ready(server: Server, path: str, timeout: float, name: str) -> Server:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-800:]
            raise PrometheusUnavailable(f"{name} exited with {server.process.returncode}: {tail}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    server.stop()
    raise PrometheusUnavailable(f"{name} not ready after {timeout:.0f} s")


def start_victoriametrics(
    prometheus_text: str | bytes, tmpdir: str | Path, timeout: float = 60.0
) -> Server:
    """Start a single-node VictoriaMetrics of our own on a free loopback port (storage under
    `tmpdir`, retention 100 years), import Prometheus text with millisecond timestamps through
    /api/v1/import/prometheus and force a flush, so every sample is searchable."""
    binary = shutil.which("victoria-metrics")
    if not binary:
        raise PrometheusUnavailable(
            "victoria-metrics not found (apt-get install -y victoria-metrics; "
            ".ci/install-system-deps.sh does it)"
        )
    root = Path(tmpdir)
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc, log = _spawn(
        [
            binary,
            f"-storageDataPath={root / 'vmdata'}",
            f"-httpListenAddr=127.0.0.1:{port}",
            "-retentionPeriod=100y",
            "-loggerLevel=WARN",
        ],
        root / "victoria-metrics.log",
    )
    server = _wait_ready(
        Server(f"http://127.0.0.1:{port}", proc.pid, proc, log, "victoriametrics"),
        "/health",
        timeout,
        "victoria-metrics",
    )
    body = prometheus_text.encode() if isinstance(prometheus_text, str) else prometheus_text
    try:
        for path, data in (("/api/v1/import/prometheus", body), ("/internal/force_flush", None)):
            req = urllib.request.Request(server.url + path, data=data, method="POST")
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                if resp.status not in (200, 204):
                    raise PrometheusUnavailable(f"victoria-metrics {path}: HTTP {resp.status}")
    except (urllib.error.URLError, OSError) as exc:
        server.stop()
        raise PrometheusUnavailable(f"victoria-metrics import failed: {exc}") from None
    return server


def server_or_skip(start: Callable[[], Server], name: str = "Prometheus") -> Server:
    """start(), failing the test when CI=true and skipping it otherwise."""
    import pytest

    try:
        return start()
    except PrometheusUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {name} is unavailable: {exc}")
        pytest.skip(f"{name} unavailable: {exc}")


def prometheus_or_skip(openmetrics_text: str, tmpdir: str | Path) -> Server:
    """start_prometheus, failing the test when CI=true and skipping it otherwise."""
    return server_or_skip(lambda: start_prometheus(openmetrics_text, tmpdir))
