"""`slo check --explain` on a real Prometheus where counting was hard: `ledger` instance a has
scrape gaps (tests/datagen.add_gap_stories). The explanation must give the generator's counts,
name the bins counted again from raw samples and the bridged gaps, and explain each group of a
grouped SLO on its own."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.clirun import slo
from tests.datagen import DAY, END, SharedData
from tests.prom.test_scrape_gaps import A_GOOD, A_TOTAL, BOTH, BOTH_TOTAL, expected_note, truth
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

AT = END - 137.0
EVAL_END = math.floor(AT / 60) * 60


def _spec(tmp_path: Path, ratio: dict[str, str], group_by: list[str] | None = None) -> Path:
    slo_doc: dict[str, object] = {"name": "s", "objective": 99.0, "window": "30d"}
    slo_doc["sli"] = {"ratio": ratio}
    if group_by:
        slo_doc["group_by"] = group_by
    path = tmp_path / "ledger.yaml"
    doc = {"version": "slo/v1", "service": "ledger", "slos": [slo_doc]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _explain(prometheus: Server, path: Path, target: str, *extra: str) -> tuple[int, str]:
    run = slo(
        "check", str(path), "--prometheus-url", prometheus.url, "--at", str(AT),
        "--explain", target, *extra,
    )  # fmt: skip
    assert run.code in (0, 1, 4), run.stderr
    return run.code, run.stdout


def test_explain_names_refined_bins_and_bridged_gaps(
    prometheus: Server, shared_data: SharedData, tmp_path: Path
) -> None:
    path = _spec(tmp_path, {**A_GOOD, "total": A_TOTAL})
    _, out = _explain(prometheus, path, "ledger/s", "--format", "json")
    (got,) = json.loads(out)["slos"]
    series = [
        s
        for s in shared_data.dataset.select("ledger_requests_total")
        if s.labels["instance"] == "a"
    ]
    good, total = truth(series, EVAL_END - 30 * DAY, EVAL_END)
    window = got["explain"]["slo_window"]
    assert (window["good_count"], window["total_count"]) == (good, total)
    assert window["refined_bins"], "the gaps' bins are counted from raw samples"
    every = shared_data.dataset.select("ledger_requests_total")
    for gap in ("3d", "2h30m", "10m"):
        assert expected_note(every, gap) in got["notes"], gap
    kinds = {q["kind"] for q in json.loads(out)["queries"]["queries"]}
    assert {"range", "instant"} <= kinds  # the raw-sample follow-ups are listed as sent
    _, text = _explain(prometheus, path, "ledger/s")
    assert "counted again from raw samples" in text and "note: scrape gap" in text


def test_explain_a_group_of_a_grouped_slo(
    prometheus: Server, shared_data: SharedData, tmp_path: Path
) -> None:
    path = _spec(tmp_path, {**BOTH, "total": BOTH_TOTAL}, ["instance"])
    series = shared_data.dataset.select("ledger_requests_total")
    _, out = _explain(prometheus, path, 'ledger/s{instance="b"}', "--format", "json")
    (got,) = json.loads(out)["slos"]
    assert got["key"] == 'ledger/s{instance="b"}'
    b = [s for s in series if s.labels["instance"] == "b"]
    good, total = truth(b, EVAL_END - 30 * DAY, EVAL_END)
    window = got["explain"]["slo_window"]
    assert (window["good_count"], window["total_count"]) == (good, total)
    _, both = _explain(prometheus, path, "ledger/s", "--format", "json")
    keys = [r["key"] for r in json.loads(both)["slos"]]
    assert keys == ['ledger/s{instance="a"}', 'ledger/s{instance="b"}']
    run = slo(
        "check", str(path), "--prometheus-url", prometheus.url, "--at", str(AT),
        "--explain", 'ledger/s{instance="c"}',
    )  # fmt: skip
    assert run.code == 2 and "no such group" in run.stderr
