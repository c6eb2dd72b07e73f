"""The one way tests run `slo`: in-process through the real console entry point
(`slo_cli.cli.app:main`, the exception → exit-code mapper included), stdout and stderr captured
apart. Tests that need a real process (a terminal, a fresh interpreter, the installed wheel)
run the `slo` executable instead."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """What a run of `slo` left: its exit code and what it wrote to stdout and stderr."""

    code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    """os.environ with `env` applied (None removes a variable), restored afterwards."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def slo(*args: str, env: Mapping[str, str | None] | None = None) -> Run:
    """Run `slo ARGS` as the console script does; `env` sets (or, with None, unsets)
    environment variables for this run only."""
    from slo_cli.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with _environment(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())
