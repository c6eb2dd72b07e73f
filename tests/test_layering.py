"""The layering rules of docs/design.md and architecture.md, kept true by tests.

Three kinds of check: a static one (which modules each file imports, read with `ast`, so an
import inside a function counts too: ALLOWED names, for every module and package of slo_cli,
what it may import, and THIRD_PARTY who may import rich, typer, numpy, …), a dynamic one (what
importing a layer actually loads, in a fresh interpreter, so `slo --help` stays fast), and one
that only slo_cli/cli prints, exits, reads the clock or the environment.
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
    # the PromQL parser only in the offline query check, imported when a spec is loaded;
    # dateutil only for the RRULEs of budget adjustments (imported on the first recurring one)
    own = {
        "slo_specs/promql_check.py": {"promql_parser"},
        "slo_specs/model_adjustments.py": {"dateutil"},
    }
    bad = {
        str(f.relative_to(ROOT)): sorted(
            n
            for n in _imports(f)
            if _top(n) not in allowed | own.get(str(f.relative_to(ROOT)), set())
        )
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
        ("import slo_specs", {"numpy", "requests", "rich", "slo_cli", "typer", "promql_parser"}),
        ("import slo_cli.engine", {"typer", "rich", "requests", "pydantic", "yaml"}),
        (
            "import slo_cli.cli.app",
            {
                "numpy",
                "prometheus_api_client",
                "requests",
                "matplotlib",
                "pydantic",
                "promql_parser",
            },
        ),
    ],
    ids=["specs", "engine", "cli-startup"],
)
def test_import_does_not_load_heavy_modules(statement: str, forbidden: set[str]) -> None:
    assert _loaded_after(statement) & forbidden == set()


# --- the import graph of slo_cli, module by module (docs/design.md, "Layers") -----------------

#: module (or package) of slo_cli -> the slo_cli/slo_specs modules it may import (a package
#: allows its submodules; "slo_cli" alone is the package root, for `__version__`). The most
#: specific key matching a file's module applies. Third-party imports: THIRD_PARTY.
ALLOWED: dict[str, set[str]] = {
    "slo_cli": set(),
    "slo_cli.__main__": {"slo_cli.cli"},
    "slo_cli.errors": set(),
    "slo_cli.exit_codes": set(),
    "slo_cli.files": {"slo_cli.errors"},
    # the judging thresholds' one definition is the engine's (stdlib) defaults module
    "slo_cli.results": {"slo_cli.engine.defaults"},
    # why an SLO has no data: facts of plan, counts and engine -> results.NoData/History, with
    # the formatting helpers of its messages (stdlib)
    "slo_cli.nodata": {
        "slo_cli.results",
        "slo_cli.plan",
        "slo_cli.sources.model",
        "slo_cli.render.common",
        "slo_cli.render.units",
    },
    "slo_cli.explanation": set(),
    # one SLO's row of an engine call as an explanation (`slo check --explain`)
    "slo_cli.tracing": {"slo_cli.explanation", "slo_cli.engine", "slo_cli.plan", "slo_cli.sources"},
    "slo_cli.engine": {"slo_cli.engine"},
    "slo_cli.sources": {"slo_cli.sources", "slo_cli.errors", "slo_cli.files", "slo_specs"},
    "slo_cli.plan": {
        "slo_cli.adjust",
        "slo_cli.engine",
        "slo_cli.sources",
        "slo_cli.report.period",
        "slo_cli.composites",
        "slo_specs",
    },
    # budget adjustments between the specs and the engine (expanded intervals, masks, figures)
    "slo_cli.adjust": {"slo_cli.engine", "slo_cli.results", "slo_specs"},
    # composite SLOs in the pipeline: planned with plan, evaluated like evaluate
    "slo_cli.composites": {
        "slo_cli",
        "slo_cli.adjust",
        "slo_cli.plan",
        "slo_cli.evaluate",
        "slo_cli.engine",
        "slo_cli.results",
        "slo_cli.sources",
        "slo_cli.tracing",
        "slo_specs",
    },
    "slo_cli.evaluate": {
        "slo_cli",
        "slo_cli.nodata",
        "slo_cli.adjust",
        "slo_cli.composites",
        "slo_cli.plan",
        "slo_cli.engine",
        "slo_cli.sources",
        "slo_cli.results",
        "slo_cli.tracing",
        "slo_specs",
    },
    "slo_cli.gate": {"slo_cli.results", "slo_cli.exit_codes"},
    "slo_cli.report": {
        "slo_cli.report",
        "slo_cli.composites",
        "slo_cli.adjust",
        "slo_cli.plan",
        "slo_cli.evaluate",
        "slo_cli.engine",
        "slo_cli.results",
        "slo_cli.sources",
        "slo_cli.errors",
        "slo_specs",
    },
    "slo_cli.report.period": {"slo_cli.engine", "slo_cli.errors", "slo_specs"},
    "slo_cli.report.model": {
        "slo_cli.report.period",
        "slo_cli.report.incidents",
        "slo_cli.engine",
        "slo_cli.results",
    },
    "slo_cli.rules": {
        "slo_cli",
        "slo_cli.rules",
        "slo_cli.plan",
        "slo_cli.engine",
        "slo_cli.sources.promql",
        "slo_cli.errors",
        "slo_specs",
    },
    # the backtest runs the pipeline (planner -> source -> engine), like evaluate (and, as
    # slo_cli.report does, takes evaluate's SLOError for an SLO whose queries failed)
    "slo_cli.rules.backtest": {
        "slo_cli.rules",
        "slo_cli.adjust",
        "slo_cli.composites",
        "slo_cli.evaluate",
        "slo_cli.plan",
        "slo_cli.engine",
        "slo_cli.sources",
        "slo_specs",
    },
    # render: results (and the report/budget/rules/validate models) -> text; never data or maths
    "slo_cli.render": {
        "slo_cli",
        "slo_cli.render",
        "slo_cli.results",
        "slo_cli.explanation",
        "slo_cli.report.model",
        "slo_cli.report.period",
        "slo_cli.report.incidents",
        "slo_cli.engine.offline",
        "slo_cli.engine.records",
        "slo_cli.rules.render",
        "slo_cli.rules.formats",
        "slo_specs.errors",
        "slo_specs.loader",
    },
    "slo_cli.cli": {"*"},  # everything; nothing imports it (test_nothing_imports_the_cli_layer)
}

#: third-party packages and the slo_cli modules that may import them (prefixes)
THIRD_PARTY: dict[str, tuple[str, ...]] = {
    "typer": ("slo_cli.cli",),
    "rich": ("slo_cli.cli", "slo_cli.render"),
    "matplotlib": ("slo_cli.render.report_charts",),
    "numpy": (
        "slo_cli.adjust",
        "slo_cli.engine",
        "slo_cli.nodata",
        "slo_cli.sources",
        "slo_cli.plan",
        "slo_cli.evaluate",
        "slo_cli.composites",
        "slo_cli.nodata",
        "slo_cli.tracing",
        "slo_cli.report",
        "slo_cli.rules.backtest",
    ),
    "yaml": ("slo_cli.cli", "slo_cli.rules"),
    "requests": ("slo_cli.sources",),
    "urllib3": ("slo_cli.sources",),
    "prometheus_api_client": ("slo_cli.sources",),
    "msgspec": ("slo_cli.sources.fastjson",),
}


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(name: str, prefix: str) -> bool:
    if prefix == "*":
        return True
    if prefix == "slo_cli":  # the package root only, not everything below it
        return name == "slo_cli"
    return name == prefix or name.startswith(prefix + ".")


def _rule(module: str) -> set[str]:
    keys = [k for k in ALLOWED if k == module or (k != "slo_cli" and _within(module, k))]
    assert keys, f"{module}: no import rule in tests/test_layering.py (add one to ALLOWED)"
    return ALLOWED[max(keys, key=len)]


def _targets(path: Path) -> set[str]:
    """The modules a file imports, `from package import submodule` resolved to the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (ROOT / sub.replace(".", "/")).with_suffix(".py").exists() or (
                    ROOT / sub.replace(".", "/")
                ).is_dir()
                names.add(sub if is_module else node.module)
    return names


