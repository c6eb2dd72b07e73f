"""Composite SLOs in specs: the written form, every validation error at its exact file:line:col
through the real CLI, references across files, and selection bringing members along."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]

MEMBERS = """\
version: slo/v1
service: shop
slos:
  - name: browse
    objective: 99
    window: 30d
    sli: {ratio: {bad: 'req_total{code="500",page="browse"}', total: 'req_total{page="browse"}'}}
  - name: pay
    objective: 99.9
    window: 7d
    sli: {ratio: {bad: 'req_total{code="500",page="pay"}', total: 'req_total{page="pay"}'}}
  - name: probe
    objective: 99
    window: 30d
    budgeting: timeslices
    sli: {timeslices: {query: 'up', good_when: '>= 1'}}
"""

JOURNEY = """\
version: slo/v1
service: journey
composites:
  - name: buy
    objective: 99.5
    window: 30d
    members:
      - slo: shop/browse
      - slo: shop/pay
        weight: 2
"""


def _write(tmp_path: Path, **files: str) -> list[str]:
    out = []
    for name, text in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        out.append(str(path))
    return out


def test_composite_across_files_is_valid(tmp_path: Path) -> None:
    paths = _write(tmp_path, shop=MEMBERS, journey=JOURNEY)
    run = slo("validate", *paths)
    assert run.code == 0, run.stderr
    assert run.stdout == "2 file(s) valid: 2 service(s), 3 SLO(s), 1 composite(s)\n"
    doc = json.loads(slo("validate", "--format", "json", *paths).stdout)
    assert doc["composites"] == ["journey/buy"]


BAD = """\
version: slo/v1
service: shop
slos:
  - name: browse
    objective: 99
    window: 30d
    sli: {ratio: {bad: 'a{code="500"}', total: 'a'}}
  - name: probe
    objective: 99
    window: 30d
    budgeting: timeslices
    sli: {timeslices: {query: 'up', good_when: '>= 1'}}
  - name: grouped
    objective: 99
    window: 30d
    group_by: [host]
    sli: {ratio: {bad: 'a{code="500"}', total: 'a'}}
composites:
  - name: journey
    objective: 99.5
    window: 30d
    members:
      - slo: browze
      - slo: browse
      - slo: shop/browse
      - slo: probe
      - slo: journey
      - slo: other
      - slo: grouped
  - name: other
    objective: 99.5
    window: 30d
    members: [{slo: browse}, {slo: probe}]
"""


def test_member_problems_are_located_at_the_member(tmp_path: Path) -> None:
    (path,) = _write(tmp_path, bad=BAD)
    run = slo("validate", path)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    lines = [line.removeprefix(path) for line in run.stdout.splitlines()[:-1]]
    assert lines == [
        ":23:14: composites[0].members[0].slo: unknown member 'shop/browze': no SLO of that "
        "service/name is loaded (did you mean 'shop/browse'?)",
        ":25:14: composites[0].members[2].slo: duplicate member 'shop/browse' (also members[1])",
        ":26:14: composites[0].members[3].slo: member 'shop/probe' is budgeted by timeslices, "
        "members[1] by occurrences: a composite's members share one budgeting method",
        ":27:14: composites[0].members[4].slo: a composite cannot be its own member",
        ":28:14: composites[0].members[5].slo: member 'shop/other' is a composite: composites "
        "of composites are not supported (list its members here instead)",
        ":29:14: composites[0].members[6].slo: member 'shop/grouped' is a grouped SLO "
        "(group_by): its groups are only known after the query; a composite needs SLOs of one "
        "series each",
        ":33:36: composites[1].members[1].slo: member 'shop/probe' is budgeted by timeslices, "
        "members[0] by occurrences: a composite's members share one budgeting method",
    ]


WEIGHT = ":10:17: composites[0].members[1].weight: a weight must be a positive number, got "


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("        weight: 2", ""),
        ("        weight: 0", WEIGHT + "0"),
        ("        weight: -1", WEIGHT + "-1"),
    ],
)
def test_weights_must_be_positive(tmp_path: Path, change: str, expected: str) -> None:
    text = JOURNEY.replace("        weight: 2", change)
    paths = _write(tmp_path, shop=MEMBERS, journey=text)
    run = slo("validate", *paths)
    if change.endswith(" 2"):
        assert run.code == 0, run.stdout
        return
    assert run.code == 2
    assert run.stdout.splitlines()[0] == paths[1] + expected


def test_shape_errors(tmp_path: Path) -> None:
    one = JOURNEY.replace("      - slo: shop/pay\n        weight: 2\n", "")
    method = JOURNEY.replace("    window: 30d\n", "    window: 30d\n    method: worst\n")
    clash = MEMBERS + "composites:\n  - {name: pay, objective: 99, window: 30d, members: " \
        "[{slo: browse}, {slo: probe}]}\n"  # fmt: skip
    paths = _write(tmp_path, one=one, method=method, clash=clash)
    for path, expected in zip(
        paths,
        [
            ":8:7: composites[0].members: must have at least 2 items, got 1",
            ":7:13: composites[0].method: must be one of 'weighted', 'least_healthy' or "
            "'weighted_burn', got 'worst'",
            ":18:12: composites[0].name: duplicate SLO name 'pay' (also slos[1])",
        ],
        strict=True,
    ):
        run = slo(
            "validate", path, *([] if "clash" in path else [_write(tmp_path, shop=MEMBERS)[0]])
        )
        assert run.code == 2, path
        assert run.stdout.splitlines()[0] == path + expected, run.stdout


def test_select_a_composite_brings_its_members(tmp_path: Path) -> None:
    """`--select journey/buy` evaluates its members too (its counts are theirs)."""
    from slo_cli.cli.selection import select_slos
    from slo_specs import load_paths

    specs = load_paths(_write(tmp_path, shop=MEMBERS, journey=JOURNEY))
    chosen = select_slos(specs, ["journey/buy"], [])
    keys = sorted(s.key for spec in chosen for s in spec.slos)
    assert keys == ["shop/browse", "shop/pay"]
    assert [c.key for spec in chosen for c in spec.composites] == ["journey/buy"]
    only = select_slos(specs, ["shop/pay"], [])
    assert [c.key for spec in only for c in spec.composites] == []
