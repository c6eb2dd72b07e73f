"""The report's figures on synthetic counts whose every sum is known in closed form: one event
per second, 0.05 % of them bad, a 3-hour incident at 5 % bad, and no data before a given instant.
The week is ISO week 13 of 2026 in Berlin, which loses an hour to the spring DST change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pytest

from slo_cli.report.build import build_report
from slo_cli.report.period import resolve_period
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_specs import load_text

HOUR, DAY = 3600.0, 86400.0
AT = datetime.fromisoformat("2026-04-01T10:00:00+02:00").timestamp()
WEEK = (
    datetime.fromisoformat("2026-03-23T00:00:00+01:00").timestamp(),
    datetime.fromisoformat("2026-03-30T00:00:00+02:00").timestamp(),
)
INCIDENT = (
    datetime.fromisoformat("2026-03-26T09:00:00+01:00").timestamp(),
    datetime.fromisoformat("2026-03-26T12:00:00+01:00").timestamp(),
)
BASE_BAD, INCIDENT_BAD = 0.0005, 0.05  # bad share of the 1 event/s
SPEC = """\
version: slo/v1
service: api
slos:
  - name: rolling
    objective: 99.9
    window: 7d
    sli: {ratio: {bad: 'x_total{code="500"}', total: 'x_total'}}
  - name: thin
    objective: 99.9
    window: 30d
    sli: {ratio: {bad: 'y_total{code="500"}', total: 'y_total'}}
