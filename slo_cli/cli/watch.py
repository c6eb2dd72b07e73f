"""`slo check --watch [SECONDS]`: the table refreshed until Ctrl-C, each refresh at a new instant.

- On a terminal the table is redrawn in place (rich Live) under a header line: when the last
  refresh ran, the instant it evaluated, how many requests it sent and how long it took, the
  countdown to the next one; while a refresh runs, its progress (SLOs done / total, requests).
- When stdout is not a terminal, each refresh appends its header line and its table (a log).
- A refresh that fails (the server is down: what would be exit 3) says so in the header and
  keeps the last table on screen, marked stale; it is never shown as healthy, and the exit code
  becomes 3 until a refresh succeeds again.
- Ctrl-C exits with the last refresh's exit code (0, 1, 4, or 3 after a failed refresh); 130
  when interrupted before any refresh finished.

One source is opened for the whole watch and reused by every refresh (its sessions and worker
threads).
The loop takes its clock and its sleep as arguments: tests drive it with their own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from slo_cli.cli.common import Progress
    from slo_cli.render.console import Terminal

#: `--watch` without a value: seconds between refreshes
DEFAULT_INTERVAL_S = 60.0
#: the shortest interval accepted (a refresh sends at least one request per SLO group)
MIN_INTERVAL_S = 5.0
#: Ctrl-C before any refresh finished (the shell's code for SIGINT)
INTERRUPTED = 130
#: what the exit code is after a refresh failed (the source failed)
SOURCE_FAILED = 3

#: one refresh: (instant, progress callback) -> (the table's text, the gate's exit code)
Refresher = Callable[[float, "Progress | None"], tuple[str, int]]


def fill_default(args: Sequence[str]) -> list[str]:
    """The arguments with `--watch`'s default inserted where it is given without SECONDS
    (typer options cannot have an optional value): `--watch specs/` reads `specs/` as a path."""
    out = list(args)
    for i, arg in enumerate(out):
        if arg == "--":
            break
        if arg != "--watch":
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        if nxt is None or not _number(nxt):
            out.insert(i + 1, f"{DEFAULT_INTERVAL_S:g}")
        break
    return out


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_options(
    interval: float,
    *,
    at: str | None,
    table: bool,
    output: Any,
    explain: str | None,
    show_queries: bool,
    from_file: Any,
) -> None:
    """UsageError (exit 2) for what --watch cannot do: each refresh is a new instant read from a
    server and shown as a table on stdout."""
    import math

    from slo_cli.errors import UsageError

    if not math.isfinite(interval) or interval < MIN_INTERVAL_S:
        raise UsageError(
            f"--watch {interval:g}: the shortest interval is {MIN_INTERVAL_S:g} seconds"
        )
    clash = [
        ("--at", at is not None, "each refresh evaluates the instant it runs at"),
        ("--from", from_file is not None, "a snapshot holds one instant only"),
        (
            "--format",
            not table,
            "it refreshes the table; for JSON, CSV or JUnit run `slo check` on a schedule",
        ),
        ("--output", output is not None and str(output) != "-", "it writes to stdout only"),
        ("--explain", explain is not None, "run `slo check --explain` once"),
        ("--show-queries", show_queries, "run `slo check --show-queries` once"),
    ]
    for flag, given, why in clash:
        if given:
            raise UsageError(f"--watch cannot be combined with {flag}: {why}")


@dataclass
class Refresh:
    """What one refresh left: when it ran, the instant, its cost, and its outcome."""

    started: float
    at: float
    took_s: float
    requests: int
    code: int
    error: str | None = None


def watch(
    refresh: Refresher,
    *,
    interval_s: float,
    instant: Callable[[float], float],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    requests_sent: Callable[[], int],
    view: View,
) -> int:
    """Refresh every `interval_s` seconds of `clock` until Ctrl-C (KeyboardInterrupt); the exit
    code of the last refresh (SOURCE_FAILED after a failed one), INTERRUPTED if none finished.

    `instant(now)` is the instant a refresh started at `now` evaluates (now minus the lag)."""
    from slo_cli.sources.errors import SourceError

    code = INTERRUPTED
    try:
        while True:
            started = clock()
            at = instant(started)
            before = requests_sent()
            view.refreshing(started, at)
            error = None
            try:
                text, code = refresh(at, view.progress)
            except SourceError as exc:
                text, code, error = None, SOURCE_FAILED, _one_line(exc)
            done = Refresh(started, at, clock() - started, requests_sent() - before, code, error)
            view.show(done, text)
            due = started + interval_s
            while (left := due - clock()) > 0:
                view.countdown(left)
                sleep(min(1.0, left))
    except KeyboardInterrupt:
        view.stopped(code)
        return code


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    hint = getattr(exc, "hint", None)
    return text.splitlines()[0] + (f" ({hint})" if hint else "")


def _clock(epoch: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%H:%M:%S")


def header(last: Refresh | None, failed: Refresh | None, interval_s: float) -> str:
    """The header line: the last good refresh (time, instant, requests, seconds) and, after a
    failed one, what failed and that the table shown is from the last good refresh."""
    every = f"slo check --watch {interval_s:g}s"
    parts = [every]
    if last is not None:
        parts.append(
            f"refreshed {_clock(last.started)} UTC (at {_clock(last.at)}): "
            f"{last.requests:,} requests in {last.took_s:.1f} s, exit {last.code}"
        )
    if failed is not None:
        shown = f"table of {_clock(last.started)} UTC" if last is not None else "no table yet"
        parts.append(
            f"REFRESH FAILED {_clock(failed.started)} UTC: {failed.error}; "
            f"showing the {shown}; exit {SOURCE_FAILED}"
        )
    return " · ".join(parts)


class View:
    """Where the refreshes go: a terminal redrawn in place (LiveView) or appended text."""

    def __init__(self, out: TextIO, interval_s: float, no_color: bool = False) -> None:
        self.out = out
        self.interval_s = interval_s
        self.no_color = no_color
        self.last: Refresh | None = None
        self.failed: Refresh | None = None
        #: the progress callback handed to each refresh (None: the refresh shows its own)
        self.progress: Progress | None = None
        #: HTTP requests the source sent so far
        self.requests: Callable[[], int] = lambda: 0

    def __enter__(self) -> View:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def terminal(self) -> Terminal:
        """What the table is laid out for: stdout as it is, or plain text for another stream."""
        from slo_cli.render.console import PLAIN

        if self.out is sys.stdout:
            from slo_cli.cli.common import stdout_terminal

            return stdout_terminal(no_color=self.no_color)
        return PLAIN

    def refreshing(self, started: float, at: float) -> None:
        """A refresh begins."""

    def show(self, refresh: Refresh, text: str | None) -> None:
        """A refresh ended: append its header line and table (or the failure)."""
        if refresh.error is None:
            self.last, self.failed = refresh, None
        else:
            self.failed = refresh
        self.out.write(header(self.last, self.failed, self.interval_s) + "\n")
        if text is not None:
            self.out.write(text if text.endswith("\n") else text + "\n")
        self.out.write("\n")
        self.out.flush()

    def countdown(self, left_s: float) -> None:
        """Seconds until the next refresh."""

    def stopped(self, code: int) -> None:
        """Ctrl-C: the watch ends with `code`."""
        sys.stderr.write(f"slo: watch stopped; exit {code} (the last refresh's)\n")


class LiveView(View):
    """The table redrawn in place on a terminal (rich Live), the header line above it."""

    def __init__(self, console: Any, interval_s: float) -> None:
        super().__init__(console.file, interval_s, bool(console.no_color))
        from rich.live import Live

        self.console = console
        self.table: Any = None
        self.status = ""
        self.live = Live(
            console=console, auto_refresh=False, transient=False, vertical_overflow="ellipsis"
        )
        self.progress = self._progress

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def terminal(self) -> Terminal:
        from slo_cli.render.console import Terminal

        c = self.console
        return Terminal(
            width=c.width, color_system=c.color_system, no_color=c.no_color, is_terminal=True
        )

    def _draw(self) -> None:
        from rich.console import Group
        from rich.text import Text

        line = header(self.last, self.failed, self.interval_s)
        top = Text(line + (f" · {self.status}" if self.status else ""))
        top.stylize("bold red" if self.failed is not None else "bold")
        parts: list[Any] = [top]
        if self.table is not None:
            parts.append(self.table)
        self.live.update(Group(*parts), refresh=True)

    def _progress(self, done: int, total: int) -> None:
        self.status = f"refreshing: {done:,}/{total:,} SLOs, {self.requests():,} requests"
        self._draw()

    def refreshing(self, started: float, at: float) -> None:
        self.status = f"refreshing (at {_clock(at)})…"
        self._draw()

    def show(self, refresh: Refresh, text: str | None) -> None:
        from rich.text import Text

        if refresh.error is None:
            self.last, self.failed = refresh, None
            self.table = Text.from_ansi(text or "")
        else:  # keep the last table, marked stale by the header
            self.failed = refresh
        self.status = ""
        self._draw()

    def countdown(self, left_s: float) -> None:
        self.status = f"next in {left_s:.0f} s (Ctrl-C stops)"
        self._draw()

    def stopped(self, code: int) -> None:
        self.status = f"stopped; exit {code}"
        self._draw()


def run_check(
    run: Any,
    specs: Sequence[Any],
    connection: Any,
    interval_s: float,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    view: View | None = None,
) -> int:
    """`slo check --watch`: one source for every refresh of `run` (a check.CheckRun) over
    `specs`; the exit code the watch ends with. `clock`, `sleep` and `view` (default: the real
    clock, and stdout redrawn in place when it is a terminal) are for tests."""
    import time

    from slo_cli.cli import common
    from slo_cli.cli.connection import parse_at, run_deadline, system_clock
    from slo_cli.render.formats import CheckFormat

    now = clock or common.now
    shown = view or _view(sys.stdout, interval_s, run.no_color)
    with common.open_source(connection) as (settings, source):
        requests = lambda: int(getattr(source, "requests_sent", 0))  # noqa: E731

        def refresh(at: float, progress: Progress | None) -> tuple[str, int]:
            if settings.deadline_s is not None and hasattr(source, "set_deadline"):
                source.set_deadline(run_deadline(settings, system_clock()))  # per refresh
            evaluation, code = run.once(list(specs), source, now(), at, progress=progress)
            return run.text(evaluation, code, CheckFormat.table, terminal=shown.terminal()), code

        if run.quiet:
            shown.progress = None
        shown.requests = requests
        with shown:
            return watch(
                refresh,
                interval_s=interval_s,
                instant=lambda t: float(parse_at(None, t, lag_s=settings.lag_s)),
                clock=now,
                sleep=sleep or time.sleep,
                requests_sent=requests,
                view=shown,
            )


def _view(stream: TextIO, interval_s: float, no_color: bool) -> View:
    """A LiveView when `stream` is a terminal, else a View appending each refresh."""
    if not stream.isatty():
        return View(stream, interval_s, no_color)
    from rich.console import Console

    from slo_cli.cli.common import colour_environ

    console = Console(file=stream, no_color=no_color or None, _environ=colour_environ())
    return LiveView(console, interval_s)
