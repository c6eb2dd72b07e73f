"""`slo report`'s figures are the engine's: burn events come from `slo_cli.engine`'s one
definition (spied, and compared with a direct engine call on the same arrays), and they reconcile
exactly with the period's consumed budget.

Rule (docs/design.md §2): events are the maximal runs of hourly event bins burning at ≥ the
threshold, so Σ events' bad events = the bad events of the period's burning bins ≤ the period's
bad events, equal when every bin holding a bad event burns at ≥ the threshold.
"""

from __future__ import annotations

import numpy as np
import pytest

from slo_cli import engine
from slo_cli.engine import periods
from slo_cli.report.build import build_report
from slo_cli.report.period import resolve_period
from slo_specs import load_text
from tests.report.test_build import AT, INCIDENT, SPEC, Synthetic


def _report(threshold: float = 1.0):  # type: ignore[no-untyped-def]
    period = resolve_period("week", AT, "Europe/Berlin")
    source = Synthetic(thin_from=0.0)  # both SLOs have data everywhere
    report = build_report(
        load_text(SPEC), source, period, at=AT, generated_at=AT, burn_threshold=threshold
    )
    return report, source, period


def test_the_reports_events_are_the_engines_burn_events(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[float, float, float]] = []
    real = periods.events_of

    def spy(c, start, end, window_start, threshold=1.0, bin_s=periods.EVENT_BIN_S):  # type: ignore[no-untyped-def]
        calls.append((start, end, threshold))
        return real(c, start, end, window_start, threshold, bin_s)

    monkeypatch.setattr(periods, "events_of", spy)
    report, source, period = _report()
    assert calls == [(period.start, period.end, 1.0)] * len(report.slos)

    # the same arrays straight into the engine's public function give the same events
    from slo_cli.plan import plan, report_needs, requests

    planned = plan(load_text(SPEC), report_needs(period))
    counts = source.fetch(requests(planned))
    for p, c, s in zip(planned, counts, report.slos, strict=True):
        [direct] = engine.burn_events(
            p.edges,
            np.asarray(c.good),
            np.asarray(c.total),
            objective=p.slo.objective,
            window_start=p.window.start,
            period_start=period.start,
            period_end=period.end,
        )
        assert s.events == direct
    rolling = report.slos[0]
    assert [(e.start, e.end) for e in rolling.events] == [INCIDENT]  # 5 % bad: burn 50


def test_events_reconcile_exactly_with_the_periods_consumed_budget() -> None:
    # at 1×: only the incident burns (the 0.05 % background burns 0.5), so the events hold
    # exactly the incident's bad events: 3 h × 3,600 /s × 5 % = 540, fewer than the period's
    report, _, _ = _report(1.0)
    for s in report.slos:
        spent = sum(e.consumed_count for e in s.events)
        assert spent == pytest.approx(540.0, rel=1e-12)
        assert spent < s.current.consumed_count
        assert sum(e.consumed for e in s.events) < s.current.consumed
    # at 0.1×: every bin holding a bad event burns (background 0.5 ≥ 0.1), so the events are
    # one run over the whole period and add up to the period's consumption (float sums)
    report, _, _ = _report(0.1)
    for s in report.slos:
        [e] = s.events
        assert e.clipped_start and e.clipped_end
        assert e.consumed_count == pytest.approx(s.current.consumed_count, rel=1e-12)
        assert e.consumed == pytest.approx(s.current.consumed, rel=1e-12)
