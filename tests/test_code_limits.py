"""Size limits of the code (issue 9): no module over 500 lines and no function body over 80 lines
in slo_cli/ and slo_specs/.

A function's body is counted from its first statement to its last line (``body[0].lineno`` ..
``end_lineno``), docstring included: the signature is not counted, so a command's option
declarations (typer parameters) are free. Nested functions are checked on their own and also
count towards the function that holds them, their signatures aside.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("slo_cli", "slo_specs")
MAX_MODULE_LINES = 500
MAX_BODY_LINES = 80


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> range:
    """The lines of a function's signature: from ``def`` to the line before its first statement."""
    return range(node.lineno, node.body[0].lineno)


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """The lines of a function's body, less the signatures of the functions defined in it (a
    ``register(app)`` holding a command: the command's option declarations are free there too)."""
    lines = set(range(node.body[0].lineno, (node.end_lineno or node.body[-1].lineno) + 1))
    for inner in ast.walk(node):
        if inner is not node and isinstance(inner, _FUNCTIONS):
            lines -= set(_signature(inner))
    return lines


def _long_bodies(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, _FUNCTIONS):
            lines = len(_body_lines(node))
            if lines > MAX_BODY_LINES:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                out.append(f"{where}:{node.lineno} {node.name}: {lines} lines")
    return out


def test_the_limits_see_every_module() -> None:
    assert len(_modules()) > 50  # the walk finds the packages (a wrong ROOT would pass vacuously)


@pytest.mark.parametrize("pkg", PACKAGES)
def test_no_module_over_500_lines(pkg: str) -> None:
    too_long = []
    for path in _modules():
        if path.relative_to(ROOT).parts[0] != pkg:
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {n} lines")
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


@pytest.mark.parametrize("pkg", PACKAGES)
def test_no_function_body_over_80_lines(pkg: str) -> None:
    too_long = [
        hit
        for path in _modules()
        if path.relative_to(ROOT).parts[0] == pkg
        for hit in _long_bodies(path)
    ]
    assert not too_long, f"function bodies over {MAX_BODY_LINES} lines: {too_long}"


def test_the_body_count_skips_the_signature_and_counts_the_docstring(tmp_path: Path) -> None:
    params = "".join(f"    p{i}: int = 0,\n" for i in range(100))  # a long signature is free
    body = "".join(f"    x{i} = {i}\n" for i in range(79))
    fine = tmp_path / "fine.py"
    fine.write_text(f'def f(\n{params}) -> None:\n    """Doc."""\n{body}')
    assert _long_bodies(fine) == []  # docstring + 79 statements: 80 lines
    over = tmp_path / "over.py"
    over.write_text(f'def f() -> None:\n    """Doc.\n\n    More.\n    """\n{body}')
    hits = _long_bodies(over)
    assert len(hits) == 1 and hits[0].endswith("f: 83 lines")
    nested = tmp_path / "nested.py"
    inner = "".join(f"    {line}\n" for line in f"def g(\n{params}) -> None:\n{body}".splitlines())
    nested.write_text(f"def register() -> None:\n{inner}")
    assert _long_bodies(nested) == []  # register: g's 79 statements; g: 79
    nested.write_text(f"def register() -> None:\n    x = 1\n    y = 2\n{inner}")
    assert [h.split(" ", 1)[1] for h in _long_bodies(nested)] == ["register: 81 lines"]
