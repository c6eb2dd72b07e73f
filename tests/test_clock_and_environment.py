"""Rule (docs/design.md): only slo_cli/cli reads the clock or the environment; everything below it
gets `now`/a `Clock` and an environment mapping handed down, so it can be tested at any instant
and with any environment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: attribute reads that consult the clock or the process environment
FORBIDDEN = {
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("time", "sleep"),
    ("time", "time_ns"),
    ("os", "environ"),
    ("os", "getenv"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
}


def _reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "os"):
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {alias.name}")
    return found


def test_only_the_cli_reads_the_clock_or_the_environment() -> None:
    offenders = []
    for package in ("slo_cli", "slo_specs"):
        for f in sorted((ROOT / package).rglob("*.py")):
            rel = f.relative_to(ROOT)
            if rel.parts[:2] == ("slo_cli", "cli") or rel.name == "__main__.py":
                continue
            offenders += _reads(f)
    assert offenders == []
