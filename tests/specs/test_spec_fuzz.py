"""Random and mutated documents thrown at the loader: only SpecError ever comes out, and every
problem has a real position and a one-line message in our words (no pydantic jargon)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo_specs.errors import SpecError
from slo_specs.loader import load_text

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
DOCUMENTS = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES]

KEYS = st.sampled_from(
    ["version", "service", "slos", "name", "objective", "window", "sli", "ratio", "good", "bad",
     "total", "latency", "threshold", "calendar", "timezone", "budgeting", "gate", "x", "labels"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(
        ["slo/v1", "30d", "5m", "0s", "99.9", ">= 1", "{{window}}", "month", 'up{a="b"}']
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    try:
        load_text(text, "fuzz.yaml")
    except SpecError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1, problem
            assert problem.path == "fuzz.yaml"
            assert "\n" not in problem.message, problem
            assert "Input should" not in problem.message, problem


@FUZZ
@given(st.text(max_size=200))
def test_random_text_gives_only_spec_errors(text: str) -> None:
    _check(text)


@FUZZ
@given(VALUES)
def test_random_yaml_values_give_only_spec_errors(value: Any) -> None:
    _check(yaml.safe_dump(value))


@FUZZ
@given(VALUES)
def test_random_values_under_a_valid_version_give_only_spec_errors(value: Any) -> None:
    document = value if isinstance(value, dict) else {"slos": value}
    _check(yaml.safe_dump({"version": "slo/v1", **document}))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for part in path[:-1]:
        node = node[part]
    return node


@FUZZ
@given(
    st.sampled_from(range(len(DOCUMENTS))),
    st.data(),
    st.sampled_from(["delete", "rename", "replace"]),
    VALUES,
    KEYS | st.text(min_size=1, max_size=10),
)
def test_mutated_examples_give_only_spec_errors(
    index: int, data: st.DataObject, how: str, value: Any, new_key: str
) -> None:
    document = copy.deepcopy(DOCUMENTS[index])
    path = data.draw(st.sampled_from(_paths(document)))
    parent = _parent(document, path)
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[new_key] = parent.pop(last)
    else:
        parent[last] = value
    _check(yaml.safe_dump(document))


def test_the_mutation_base_is_valid() -> None:
    # Mutations start from documents that load, so every error found comes from the mutation.
    for document in DOCUMENTS:
        assert load_text(yaml.safe_dump(document))
