"""Running `slo backtest` against the package's server, and the arithmetic the tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tests.backtest import data as D
from tests.clirun import slo


def backtest(spec: Path, url: str, days: float, *extra: str) -> dict[str, Any]:
    """`slo backtest SPEC --days DAYS --at END --format json` against the server, parsed."""
    run = slo(
        "backtest", str(spec), "--days", f"{days:g}", "--at", f"{D.END:.0f}", "-f", "json",
        "--prometheus-url", url, *extra,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, stop) index pairs of the runs of True, by walking the flags."""
    out, i = [], 0
    while i < flags.size:
        if flags[i]:
            j = i
            while j < flags.size and flags[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out