"""


class Synthetic:
    """A Source whose counts on any grid are integrals of the rates above; `thin` has no data
    before `thin_from`. RatioTimeslices with a slice length get the sliced form (as
    slo_cli.sources.slices delivers it)."""

    def __init__(self, thin_from: float) -> None:
        self.thin_from = thin_from

    def fetch(
        self, requests: Sequence[FetchRequest], progress: object = None
    ) -> list[SeriesCounts]:
        out = []
        for req in requests:
            lo, hi = req.edges[:-1], req.edges[1:]
            total = hi - lo
            overlap = np.clip(np.minimum(hi, INCIDENT[1]) - np.maximum(lo, INCIDENT[0]), 0, None)
            bad = total * BASE_BAD + overlap * (INCIDENT_BAD - BASE_BAD)
            good = total - bad
            ts = req.slo.timeslice
            if req.slo.budgeting == "ratio_timeslices" and ts is not None:
                # the sources' slice form: per bin the sum of its slices' ratios and their
                # number; at 1 event/s a minute-aligned slice of S s holds S events, so the
                # ratios sum to good ÷ S and the slices number total ÷ S
                good, total = good / ts.slice, total / ts.slice
            if req.slo.name == "thin":
                missing = hi <= self.thin_from
                good, total = np.where(missing, np.nan, good), np.where(missing, np.nan, total)
            out.append(SeriesCounts(req.key, req.edges, good, total))
        return out

    def close(self) -> None:
        pass


def bad_between(a: float, b: float) -> float:
    overlap = max(0.0, min(b, INCIDENT[1]) - max(a, INCIDENT[0]))
    return (b - a) * BASE_BAD + overlap * (INCIDENT_BAD - BASE_BAD)


@pytest.fixture(scope="module")
def slos() -> dict:
    specs = load_text(SPEC)
    period = resolve_period("week", AT, "Europe/Berlin")
    thin_from = WEEK[0] - 10 * DAY  # 30d window: only 17 of its 30 days have data
    rep = build_report(specs, Synthetic(thin_from), period, at=AT, generated_at=AT)
    assert (rep.period.start, rep.period.end) == WEEK
    return {s.name: s for s in rep.slos}


def test_a_dst_week_counts_167_hours(slos: dict) -> None:
    cur = slos["rolling"].current
    assert cur.total == 167 * HOUR  # one event per second of a week an hour short
    assert cur.consumed_count == pytest.approx(bad_between(*WEEK), rel=1e-12)
    # rolling 7 days = 168 h: the window at the week's end reaches an hour into the week before
    window_total = 7 * DAY
    budget = 0.001 * window_total
    assert cur.budget_count == pytest.approx(budget, rel=1e-12)
    assert cur.consumed == pytest.approx(bad_between(*WEEK) / budget, rel=1e-12)
    window_bad = bad_between(WEEK[1] - 7 * DAY, WEEK[1])
    assert cur.remaining == pytest.approx(1 - window_bad / budget, rel=1e-12)


def test_the_incident_is_one_event_on_its_hours(slos: dict) -> None:
    s = slos["rolling"]
    [event] = s.events
    assert (event.start, event.end) == INCIDENT
    assert event.peak_burn_rate == pytest.approx(INCIDENT_BAD / 0.001, rel=1e-12)
    budget = 0.001 * 7 * DAY
    assert event.consumed == pytest.approx(3 * HOUR * INCIDENT_BAD / budget, rel=1e-12)
    assert event.consumed_minutes == pytest.approx(event.consumed * 7 * 1440 * 0.001, rel=1e-12)
    # 0.05 % all week is half the budget; the incident (540 bad) adds 0.89: overspent
    assert s.current.remaining < 0 and s.status == "CRITICAL"
    assert s.trend == "worse"
    assert s.previous.consumed == pytest.approx(
        bad_between(WEEK[0] - 7 * DAY, WEEK[0]) / (0.001 * 7 * DAY), rel=1e-12
    )


def test_partial_data_is_said_and_budgets_count_only_what_was_seen(slos: dict) -> None:
    s = slos["thin"]
    seen = WEEK[1] - (WEEK[0] - 10 * DAY)  # seconds of the 30-day window with data
    assert s.current.window_coverage == pytest.approx(seen / (30 * DAY), rel=1e-12)
    assert s.current.budget_count == pytest.approx(0.001 * seen, rel=1e-12)
    assert any("data covers 57% of the SLO window at the end of this period" in n for n in s.notes)
    # the previous week's window saw only 3 days of data
    assert any("the previous period" in n for n in s.notes)


def test_a_quarter_longer_than_the_slo_window() -> None:
    # Q4 2026 in Sydney (AEST +10:00 to AEDT +11:00: 92 days less an hour) for a 7-day SLO: the
    # period spends several windows' budgets, measured against the window at the quarter's end
    specs = load_text(SPEC)
    at = datetime.fromisoformat("2027-02-10T00:00:00+11:00").timestamp()
    period = resolve_period("quarter", at, "Australia/Sydney")
    rep = build_report(specs, Synthetic(0.0), period, at=at, generated_at=at)
    s = next(x for x in rep.slos if x.name == "rolling")
    assert s.current.total == 92 * DAY - HOUR
    assert s.current.consumed_count == pytest.approx((92 * DAY - HOUR) * BASE_BAD, rel=1e-12)
    assert s.current.consumed == pytest.approx(
        (92 * DAY - HOUR) * BASE_BAD / (0.001 * 7 * DAY), rel=1e-12
    )
    assert s.current.remaining == pytest.approx(0.5, rel=1e-12)  # 0.05 % of 0.1 % allowed
    assert s.events == ()  # 0.5x all quarter long: no burn event
    assert rep.period.title == "2026-Q4"


def test_ratio_timeslices_count_seconds_weighted_by_each_bins_ratio() -> None:
    # RatioTimeslices (OpenSLO): each bin's good ÷ total ratio weighs its width, so the report
    # counts seconds; with a constant 99.95 % ratio outside the incident every second is 0.9995
    # good, and the week's "bad seconds" are the integral of the bad share over time
    spec = SPEC.split("  - name: thin")[0].replace(
        "    window: 7d\n", "    window: 7d\n    budgeting: ratio_timeslices\n"
        "    timeslice: {slice: 1m}\n"
    )  # fmt: skip
    period = resolve_period("week", AT, "Europe/Berlin")
    rep = build_report(load_text(spec), Synthetic(0.0), period, at=AT, generated_at=AT)
    [s] = rep.slos
    assert s.count_unit == "seconds" and s.budgeting == "ratio_timeslices"
    assert s.current.total == 167 * HOUR
    assert s.current.consumed_count == pytest.approx(bad_between(*WEEK), rel=1e-9)
    assert s.current.minutes_per_event == pytest.approx(1 / 60, rel=1e-12)
