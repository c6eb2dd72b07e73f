"""`slo check --watch`: the refresh loop against a real Prometheus.

The loop runs in-process with a test clock (each refresh at a known instant of the generated
history): every refresh must equal a fresh `slo check --at` of that instant, whose counts equal
the generator's truth; a refresh while the server is down must say so, keep the last table and
end the watch with exit 3. Two real processes (a pipe, and a pseudo-terminal with rich Live)
are stopped with SIGINT and exit with the last gate's code. The options it refuses exit 2.
"""

from __future__ import annotations

import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from slo_cli.cli.check import CheckRun
from slo_cli.cli.connection import ConnectionOptions
from slo_cli.cli.watch import LiveView, View, fill_default, header, run_check
from slo_specs import load_text
from tests.check.conftest import slo
from tests.datagen import Dataset, add_counter, rates, scrape_times
from tests.promserver import Server, prometheus_or_skip

DAY = 86400.0
#: the generated history ends here (a whole hour, in 2026)
END = 1_795_176_000.0
SLO_BIN = str(Path(sys.executable).parent / "slo")


def _history(end: float, days: float = 2.0, seed: int = 12) -> Dataset:
    """Two services over `days` to `end`, 60 s scrapes: `calm` healthy, `burning` with 2 %
    errors in its last 3 hours (its 1d budget at 99.9 % is spent)."""
    rng = np.random.default_rng(seed)
    ds = Dataset()
    for i, svc in enumerate(("calm", "burning")):
        t = scrape_times(end - days * DAY, end, 60.0, offset=3.0 + 11 * i, rng=rng)
        late = [(end - 3 * 3600, end + 1, 1000.0)] if svc == "burning" else []
        add_counter(ds, "http_requests", {"service": svc, "code": "200"}, t, rates(t, 50, rng=rng))
        add_counter(
            ds,
            "http_requests",
            {"service": svc, "code": "500"},
            t,
            rates(t, 0.001, rng=rng, incidents=late),
        )
    return ds


SPECS = "".join(
    f"---\nversion: slo/v1\nservice: {svc}\nslos:\n  - name: availability\n"
    "    objective: 99.9\n    window: 1d\n    sli:\n      ratio:\n"
    f'        bad: \'http_requests_total{{service="{svc}",code="500"}}\'\n'
    f"        total: 'http_requests_total{{service=\"{svc}\"}}'\n"
    for svc in ("calm", "burning")
)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return _history(END)


