"""The layering rules of docs/design.md and architecture.md, kept true by tests.

Two kinds of check: a static one (which top-level modules each layer's files import, read with
`ast`, so an import inside a function counts too) and a dynamic one (what importing a layer
actually loads, in a fresh interpreter, so `slo --help` stays fast).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)


def _imports(path: Path) -> set[str]:
    """Absolute module names imported anywhere in a file (relative ones resolved to our package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: within the package of `path`
                pkg = path.relative_to(ROOT).parts[0]
                names.add(pkg + ("." + node.module if node.module else ""))
            elif node.module:
                names.add(node.module)
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


def test_slo_specs_never_imports_slo_cli() -> None:
    bad = {
        str(f.relative_to(ROOT)): sorted(n for n in _imports(f) if _top(n) == "slo_cli")
        for f in _files("slo_specs")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_slo_specs_imports_only_stdlib_yaml_and_pydantic() -> None:
    allowed = STDLIB | {"yaml", "pydantic", "pydantic_core", "annotated_types", "slo_specs"}
    bad = {
        str(f.relative_to(ROOT)): sorted(n for n in _imports(f) if _top(n) not in allowed)
        for f in _files("slo_specs")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_engine_imports_only_numpy_and_stdlib() -> None:
    allowed = STDLIB | {"numpy"}
    bad: dict[str, list[str]] = {}
    for f in _files("slo_cli.engine"):
        wrong = sorted(
            n for n in _imports(f) if _top(n) not in allowed and not n.startswith("slo_cli.engine")
        )
        if wrong:
            bad[str(f.relative_to(ROOT))] = wrong
    assert bad == {}


def test_only_sources_import_the_prometheus_client_and_requests() -> None:
    offenders = []
    for package in ("slo_cli", "slo_specs"):
        for f in _files(package):
            if "sources" in f.relative_to(ROOT).parts:
                continue
            for name in _imports(f):
                if _top(name) in {"prometheus_api_client", "requests", "urllib3"}:
                    offenders.append(f"{f.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_nothing_imports_the_cli_layer() -> None:
    offenders = []
    for package in ("slo_cli", "slo_specs"):
        for f in _files(package):
            rel = f.relative_to(ROOT)
            if rel.parts[1:2] == ("cli",) or rel.name == "__main__.py":
                continue  # the CLI itself, and `python -m slo_cli`
            offenders += [
                f"{f.relative_to(ROOT)}: {n}" for n in _imports(f) if n.startswith("slo_cli.cli")
            ]
    assert offenders == []


def test_render_never_touches_sources_or_the_network() -> None:
    offenders = []
    for f in _files("slo_cli.render"):
        offenders += [
            f"{f.relative_to(ROOT)}: {n}"
            for n in _imports(f)
            if n.startswith("slo_cli.sources") or _top(n) in {"requests", "urllib", "http"}
        ]
    assert offenders == []


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return {_top(m) for m in json.loads(out)}


@pytest.mark.parametrize(
    ("statement", "forbidden"),
    [
        ("import slo_specs", {"numpy", "requests", "rich", "slo_cli", "typer"}),
        ("import slo_cli.engine", {"typer", "rich", "requests", "pydantic", "yaml"}),
        (
            "import slo_cli.cli.app",
            {"numpy", "prometheus_api_client", "requests", "matplotlib", "pydantic"},
        ),
    ],
    ids=["specs", "engine", "cli-startup"],
)
def test_import_does_not_load_heavy_modules(statement: str, forbidden: set[str]) -> None:
    assert _loaded_after(statement) & forbidden == set()
