"""`slo check --explain COMPOSITE` and the composites' `--details` sparkline, on the recorded
examples (examples/journey.yaml over search/availability and checkout/availability, replayed
from examples/snapshot.json): every member input, every composite figure and every hour's burn
equals the arithmetic done here on the generator's own increments (tests/check/example_data.py),
method by method, never the tool's output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from slo_cli.render.sparkline import sparkline
from tests.check.conftest import EXAMPLES, SNAPSHOT, Run, check, slo
from tests.check.example_data import AT, DAY, HOUR, ExampleData, bad_and_total
from tests.check.test_explain import WINDOWS, _g, _n

#: the members (service, own objective) and the journey's objective
MEMBERS = {"search/availability": 0.995, "checkout/availability": 0.999}
OBJECTIVE = 0.997
WINDOW_S = 30 * DAY
#: a third composite of the same members (not in examples/: the replay needs no new query)
BURN_SUM = """
  - name: burn-sum
    method: weighted_burn
    objective: 99.7
    window: 30d
    members:
      - {slo: search/availability, weight: 0.5}
      - {slo: checkout/availability, weight: 2}
"""
WEIGHTS = {
    "browse-to-checkout": (1.0, 2.0),
    "weakest-step": (1.0, 1.0),
    "burn-sum": (0.5, 2.0),
}
METHOD = {"browse-to-checkout": "weighted", "weakest-step": "least_healthy"}
METHOD["burn-sum"] = "weighted_burn"

Counts = dict[str, tuple[float, float]]


def member_counts(data: ExampleData, start: float, end: float) -> Counts:
    """(bad, total) of each member in (start, end], by hand."""
    return {key: bad_and_total(data, key.split("/")[0], start, end) for key in MEMBERS}


def composite(name: str, counts: Counts) -> tuple[float, float, float]:
    """(bad, total, burn) of the composite `name` from its members' counts, by its method."""
    w = dict(zip(MEMBERS, WEIGHTS[name], strict=True))
    method = METHOD[name]
    if method == "weighted":
        bad = sum(w[k] * b for k, (b, _) in counts.items())
        total = sum(w[k] * t for k, (_, t) in counts.items())
        return bad, total, (bad / total) / (1 - OBJECTIVE)
    if method == "least_healthy":
        worst = max(counts, key=lambda k: counts[k][0] / counts[k][1])
        bad, total = counts[worst]
        return bad, total, (bad / total) / (1 - OBJECTIVE)
    burn = sum(w[k] * (b / t) / (1 - MEMBERS[k]) for k, (b, t) in counts.items())
    total = sum(w[k] * t for k, (_, t) in counts.items())
    return burn * (1 - OBJECTIVE) * total, total, burn


