"""The one planner (slo_cli/plan.py): every command names a window the same way, counts in the
same unit and decides statuses with the same thresholds, and `slo snapshot` records exactly the
requests `slo check` and `slo report` send."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import jsonschema
import pytest

from slo_cli.evaluate import evaluate
from slo_cli.plan import check_needs, plan, report_needs, requests
from slo_cli.render.json_out import SCHEMA_FILE, check_document
from slo_cli.report.build import build_report
from slo_cli.report.period import resolve_period
from slo_cli.results import WARN_REMAINING
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_specs import load_paths, load_text
from tests.check.conftest import slo
from tests.report.test_build import AT, SPEC, Synthetic

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ("--from", "examples/snapshot.json")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)
    monkeypatch.chdir(ROOT)


def test_check_and_report_name_every_window_the_same() -> None:
    check = json.loads(slo("check", "examples/", *SNAPSHOT, "--format", "json").stdout)
    report = json.loads(
        slo("report", "examples/", *SNAPSHOT, "--period", "7d", "--format", "json").stdout
    )
    in_check = {s["key"]: s["window"] for s in check["slos"]}
    in_report = {s["key"]: s["window"] for s in report["slos"]}
    assert in_check == in_report
    # as written in the specs: rolling as a duration, calendar windows with their zone
    assert in_check["auth/availability"] == "7d"  # `window: 7d` (never `1w`, see issue 15)
    assert in_check["auth/probe-uptime"] == "week (UTC)"
    assert in_check["payments/availability"] == "month (Europe/Berlin)"


RATIO_TIMESLICES = SPEC.split("  - name: thin")[0].replace(
    "    window: 7d\n", "    window: 7d\n    budgeting: ratio_timeslices\n"
    "    timeslice: {slice: 1m}\n"
)  # fmt: skip


def test_ratio_timeslices_count_seconds_in_check_and_report() -> None:
    # the engine weighs each bin's good ÷ total ratio by its width: good-seconds of seconds
    specs = load_text(RATIO_TIMESLICES)
    [r] = evaluate(specs, Synthetic(0.0), AT).slos
    doc = check_document(evaluate(specs, Synthetic(0.0), AT))
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    [record] = doc["slos"]
    period = resolve_period("7d", AT)
    [s] = build_report(specs, Synthetic(0.0), period, at=AT, generated_at=AT).slos
    assert r.count_unit == record["count_unit"] == s.count_unit == "seconds"
    # 7 days of seconds with traffic, at the minute the check evaluates at
    assert r.total == pytest.approx(7 * 86400.0, rel=1e-12)


def test_statuses_and_summaries_use_the_one_warning_threshold() -> None:
    specs = load_text(SPEC)
    results = evaluate(specs, Synthetic(0.0), AT).slos
    assert {r.warn_remaining for r in results} == {WARN_REMAINING}
    rep = build_report(specs, Synthetic(0.0), resolve_period("7d", AT), at=AT, generated_at=AT)
    assert rep.summary.at_risk_below == WARN_REMAINING


class Recording(Synthetic):
    """Synthetic counts, remembering the requests asked for."""

    def __init__(self) -> None:
        super().__init__(0.0)
        self.asked: list[FetchRequest] = []

    def fetch(
        self, requests: Sequence[FetchRequest], progress: object = None
    ) -> list[SeriesCounts]:
        self.asked += requests
        return super().fetch(requests, progress)


def _same(a: Sequence[FetchRequest], b: Sequence[FetchRequest]) -> bool:
    return [r.key for r in a] == [r.key for r in b] and all(
        x.edges.tobytes() == y.edges.tobytes() for x, y in zip(a, b, strict=True)
    )


def test_check_and_report_fetch_what_the_plan_says() -> None:
    specs = load_paths([ROOT / "examples"])
    at = 1_795_176_000.0 + 17.0  # not on a minute: the check floors it
    src = Recording()
    evaluate(specs, src, at)
    assert _same(src.asked, requests(plan(specs, check_needs(at))))
    period = resolve_period("week", at)
    src = Recording()
    build_report(specs, src, period, at=at, generated_at=at)
    assert _same(src.asked, requests(plan(specs, report_needs(period))))