def test_every_module_of_slo_cli_has_an_import_rule_and_keeps_it() -> None:
    offenders = []
    for f in _files("slo_cli"):
        module = _module_of(f)
        allowed = _rule(module)
        for name in sorted(_targets(f)):
            top = _top(name)
            if top in ("slo_cli", "slo_specs"):
                own = _within(name, module) and module != "slo_cli"
                if not own and not any(_within(name, p) for p in allowed):
                    offenders.append(f"{module} imports {name}")
            elif top in THIRD_PARTY and not any(_within(module, p) for p in THIRD_PARTY[top]):
                offenders.append(f"{module} imports {top}")
    assert offenders == []


def test_the_import_rules_name_only_modules_that_exist() -> None:
    """A rule for a module that was renamed or removed would guard nothing."""
    for name in [*ALLOWED, *(t for targets in ALLOWED.values() for t in targets if t != "*")]:
        path = ROOT / name.replace(".", "/")
        assert path.is_dir() or path.with_suffix(".py").exists(), name


# --- only the CLI prints, exits, reads the clock or the environment ---------------------------

#: (object, attribute) pairs whose use outside slo_cli/cli is I/O or a hidden input; matched on
#: the last two names of a dotted chain, so `datetime.datetime.now` counts as `datetime.now`
FORBIDDEN_ATTRIBUTES = {
    ("sys", "exit"): "exits",
    ("sys", "stdout"): "prints",
    ("sys", "stderr"): "prints",
    ("os", "_exit"): "exits",
    ("typer", "echo"): "prints",
    ("typer", "Exit"): "exits",
    ("time", "time"): "reads the clock",
    ("time", "time_ns"): "reads the clock",
    ("time", "monotonic"): "reads the clock",
    ("time", "perf_counter"): "reads the clock",
    ("time", "sleep"): "reads the clock",
    ("time", "localtime"): "reads the clock",
    ("time", "gmtime"): "reads the clock",
    ("datetime", "now"): "reads the clock",
    ("datetime", "utcnow"): "reads the clock",
    ("datetime", "today"): "reads the clock",
    ("date", "today"): "reads the clock",
    ("os", "environ"): "reads the environment",
    ("os", "getenv"): "reads the environment",
    ("os", "environb"): "reads the environment",
}
#: builtins whose call outside slo_cli/cli is I/O or an exit
FORBIDDEN_CALLS = {"print": "prints", "exit": "exits", "quit": "exits", "input": "reads stdin"}
FORBIDDEN_NAMES = {"SystemExit": "exits"}