@pytest.fixture(scope="module")
def with_burn_sum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ plus a weighted_burn composite in journey.yaml."""
    root = tmp_path_factory.mktemp("specs") / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("*.json", "ci"))
    journey = root / "journey.yaml"
    journey.write_text(journey.read_text(encoding="utf-8") + BURN_SUM, encoding="utf-8")
    return root


def run_for(name: str, root: Path) -> Callable[..., Run]:
    """`slo check` of examples/ (burn-sum: of the copy holding it) replayed from the snapshot."""

    def run(*args: str) -> Run:
        if name == "burn-sum":
            return slo("check", str(root), "--from", str(SNAPSHOT), *args)
        return check(*args)

    return run


@pytest.mark.parametrize("name", list(METHOD))
def test_explain_composite_json_equals_the_hand_arithmetic(
    example_data: ExampleData, with_burn_sum: Path, name: str
) -> None:
    run = run_for(name, with_burn_sum)("--explain", f"journey/{name}", "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    (got,) = doc["slos"]  # the composite only: its members' figures are in its trace
    assert got["key"] == f"journey/{name}" and got["sli_kind"] == "composite"
    ex = got["explain"]
    assert ex["composite_method"] == METHOD[name]
    windows = [(ex["slo_window"], AT - WINDOW_S)]
    windows += [(w, AT - WINDOWS[w["name"]]) for w in ex["windows"] if w["name"] in WINDOWS]
    assert len(windows) == 1 + len(WINDOWS)
    for w, start in windows:
        counts = member_counts(example_data, start, AT)
        members = {m["slo"]: m for m in w["members"]}
        assert list(members) == list(MEMBERS)
        for key, (b, t) in counts.items():
            m = members[key]
            assert (m["bad_count"], m["total_count"]) == (b, t), (w["name"], key)
            assert m["burn_rate"] == pytest.approx((b / t) / (1 - MEMBERS[key]), rel=1e-12)
        if METHOD[name] == "least_healthy":
            worst = max(counts, key=lambda k: counts[k][0] / counts[k][1])
            assert [k for k, m in members.items() if m["least_healthy"]] == [worst], w["name"]
        bad, total, burn = composite(name, counts)
        assert w["total_count"] == pytest.approx(total, rel=1e-12), w["name"]
        assert w["bad_count"] == pytest.approx(bad, rel=1e-9), w["name"]
        assert w["burn_rate"] == pytest.approx(burn, rel=1e-9), w["name"]
    bad, total, burn = composite(name, member_counts(example_data, AT - WINDOW_S, AT))
    assert got["budget_consumed_ratio"] == pytest.approx(burn, rel=1e-9)
    assert got["budget_remaining_ratio"] == pytest.approx(1 - burn, rel=1e-9)
    assert ex["equations"]["burn_rate"] == "burn = (bad ÷ total) ÷ (1 − objective)"
    # the queries are the members': a composite sends none of its own
    assert doc["queries"]["queries"] and all(
        "search" in q["query"] or "checkout" in q["query"] for q in doc["queries"]["queries"]
    )


def test_explain_weighted_composite_text(example_data: ExampleData) -> None:
    run = check("--explain", "journey/browse-to-checkout")
    assert run.code == 0, run.stderr
    text = run.stdout
    assert "method weighted (weighted events): total = Σ wᵢ × totalᵢ per bin" in text
    assert "member checkout/availability ×2: objective 99.9% = 0.999; its own status OK" in text
    for name, length in [("window", WINDOW_S), *WINDOWS.items()]:
        counts = member_counts(example_data, AT - length, AT)
        (bs, ts), (bc, tc) = counts.values()
        bad, total, burn = composite("browse-to-checkout", counts)
        line = f"total = Σ wᵢ × totalᵢ = 1 × {_n(ts)} + 2 × {_n(tc)} = {_n(total)}; "
        line += f"good = 1 × {_n(ts - bs)} + 2 × {_n(tc - bc)} = {_n(total - bad)}"
        assert line in text, name
        member = f"checkout/availability ×2: good {_n(tc - bc)}, total {_n(tc)}, bad {_n(bc)}; "
        member += f"burn = ({_n(bc)} ÷ {_n(tc)}) ÷ (1 − 0.999) = {_g((bc / tc) / 0.001)}"
        assert member in text, name
        if name != "window":
            assert f"burn = ({_n(bad)} ÷ {_n(total)}) ÷ (1 − 0.997) = {_g(burn)}" in text, name
    assert "Gate: fail on page (default) → passes; exit code 0" in text
    assert "Queries (" in text and "replayed from snapshot examples/snapshot.json" in text


def test_explain_least_healthy_text_names_the_pick_per_window(example_data: ExampleData) -> None:
    run = check("--explain", "weakest-step")  # a name unique among SLOs and composites
    assert run.code == 0, run.stderr
    text = run.stdout
    assert "method least_healthy (least healthy member): over each window pick = argmax" in text
    counts = member_counts(example_data, AT - HOUR, AT)
    b, t = counts["search/availability"]  # search's slow burn: the least healthy every window
    assert b / t > counts["checkout/availability"][0] / counts["checkout/availability"][1]
    assert f"search/availability: good {_n(t - b)}, total {_n(t)}, bad {_n(b)}; " in text
    assert f"bad ÷ total = {_g(b / t)}; burn = ({_n(b)} ÷ {_n(t)}) ÷ (1 − 0.995)" in text
    assert text.count("pick = argmax badᵢ ÷ totalᵢ = search/availability") == 1 + len(WINDOWS)
    assert f"burn = ({_n(b)} ÷ {_n(t)}) ÷ (1 − 0.997) = {_g((b / t) / 0.003)}" in text
    # ticket 3d/6h fires on the slow burn (threshold 1): a warning, the default gate passes
    assert "ticket 3d/6h: threshold = 0.1 × 2,592,000 ÷ 259,200 = 1;" in text
    assert "Status WARNING (alerts firing: ticket 3d/6h)" in text


def test_explain_weighted_burn_text(example_data: ExampleData, with_burn_sum: Path) -> None:
    run = slo("check", str(with_burn_sum), "--from", str(SNAPSHOT), "--explain", "burn-sum")
    assert run.code == 0, run.stderr
    counts = member_counts(example_data, AT - WINDOW_S, AT)
    (bs, ts), (bc, tc) = counts.values()
    burns = ((bs / ts) / 0.005, (bc / tc) / 0.001)
    _, total, burn = composite("burn-sum", counts)
    assert f"burn = Σ wᵢ × burnᵢ = 0.5 × {_g(burns[0])} + 2 × {_g(burns[1])} = {_g(burn)}" in (
        run.stdout
    )
    assert f"total = Σ wᵢ × totalᵢ = 0.5 × {_n(ts)} + 2 × {_n(tc)} = {_n(total)}" in run.stdout
    assert f"bad = burn × (1 − objective) × total = {_g(burn)} × (1 − 0.997) × " in run.stdout


def test_unknown_composite_suggests_the_close_names() -> None:
    run = check("--explain", "journey/weakest-stp")
    assert run.code == 2 and "did you mean journey/weakest-step" in run.stderr


@pytest.mark.parametrize("name", list(METHOD))
def test_details_sparkline_of_a_composite(
    example_data: ExampleData, with_burn_sum: Path, name: str
) -> None:
    """Each hour is one more window of the method (docs/check.md): its burn by hand."""
    run = run_for(name, with_burn_sum)("--details", "--select", f"journey/{name}")
    text = run.stdout
    block = text[text.index(f"journey/{name} ") :]
    line = next(x for x in block.splitlines() if "burn, last 24 h" in x)
    burns = []
    for k in range(24, 0, -1):
        counts = member_counts(example_data, AT - k * HOUR, AT - (k - 1) * HOUR)
        burns.append(composite(name, counts)[2])
    assert sparkline(burns) in line, (burns, line)
    assert f"max {max(burns):.3g}×" in line
