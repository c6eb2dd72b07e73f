"""Spec files are read with libyaml first (slo_specs.yamlio.read_text ``fast``) and again with
PyYAML's own composer when anything is wrong: the fast read must never accept what the slow one
refuses, and must give the same specs where both accept."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo_specs.loader import CheckReport, _check_paths, check_paths

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(p for p in (ROOT / "examples").rglob("*.y*ml"))
TEXTS = [p.read_text(encoding="utf-8") for p in SPECS]

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: edits that make YAML subtly different: tabs, odd characters, broken quotes, indentation
_CHARS = ["\t", " ", "  ", "\n", "'", '"', ":", "- ", "#", "&a ", "*a", "\x85", "{", "]", "\\"]
_MORE = ["?", "\u2028", "\x07", "\r", "!!str ", "!!int ", "|", ">", "%YAML 1.1\n", "---\n"]
EDITS = st.sampled_from([*_CHARS, *_MORE, "..."])


def _both(path: Path) -> tuple[CheckReport, CheckReport]:
    fast = _check_paths([path], False, None, fast=True)
    slow = _check_paths([path], False, None, fast=False)
    return fast, slow


def _same(fast: CheckReport, slow: CheckReport) -> None:
    assert bool(fast.problems) == bool(slow.problems), (fast.problems, slow.problems)
    if not slow.problems:
        assert [s.model_dump() for s in fast.specs] == [s.model_dump() for s in slow.specs]
        assert fast.warnings == slow.warnings


def test_every_example_reads_the_same_either_way() -> None:
    assert len(SPECS) >= 7
    for path in SPECS:
        _same(*_both(path))
    report = check_paths([ROOT / "examples"])
    assert report.specs and not report.problems


@FUZZ
@given(st.sampled_from(range(len(TEXTS))), st.data())
def test_edited_examples_are_refused_alike(
    tmp_path_factory: pytest.TempPathFactory, which: int, data: st.DataObject
) -> None:
    text = TEXTS[which]
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(EDITS) + text[at + cut :]
    path = tmp_path_factory.mktemp("fast") / SPECS[which].name
    path.write_text(text, encoding="utf-8")
    fast, slow = _both(path)
    _same(fast, slow)
    # what users get is the slow read's problems, wherever they point
    assert check_paths([path]).problems == slow.problems