def _chain(node: ast.expr) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def _hidden_io(path: Path) -> list[str]:
    """``file:line: what`` for each print, exit, clock read or environment read in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Attribute):
            chain = _chain(node)
            what = FORBIDDEN_ATTRIBUTES.get(tuple(chain[-2:])) if len(chain) >= 2 else None
            if what:
                what = f"{what} ({'.'.join(chain)})"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                what = f"{FORBIDDEN_CALLS[node.func.id]} ({node.func.id}())"
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            what = f"{FORBIDDEN_NAMES[node.id]} ({node.id})"
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "sys", "time", "typer"):
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN_ATTRIBUTES:
                    what = f"imports {node.module}.{alias.name}"
        if what:
            found.append(f"{where}:{getattr(node, 'lineno', 0)}: {what}")
    return found


def test_only_the_cli_prints_exits_reads_the_clock_or_the_environment() -> None:
    """Everything below slo_cli/cli gets `now`, a Clock and an environment mapping handed
    down and returns text, so it can be tested at any instant, in any environment."""
    offenders = []
    for package in ("slo_cli", "slo_specs"):
        for f in _files(package):
            rel = f.relative_to(ROOT)
            if rel.parts[:2] == ("slo_cli", "cli") or rel.name == "__main__.py":
                continue
            offenders += _hidden_io(f)
    assert offenders == []


def test_the_hidden_io_check_sees_each_kind(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime, os, sys, time\nfrom os import environ\n"
        "print('x')\nsys.stdout.write('x')\nsys.exit(1)\nraise SystemExit(2)\n"
        "t = time.time()\nd = datetime.datetime.now()\nv = os.environ['X']\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in _hidden_io(sample)]
    assert sorted(found) == sorted(
        [
            "imports os.environ",
            "prints (print())",
            "prints (sys.stdout)",
            "exits (sys.exit)",
            "exits (SystemExit)",
            "reads the clock (time.time)",
            "reads the clock (datetime.datetime.now)",
            "reads the environment (os.environ)",
        ]
    )
