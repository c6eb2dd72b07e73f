"""Random mutations of the OpenSLO and Sloth examples: only a located SpecError ever comes out."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo_specs.errors import SpecError
from slo_specs.loader import load_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "openslo": list(yaml.safe_load_all((ROOT / "examples/openslo/checkout.yaml").read_text())),
    "sloth": [yaml.safe_load((ROOT / "examples/sloth/search.yaml").read_text())],
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["{{.window}}", "1M", "28d", "Prometheus", "sum(rate(x[{{.window}}]))"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a document (mapping keys and list indexes)."""
    out = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out += _paths(child, (*prefix, index))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> str:
    fmt = draw(st.sampled_from(sorted(EXAMPLES)))
    docs = copy.deepcopy(EXAMPLES[fmt])
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(docs) - 1))
        paths = [p for p in _paths(docs[index]) if p]
        path = draw(st.sampled_from(paths))
        parent = docs[index]
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        else:
            parent[path[-1]] = draw(values)
    return yaml.safe_dump_all(docs, sort_keys=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_foreign_specs_load_or_raise_only_located_spec_errors(text: str) -> None:
    try:
        specs = load_text(text, "mutated.yaml")
    except SpecError as exc:
        assert exc.problems
        lines = text.count("\n") + 1
        for problem in exc.problems:
            assert problem.path == "mutated.yaml"
            assert 1 <= problem.line <= lines and problem.col >= 1
            assert problem.message
    else:
        assert specs and all(spec.slos for spec in specs)
