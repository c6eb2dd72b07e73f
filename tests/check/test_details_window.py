"""`slo check --details` names the SLO window once, as the spec writes it (no doubled brackets)."""

from __future__ import annotations

import pytest

from slo_cli.render.console import Terminal
from slo_cli.render.table import render_table
from tests.check.factory import evaluation, result


@pytest.mark.parametrize(
    ("window", "window_s", "expected"),
    [
        ("30d", 30 * 86400.0, "over 30d, from"),
        ("1h30m", 5400.0, "over 1h30m, from"),
        ("month (Europe/Berlin)", 30 * 86400.0, "over month (Europe/Berlin), from"),
        ("week (UTC)", 7 * 86400.0, "over week (UTC), from"),
    ],
)
def test_details_window_label_reads_cleanly(window: str, window_s: float, expected: str) -> None:
    ev = evaluation(result(window=window, window_s=window_s))
    text = render_table(ev, Terminal(width=300), details=True)
    line = next(ln for ln in text.splitlines() if "objective " in ln and " from " in ln)
    assert expected in line, line
    assert ") (" not in line and "1h 30m" not in line, line
