"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no websocket
library needed): Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and
events on fd 4. Enough to load a page, collect its network requests and console errors, run an
expression and take screenshots."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: seconds chromium may take to answer its first command
STARTUP_S = 120.0

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
)


def chromium_binary() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


class Browser:
    """One headless Chromium with one page; `events` keeps every event received."""

    def __init__(self, binary: str, profile: Path, width: int = 1200, height: int = 900) -> None:
        # chromium's own log goes to a file: an unread pipe could fill up and stall it
        self._log = open(profile / "chromium.log", "wb")  # noqa: SIM115 - closed in close()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child: fd 3 = commands in, fd 4 = answers out
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=wire,  # dup2 only, before exec
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None
        # the first answer waits for chromium's start-up, which took over 30 s once on the
        # 2-CPU machine with two suites running (fresh profile, font cache): allow it longer
        target = self.call("Target.createTarget", {"url": "about:blank"}, timeout=STARTUP_S)[
            "targetId"
        ]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the debugging pipe")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return dict(json.loads(raw))

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        """Send one command and wait for its result (events meanwhile go to `events`)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session is not None:
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first event named `method` (already received or the next ones)."""
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.monotonic() + timeout
        while True:
            ev = self._read(max(0.01, deadline - time.monotonic()))
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (the test's probe; the page has no script)."""
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return res["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        """A full-page PNG written to `path`."""
        data = base64.b64decode(
            self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})[
                "data"
            ]
        )
        path.write_bytes(data)
        return data

    def close(self) -> None:
        try:
            self.session = None
            self.call("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._log.close()
