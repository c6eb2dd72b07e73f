"""Every `--format` value of every command has a renderer, and each runs through the real CLI.

The commands and their choices are read from the typer app itself, so a command that gains a
`--format` (or a value) without a renderer in slo_cli/render/formats.py fails here.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer

from slo_cli.cli.app import app
from slo_cli.render.formats import FORMATS, MODES, RENDERERS
from tests.clirun import slo

ROOT = Path(__file__).resolve().parent.parent


def _format_options() -> dict[str, tuple[object, set[str]]]:
    """command name -> (the annotation of its `--format` option, the values the parser
    accepts), for every command of the app."""
    group = typer.main.get_command(app)
    out: dict[str, tuple[object, set[str]]] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if "--format" in getattr(param, "opts", ()):
                described = param.type_descriptor
                values = {getattr(c, "value", c) for c in described.choices}
                out[name] = (described.annotation, values)
    return out


def test_every_command_with_a_format_option_is_in_the_registry() -> None:
    options = _format_options()
    assert set(options) == set(FORMATS)
    for name, (annotation, values) in options.items():
        assert annotation is FORMATS[name], name
        assert values == {m.value for m in FORMATS[name]}, name


def test_every_value_of_every_format_enum_has_a_renderer() -> None:
    for name, enum_type in FORMATS.items():
        assert set(RENDERERS[enum_type]) == set(enum_type), name


#: command -> (the command line before --format, the exit codes it may end with)
SNAP = ("examples/", "--from", "examples/snapshot.json")
RUNS: dict[str, tuple[tuple[str, ...], set[int]]] = {
    "check": (("check", *SNAP), {1}),
    "report": (("report", *SNAP, "--generated-at", "2026-11-20T12:05:00Z"), {0}),
    "validate": (("validate", "examples/"), {0}),
    "budget": (("budget", "99.9", "--events", "1000000"), {0}),
    "rules": (("rules", "examples/"), {0}),
    "backtest": (
        (
            "backtest",
            "tests/rules/fixtures/shop.yaml",
            "--from",
            "tests/rules/fixtures/backtest-snapshot.json",
            "--days",
            "0.1",
        ),
        {0},
    ),
}


def _looks_like(fmt: str, text: str) -> bool:
    if fmt == "json":
        return isinstance(json.loads(text), dict)
    if fmt == "csv":
        return len(list(csv.reader(io.StringIO(text)))) > 1
    if fmt == "junit":
        return ET.fromstring(text.split("\n", 1)[1]).tag == "testsuites"
    if fmt == "html":
        return text.lstrip().lower().startswith("<!doctype html>")
    if fmt == "markdown":
        return text.startswith("#")
    if fmt in ("prometheus", "prometheus-operator", "mimir"):
        import yaml

        data = yaml.safe_load(text)
        return bool((data.get("spec") or data)["groups"])
    if fmt == "table":
        return text.startswith(("SLO check at ", "Backtest "))
    return bool(text.strip())  # text, github


@pytest.mark.parametrize(
    ("command", "fmt"),
    [(name, m.value) for name, enum_type in FORMATS.items() for m in enum_type],
    ids=lambda v: str(v),
)
def test_every_format_renders_through_the_cli(
    command: str, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)
    args, codes = RUNS[command]
    run = slo(*args, "--format", fmt)
    assert run.code in codes, run.stderr
    assert _looks_like(fmt, run.stdout), run.stdout[:300]
    assert "\x1b" not in run.stdout  # not a terminal: no escapes in any format


#: `slo check` modes (render.formats.MODES) -> the flag that turns each on
MODE_FLAGS = {
    "explain": ("--explain", "payments/availability"),
    "show-queries": ("--show-queries",),
}


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [(mode, f.value) for mode, renderers in MODES.items() for f in renderers],
    ids=lambda v: str(v),
)
def test_every_check_mode_format_renders_through_the_cli(
    mode: str, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)
    run = slo("check", *SNAP, *MODE_FLAGS[mode], "--format", fmt)
    assert run.code in (0, 1), run.stderr
    if fmt == "json":
        assert json.loads(run.stdout)["schema"] in ("slo/explain/v1", "slo/queries/v1")
    else:
        assert run.stdout.startswith(("payments/availability — explained", "Queries for "))
    assert set(MODE_FLAGS) == set(MODES)