@pytest.fixture(scope="module")
def server(data: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = prometheus_or_skip(data.openmetrics(), tmp_path_factory.mktemp("watch"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "slos.yaml"
    path.write_text(SPECS, encoding="utf-8")
    return path


def _run() -> CheckRun:
    return CheckRun(
        limits=(None, None),
        since=None,
        fail_on=None,
        min_remaining=None,
        min_coverage=None,
        allow_no_data=False,
        details=False,
        no_color=True,
        quiet=True,
    )


class _Clock:
    """A test clock: `sleep` advances it; the `stop_after`-th refresh's wait raises Ctrl-C;
    `between(n)` runs before refresh n+1 (e.g. stops the server)."""

    def __init__(self, start: float, refreshes: int, between: dict[int, object] | None = None):
        self.t = start
        self.refreshes = refreshes
        self.between = between or {}
        self.waits = 0
        self.starts: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        if self.t >= self.due:
            self.waits += 1
            if self.waits >= self.refreshes:
                raise KeyboardInterrupt
            action = self.between.get(self.waits)
            if callable(action):
                action()

    due = 0.0


def _of(service: str, code: str | None = None) -> Callable[[dict[str, str]], bool]:
    return lambda lab: lab["service"] == service and (code is None or lab["code"] == code)


def _watch(
    server_url: str, spec_file: Path, clock: _Clock, view: View, interval: float = 120.0
) -> int:
    specs = list(load_text(spec_file.read_text(encoding="utf-8")))
    connection = ConnectionOptions({"url": server_url})
    original_show = view.show

    def show(refresh, text):  # type: ignore[no-untyped-def]
        clock.starts.append(refresh.started)
        clock.due = refresh.started + interval
        original_show(refresh, text)

    view.show = show  # type: ignore[method-assign]
    return run_check(
        _run(), specs, connection, interval, clock=clock.now, sleep=clock.sleep, view=view
    )


def test_each_refresh_equals_a_fresh_check_at_its_instant(
    server: Server, spec_file: Path, data: Dataset
) -> None:
    clock = _Clock(END - 3600.0, refreshes=2)
    out = io.StringIO()
    code = _watch(server.url, spec_file, clock, View(out, 120.0))
    text = out.getvalue()
    heads = [line for line in text.splitlines() if line.startswith("slo check --watch 120s")]
    assert len(heads) == 2, text
    assert clock.starts == [END - 3600.0, END - 3600.0 + 120.0]
    for started, head in zip(clock.starts, heads, strict=True):
        at = started - 60.0  # the default lag: the newest minute is complete
        fresh = slo("check", str(spec_file), "--prometheus-url", server.url, "--at", str(at))
        assert f"exit {fresh.code}" in head
        assert fresh.stdout.strip() in text  # the refresh's table is the fresh run's table
        doc = json.loads(
            slo(
                "check",
                str(spec_file),
                "--prometheus-url",
                server.url,
                "--at",
                str(at),
                "-f",
                "json",
            ).stdout
        )
        end = np.floor(at / 60) * 60
        for row in doc["slos"]:  # the fresh run itself equals the generator's truth
            svc = row["service"]
            total = data.count("http_requests_total", end - DAY, end, _of(svc))
            bad = data.count("http_requests_total", end - DAY, end, _of(svc, "500"))
            assert (row["total_count"], row["good_count"]) == (total, total - bad)
    assert code == fresh.code == 1  # `burning` has spent its budget: the last gate's code


def test_a_failed_refresh_keeps_the_last_table_and_ends_with_exit_3(
    data: Dataset, spec_file: Path, tmp_path: Path
) -> None:
    own = prometheus_or_skip(data.openmetrics(), tmp_path / "prom")
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=160, record=True)
    view = LiveView(console, 120.0)
    clock = _Clock(END - 3600.0, refreshes=2, between={1: own.stop})
    try:
        code = _watch(own.url, spec_file, clock, view)
    finally:
        own.stop()
    assert code == 3
    assert view.last is not None and view.last.code == 1 and view.failed is not None
    assert "cannot connect" in (view.failed.error or "")
    frame = console.export_text()
    last = frame[frame.rindex("slo check --watch") :]  # the final frame
    assert "REFRESH FAILED" in last and "showing the table of" in last
    assert "burning" in last and "calm" in last  # the last table is still shown


def test_header_never_reads_healthy_after_a_failure() -> None:
    from slo_cli.cli.watch import Refresh

    good = Refresh(started=END, at=END - 60, took_s=0.5, requests=7, code=0)
    bad = Refresh(started=END + 60, at=END, took_s=0.1, requests=1, code=3, error="down")
    line = header(good, bad, 60.0)
    assert "7 requests" in line and "exit 0" in line and line.endswith("exit 3")
    assert "REFRESH FAILED" in header(None, bad, 60.0) and "no table yet" in header(None, bad, 60)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "--watch"], ["check", "--watch", "60"]),
        (["check", "--watch", "specs/"], ["check", "--watch", "60", "specs/"]),
        (["check", "--watch", "15", "specs/"], ["check", "--watch", "15", "specs/"]),
        (["check", "--watch", "--details"], ["check", "--watch", "60", "--details"]),
        (["check", "--", "--watch"], ["check", "--", "--watch"]),
    ],
)
def test_watch_without_seconds_means_60(args: list[str], expected: list[str]) -> None:
    assert fill_default(args) == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--watch", "2"], "--watch 2: the shortest interval is 5 seconds"),
        (["--watch", "--format", "json"], "cannot be combined with --format"),
        (["--watch", "--at", "2026-11-20T12:00:00Z"], "cannot be combined with --at"),
        (["--watch", "--output", "x.txt"], "cannot be combined with --output"),
        (["--watch", "--from", "examples/snapshot.json"], "cannot be combined with --from"),
    ],
)
def test_what_watch_refuses_exits_2(extra: list[str], message: str) -> None:
    run = slo("check", "examples/", "--prometheus-url", "http://127.0.0.1:9", *extra)
    assert run.code == 2
    assert message in run.stderr and run.stdout == ""


