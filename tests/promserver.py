"""A real, throw-away Prometheus for tests: backfill OpenMetrics text, serve it on loopback.

    server = start_prometheus(openmetrics_text, tmpdir)   # raises PrometheusUnavailable
    ... server.url ...
    server.stop()

`prometheus_or_skip()` turns PrometheusUnavailable into a pytest failure when CI=true and a skip
otherwise (testing.md: integration tests never silently skip in CI).
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
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = "global:\n  scrape_interval: 1m\nscrape_configs: []\n"


class PrometheusUnavailable(RuntimeError):
    """The binaries are missing or the server would not start."""


@dataclass
class Server:
    """A running Prometheus: its base URL and how to stop it (by its pid)."""

    url: str
    pid: int
    process: subprocess.Popen[bytes] = field(repr=False)
    log: Path

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
    log = root / "prometheus.log"
    port = _free_port()
    with open(log, "wb") as log_fh:
        proc = subprocess.Popen(
            [
                prom,
                f"--config.file={cfg}",
                f"--storage.tsdb.path={tsdb}",
                "--storage.tsdb.retention.time=10y",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            cwd=root,
        )
    server = Server(f"http://127.0.0.1:{port}", proc.pid, proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise PrometheusUnavailable(f"prometheus exited with {proc.returncode}: {tail}")
        try:
            with urllib.request.urlopen(server.url + "/-/ready", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    server.stop()
    raise PrometheusUnavailable(f"prometheus not ready after {timeout:.0f} s")


def prometheus_or_skip(openmetrics_text: str, tmpdir: str | Path) -> Server:
    """start_prometheus, failing the test when CI=true and skipping it otherwise."""
    import pytest

    try:
        return start_prometheus(openmetrics_text, tmpdir)
    except PrometheusUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Prometheus is unavailable: {exc}")
        pytest.skip(f"Prometheus unavailable: {exc}")
