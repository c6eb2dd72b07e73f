"""Budget adjustments, closed form: the engine's exclusion, the planner's edges (a weekly
maintenance window in Europe/Berlin across the October 2026 DST change) and the figures every
output reads, all against hand arithmetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from slo_cli.engine.adjust import exclude, excluded_sums, exclusion_mask
from slo_cli.evaluate import run_engine
from slo_cli.plan import check_needs, plan, report_needs
from slo_cli.sources.model import SeriesCounts
from slo_specs import load_text

H = 3600.0


def _utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()


def test_mask_takes_whole_bins_and_flags_partial_ones() -> None:
    edges = np.array([0.0, 60, 120, 180, 240, 300])
    mask, partial = exclusion_mask(edges, [(60.0, 180.0), (170.0, 200.0), (300.0, 400.0)])
    assert mask.tolist() == [False, True, True, False, False]
    assert partial.tolist() == [False, False, False, True, False]  # 180-240 holds the edge 200


def test_excluded_bins_have_no_events_but_count_as_observed() -> None:
    from slo_cli import engine

    edges = np.arange(0.0, 72 * H + 1, 60.0)  # 3 days of minutes
    hour = np.repeat(np.arange(72), 60)
    good = np.where(hour == 1, np.nan, np.where(hour == 2, 5.0, 9.95))[None, :]
    total = np.where(hour == 1, np.nan, 10.0)[None, :]  # no data in hour 1
    mask = ((hour == 1) | (hour == 2))[None, :]  # hours 1 and 2 are excluded
    g, t = exclude(good, total, mask)
    res = engine.evaluate(
        edges,
        g,
        t,
        end=72 * H,
        objective=np.array([0.99]),
        window_start=np.array([0.0]),
        window_s=np.array([72 * H]),
    )
    assert res.total.tolist() == [70 * 600.0]
    assert res.bad.tolist() == pytest.approx([70 * 60 * 0.05])
    assert res.coverage["window"].tolist() == [1.0]  # the gap lies inside the adjustment
    assert res.remaining.tolist() == pytest.approx([1 - 210 / 420])
    out = excluded_sums(edges, good, total, mask, start=0.0, end=72 * H)
    assert out.total.tolist() == [600.0] and out.bad.tolist() == [300.0]
    assert out.unknown_s.tolist() == [H]


SPEC = """version: slo/v1
service: shop
adjustments:
  - reason: weekly maintenance
    rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0
    duration: 2h
    timezone: Europe/Berlin
slos:
  - name: availability
    objective: 99
    window: 28d
    sli:
      ratio:
        bad: errors_total
        total: requests_total
    adjustments:
      - reason: upstream outage
        start: 2026-10-28T10:00:30Z
        end: 2026-10-28T11:00:00Z