# ---- real processes, stopped with SIGINT ------------------------------------------------------


@pytest.fixture(scope="module")
def recent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same history ending a minute before now, so a watch at the wall clock reads it."""
    end = np.floor(time.time() / 60) * 60 - 60
    s = prometheus_or_skip(_history(end, days=1.2).openmetrics(), tmp_path_factory.mktemp("now"))
    try:
        yield s
    finally:
        s.stop()


def _read_until(fd: int, needle: bytes, count: int, timeout: float) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout
    while got.count(needle) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["COLUMNS"] = "160"
    return env


def test_piped_watch_appends_one_table_per_refresh_and_sigint_exits_with_the_gate(
    recent: Server, spec_file: Path
) -> None:
    cmd = [SLO_BIN, "check", str(spec_file), "--prometheus-url", recent.url, "--watch", "5"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert proc.stdout is not None
    try:
        got = _read_until(proc.stdout.fileno(), b"slo check --watch 5s", 2, timeout=90)
    finally:
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    text = (got + rest).decode()
    assert text.count("slo check --watch 5s · refreshed") >= 2, (text, err)
    assert text.count("burning") >= 2 and "\x1b[" not in text  # plain tables, one per refresh
    once = slo("check", str(spec_file), "--prometheus-url", recent.url)
    assert once.code == 1
    assert proc.returncode == once.code, err
    assert b"watch stopped; exit 1" in err


def test_terminal_watch_redraws_in_place_and_sigint_exits_with_the_gate(
    recent: Server, spec_file: Path
) -> None:
    cmd = [SLO_BIN, "check", str(spec_file), "--prometheus-url", recent.url, "--watch", "5"]
    main, child = pty.openpty()
    env = {**_env(), "TERM": "xterm"}
    proc = subprocess.Popen(cmd, stdin=child, stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    try:
        got = _read_until(main, b"refreshed", 2, timeout=90)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        got += _read_until(main, b"\x00", 1, timeout=2)
        os.close(main)
    text = got.decode(errors="replace")
    assert proc.returncode == 1, err
    assert "next in" in text  # the countdown in the header
    assert "\x1b[" in text and "\x1b[2K" in text  # redrawn in place: lines erased, not appended
    assert "burning" in text and "calm" in text


def test_a_reused_source_carries_no_partial_note_into_the_next_fetch() -> None:
    """A watch fetches with one source again and again: a partial-data note (the server said
    `warnings`, which a real Prometheus does not produce on demand: a scripted server) belongs to
    the fetch it came with, not to every later one."""
    from slo_cli.cli.connection import system_clock
    from slo_cli.sources.model import FetchRequest
    from slo_cli.sources.prometheus import PrometheusSource
    from slo_cli.sources.settings import ConnectionSettings
    from tests.prom.faultserver import Reply, Seen, fault_server
    from tests.prom.test_faults import SLO, T0, matrix

    partial = [True]

    def script(req: Seen, i: int) -> Reply:
        body = json.loads(matrix(req.form))
        if partial[0]:
            body["warnings"] = ["store gateway 3 unreachable"]
        return Reply(200, json.dumps(body))

    edges = T0 + 60.0 * np.arange(3)
    with fault_server(script) as srv:
        settings = ConnectionSettings.from_sources({"url": srv.url}, {})
        source = PrometheusSource(settings, clock=system_clock(), workers=1, allow_partial=True)
        try:
            [first] = source.fetch([FetchRequest("shop/avail", SLO, edges)])
            partial[0] = False
            [second] = source.fetch([FetchRequest("shop/avail", SLO, edges)])
        finally:
            source.close()
    assert any("partial data" in n for n in first.notes)
    assert not any("partial data" in n for n in second.notes), second.notes
    assert list(second.good) == list(first.good) == [5.0, 5.0]
