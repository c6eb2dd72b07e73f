"""`--workers N` bounds the queries in flight: a real Prometheus behind a counting proxy
(tests/countproxy.py, holding each request 50 ms so that concurrent ones overlap) never has more
than N at once, and has exactly N when there is work for N; the counts through the proxy equal
the generator's truth. The progress on a terminal's stderr counts SLOs and requests, and is
silent with --quiet."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.check.test_terminal import _drain, _env, _pty
from tests.clirun import slo
from tests.countproxy import counting_proxy
from tests.datagen import END, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

DAY = 86400.0
WINDOWS = {"30d": 30 * DAY, "7d": 7 * DAY, "1d": DAY, "28d": 28 * DAY}
INSTANCES = ("a", "b", "c", "")
SLO = str(Path(sys.executable).parent / "slo")


def _specs(path: Path) -> Path:
    """32 ratio SLOs over checkout: each instance (and all) × 4 windows × 2 objectives."""
    slos = []
    for inst in INSTANCES:
        sel = f'service="checkout",instance="{inst}"' if inst else 'service="checkout"'
        for w in WINDOWS:
            for obj in (99.0, 99.9):
                slos.append(
                    f"  - name: avail-{inst or 'all'}-{w}-{int(obj * 10)}\n"
                    f"    objective: {obj}\n    window: {w}\n    sli:\n      ratio:\n"
                    f"        bad: 'http_requests_total{{{sel},code=~\"5..\"}}'\n"
                    f"        total: 'http_requests_total{{{sel}}}'\n"
                )
    path.write_text("version: slo/v1\nservice: checkout\nslos:\n" + "".join(slos), "utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 3])
def test_never_more_queries_in_flight_than_workers(
    prometheus: Server, shared_data: SharedData, tmp_path: Path, workers: int
) -> None:
    spec = _specs(tmp_path / "checkout.yaml")
    with counting_proxy(prometheus.url, delay_s=0.05) as proxy:
        run = slo(
            "check",
            str(spec),
            "--prometheus-url",
            proxy.url,
            "--at",
            str(END),
            "--workers",
            str(workers),
            "--format",
            "json",
            "--fail-on",
            "never",
        )
    assert run.code in (0, 4), run.stderr
    # at least one query per SLI went through the proxy (SLOs of one SLI share answers)
    assert proxy.requests >= len(INSTANCES)
    assert proxy.max_in_flight == workers
    ds = shared_data.dataset
    for row in json.loads(run.stdout)["slos"]:
        inst, w = row["name"].split("-")[1:3]
        end = row["window_end_epoch_seconds"]
        assert end == END

        def chosen(lab: dict[str, str], inst: str = inst) -> bool:
            return lab.get("service") == "checkout" and inst in ("all", lab.get("instance"))

        total = ds.count("http_requests_total", end - WINDOWS[w], end, chosen)
        assert row["total_count"] == total, row["name"]


def _stderr_on_tty(args: list[str]) -> tuple[int, str, str]:
    """Run `slo ARGS` with stderr on a pseudo-terminal: (exit code, the terminal, stdout)."""
    master, slave = _pty()
    proc = subprocess.Popen(
        [SLO, *args], env=_env(), stdin=slave, stdout=subprocess.PIPE, stderr=slave
    )
    os.close(slave)
    assert proc.stdout is not None
    piped = proc.stdout.read().decode()
    shown = _drain(master)
    return proc.wait(timeout=120), shown, piped


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_shows_slos_and_requests_on_a_terminal_unless_quiet(
    prometheus: Server, tmp_path: Path, quiet: bool
) -> None:
    spec = _specs(tmp_path / "checkout.yaml")
    args = ["check", str(spec), "--prometheus-url", prometheus.url, "--at", str(END)]
    args += ["--fail-on", "never", "--format", "json"] + (["--quiet"] if quiet else [])
    code, shown, piped = _stderr_on_tty(args)
    assert code in (0, 4)
    assert len(json.loads(piped)["slos"]) == 32  # the result went to stdout only
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    if quiet:
        assert "fetching SLOs" not in plain and "requests" not in plain
    else:  # the final frame: every SLO done, the requests the run sent
        assert re.search(r"fetching SLOs .* \d+/\d+ [\d,]+ requests", plain), plain[-300:]
