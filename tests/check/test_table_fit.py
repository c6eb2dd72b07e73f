"""The table's fit to the terminal is judged from its cells' widths, measured once
(render.table.column_widths), so a table of 10,000 SLOs is laid out once: those widths must equal
rich's own measurement of the built table for every set of columns the fit can keep, on the
examples' evaluation (every status, composites with their member rows, long names)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rich.console import Console

from slo_cli.cli.common import load_specs
from slo_cli.evaluate import evaluate
from slo_cli.gate import apply_gate
from slo_cli.render.table import COLUMNS, Column, _build, _cell, _width, column_widths
from slo_cli.results import Evaluation
from slo_cli.sources.recorded import RecordedSource

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def examples() -> Evaluation:
    specs = load_specs([ROOT / "examples"], None, None)
    source = RecordedSource(str(ROOT / "examples" / "snapshot.json"))
    try:
        return apply_gate(evaluate(specs, source, source.at, at=source.at))
    finally:
        source.close()


def _column_sets() -> list[list[Column]]:
    """The sets the fit visits (dropping by rank), and every set missing one or two columns."""
    droppable = [c for c in COLUMNS if c.keep is not None]
    ranked = sorted(droppable, key=lambda c: c.keep or 0)
    chain = [ranked[:k] for k in range(len(ranked) + 1)]
    some = [list(d) for k in (1, 2) for d in itertools.combinations(droppable, k)]
    return [[c for c in COLUMNS if c not in dropped] for dropped in chain + some]


def test_cell_widths_equal_richs_measurement_for_every_column_set(examples: Evaluation) -> None:
    console = Console(width=200)
    sets = _column_sets()
    for columns in sets:
        widths = column_widths(examples, columns)
        built = _build(examples, columns)
        names = [c.name for c in columns]
        assert sum(widths.values()) + len(columns) - 1 == _width(console, built), names
    assert len(sets) > 60
    assert any(r.composite is not None for r in examples.slos)  # member rows are measured too


@pytest.mark.parametrize("style", ["", "bold", "bold red", "dim", "bold underline", "yellow"])
@pytest.mark.parametrize(
    "text",
    [
        "",
        " availability",
        "99.9% 30d",
        "[bold]x[/]",
        "a\\[b]",
        "[/]",
        ":smile: ✓ ↳ ×1",
        "—",
        "x" * 40,
    ],
)
@pytest.mark.parametrize("color", [None, "truecolor"])
def test_a_cell_renders_as_its_escaped_markup_did(text: str, style: str, color: str | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    def shown(cell: object) -> str:
        console = Console(
            width=30,
            color_system=color,  # type: ignore[arg-type]
            force_terminal=color is not None,
            highlight=False,
            emoji=False,
            soft_wrap=False,
            record=False,
        )
        table = Table(show_header=False, padding=0, pad_edge=False, show_edge=False)
        table.add_column(justify="right", no_wrap=True, overflow="ellipsis", max_width=12)
        table.add_row(cell)  # type: ignore[arg-type]
        with console.capture() as got:
            console.print(table)
        return got.get()

    markup = f"[{style}]{escape(text)}[/]" if style else escape(text)
    assert shown(_cell(text, style)) == shown(markup)