"""
AT = _utc("2026-11-03T12:00:00")
#: the maintenance windows of the 28 days before AT, written out by hand: 03:00-05:00 Berlin is
#: 01:00-03:00 UTC under CEST (UTC+2, until 2026-10-25 03:00 local) and 02:00-04:00 under CET
WINDOWS = [
    (_utc("2026-10-11T01:00:00"), _utc("2026-10-11T03:00:00")),
    (_utc("2026-10-18T01:00:00"), _utc("2026-10-18T03:00:00")),
    (_utc("2026-10-25T02:00:00"), _utc("2026-10-25T04:00:00")),
    (_utc("2026-11-01T02:00:00"), _utc("2026-11-01T04:00:00")),
]


def test_planner_makes_the_dst_shifted_windows_bin_edges() -> None:
    [p] = plan(load_text(SPEC), check_needs(AT))
    weekly, outage = p.adjustments
    assert list(weekly.intervals) == WINDOWS
    assert outage.intervals == ((_utc("2026-10-28T10:00:30"), _utc("2026-10-28T11:00:00")),)
    edges = set(p.edges.tolist())
    assert all(a in edges and b in edges for a, b in WINDOWS)
    assert _utc("2026-10-28T10:00:00") in edges  # floored to the minute: the bin is partial


def _counts(p: object, bad_rate: dict[tuple[float, float], float]) -> SeriesCounts:
    edges = p.edges  # type: ignore[attr-defined]
    width = np.diff(edges)
    total = width * 2.0  # 2 events per second
    bad = width * 0.002  # 0.1 % errors
    for (a, b), rate in bad_rate.items():  # `rate` bad a second in (a, b), whatever the bins
        overlap = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0.0, None)
        bad += overlap * (rate - 0.002)
    return SeriesCounts(p.slo.key, edges, total - bad, total)  # type: ignore[attr-defined]


def test_check_figures_exclude_the_windows_exactly() -> None:
    [p] = plan(load_text(SPEC), check_needs(AT))
    incident = (_utc("2026-10-25T02:00:00"), _utc("2026-10-25T03:00:00"))  # inside a window
    before = (_utc("2026-11-01T01:00:00"), _utc("2026-11-01T02:00:00"))  # CEST time, not CET
    [r] = run_engine([p], [_counts(p, {incident: 1.0, before: 1.0})])
    # by hand: 28 days at 2/s; 4 windows of 2 h excluded (the outage's partial bin is not)
    window_s = 28 * 86400.0
    excluded_s = 4 * 2 * H + 59 * 60  # + the outage's whole minutes 10:01-11:00
    total = (window_s - excluded_s) * 2.0
    bad_kept = (window_s - excluded_s - H) * 0.002 + H * 1.0  # `before` counts in full
    assert r.total == pytest.approx(total, rel=1e-12)
    assert r.total - r.good == pytest.approx(bad_kept, rel=1e-12)
    assert r.remaining == pytest.approx(1 - bad_kept / (0.01 * total), rel=1e-12)
    adj = r.adjustments
    assert adj is not None and adj.partial and not r.exact
    assert any("not a whole minute" in n for n in r.notes)
    assert adj.events == pytest.approx(excluded_s * 2.0, rel=1e-12)
    bad_out = H * 1.0 + (excluded_s - H) * 0.002  # the incident hour + the rest
    assert adj.bad == pytest.approx(bad_out, rel=1e-12)
    without = (bad_kept + bad_out) / (0.01 * window_s * 2.0)
    assert adj.consumed_without == pytest.approx(without, rel=1e-12)
    assert adj.returned == pytest.approx(without - (1 - r.remaining), rel=1e-12)
    weekly = adj.applied[0]
    assert weekly.kind == "recurring" and weekly.intervals == tuple(WINDOWS)
    assert weekly.origin == "<string>:4"
    assert weekly.events == pytest.approx(4 * 2 * H * 2.0, rel=1e-12)


def test_report_period_figures_use_the_adjusted_counts() -> None:
    from slo_cli.report.build import _slo_report
    from slo_cli.report.period import resolve_period

    period = resolve_period("week", AT, "Europe/Berlin")  # Mon 26 Oct - Mon 2 Nov, local
    [p] = plan(load_text(SPEC), report_needs(period))
    incident = (_utc("2026-11-01T02:00:00"), _utc("2026-11-01T03:00:00"))
    rep = _slo_report(p, _counts(p, {incident: 1.0}), period, ("OK", "none"), 1.0)
    adj = rep.adjustments
    assert adj is not None
    assert [u.intervals for u in adj.applied] == [
        (WINDOWS[3],),
        ((_utc("2026-10-28T10:00:30"), _utc("2026-10-28T11:00:00")),),
    ]
    span = period.end - period.start
    assert span == 7 * 86400.0
    assert rep.current.total == pytest.approx((span - 2 * H - 59 * 60) * 2.0, rel=1e-12)
    assert rep.current.consumed_count == pytest.approx((span - 2 * H - 59 * 60) * 0.002, rel=1e-9)
    assert not rep.events  # the incident lies inside the maintenance window: no burn event
    assert not rep.exact
