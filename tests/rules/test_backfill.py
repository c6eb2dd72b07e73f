"""The generated rules on a real Prometheus, backfilled with `promtool tsdb create-blocks-from
rules` over generated history (an incident, a slow burn, a counter reset, a scrape gap):

* the recorded per-minute counts equal the generator's true counts, exactly, except in the
  minute of a reset whose series has two samples in it, where they are within the bound of
  docs/rules.md (at most that series' events in that minute, never more than the truth);
* the recorded burn rates and budget equal `slo check --at` at the same instants;
* a grouped SLO (`availability-by-instance`) records one series per instance, each equal to
  that instance's truth and to `slo check`'s row of that group, and alerts per group;
* every alert fires in exactly the evaluation minutes in which `slo check --at` that minute
  reports it firing (checked at every minute where the rule side changes, the minute before,
  and evenly spaced minutes).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.rules import data as D
from tests.rules import promapi
from tests.rules.conftest import COMPARE_S, Backfilled
from tests.rules.helpers import check_at, sample_minutes

pytestmark = pytest.mark.prometheus
GROUPED = "availability-by-instance"
#: `slo check`'s row name -> (rule group's SLO name, the group's matchers, reset-bound instance
#: or "" for none, None for every instance)
ROWS: dict[str, tuple[str, str, str | None]] = {
    "availability": ("availability", "", None),
    **{f'{GROUPED}{{instance="{i}"}}': (GROUPED, f',instance="{i}"', i) for i in D.INSTANCES},
    "availability-month": ("availability-month", "", None),
    "latency": ("latency", "", ""),
    "probe": ("probe", "", ""),
}
#: the grid the counts are compared on: every minute after the first hour of history
FIRST = D.START + 3600.0


def _offset(bf: Backfilled, name: str) -> float:
    return bf.offsets[f"slo:shop/{name}"]


def _selector(row: str) -> str:
    name, group, _ = ROWS[row]
    return f'{{slo_service="shop",slo_name="{name}"{group}}}'


def _bound(bf: Backfilled, row: str, edges: np.ndarray) -> np.ndarray:
    instance = ROWS[row][2]
    if instance == "":
        return np.zeros(edges.size - 1)
    return D.reset_bound(bf.data, edges, instance)


def _recorded(bf: Backfilled, metric: str, row: str) -> np.ndarray:
    """The recorded series at its evaluations FIRST + 1m + offset ... END + offset, which hold
    the same samples as the minutes (t − 1m, t] for t = FIRST + 1m ... END."""
    d = _offset(bf, ROWS[row][0])
    [(_, values)] = promapi.range_(bf.server.url, metric + _selector(row), FIRST + d, D.END + d)
    return values[1:]


def test_recorded_counts_equal_the_truth_within_the_documented_bound(bf: Backfilled) -> None:
    edges = np.arange(FIRST, D.END + 1, D.MIN)
    truth = D.truth(bf.data, edges)
    bound = D.reset_bound(bf.data, edges)
    for name in ROWS:
        bad, total = truth[f"shop/{name}"]
        rec_total = _recorded(bf, "slo:sli_events_total:increase1m", name)
        rec_bad = _recorded(bf, "slo:sli_events_bad:increase1m", name)
        assert not np.isnan(rec_total).any() and not np.isnan(rec_bad).any(), name
        b = _bound(bf, name, edges)
        for rec, want in ((rec_total, total), (rec_bad, bad)):
            exact = b == 0
            np.testing.assert_array_equal(rec[exact], want[exact], err_msg=name)
            assert (rec[~exact] <= want[~exact]).all() and (want - rec <= b).all(), name
    # the groups are the instances' own counts: they add up to the ungrouped SLO's
    groups = [truth[f"shop/{row}"][1] for row in ROWS if row.startswith(GROUPED + "{")]
    np.testing.assert_array_equal(sum(groups), truth["shop/availability"][1])
    assert _bound(bf, f'{GROUPED}{{instance="a"}}', edges).sum() == 0
    # the story is in the data: instance a's first scrape after its 40-minute gap is counted
    # from its last value before the gap (the lookback bridges it), instance b's reset counted
    a = bf.data.dataset.select("http_requests_total", lambda lab: lab["instance"] == "a")
    after_gap = int(np.searchsorted(edges, D.EVENTS["gap_end"])) - 1
    assert D.minute_bins(a, edges)[after_gap : after_gap + 2].sum() > 0
    assert bound.sum() < truth["shop/availability"][1].sum() * 1e-4


@pytest.fixture(scope="module")
def bf(backfilled: Backfilled) -> Backfilled:
    return backfilled


def _check(bf: Backfilled, t: float, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    return check_at(capsys, bf.server.url, [str(bf.spec)], t)


def _rule_side(bf: Backfilled, start: float) -> dict[tuple[str, str], np.ndarray]:
    """(`slo check`'s row name, alert label) -> firing per minute from `start` to END (for: 0s:
    the alert fires in every evaluation in which its expression has a result; a grouped SLO's
    alert has one series per group, carrying the group's label)."""
    out = {}
    n = int((D.END - start) / 60) + 1
    for g in bf.rules:
        d = bf.offsets[g["name"]]
        for r in g["rules"]:
            if "alert" not in r:
                continue
            name, label = r["labels"]["slo_name"], r["labels"]["slo_alert"]
            rows = [row for row, (n_, _, _) in ROWS.items() if n_ == name]
            for row in rows:
                out[(row, label)] = np.zeros(n, bool)
            for labels, values in promapi.range_(bf.server.url, r["expr"], start + d, D.END + d):
                row = f'{name}{{instance="{labels["instance"]}"}}' if name == GROUPED else name
                assert row in rows and not out[(row, label)].any(), (row, label)
                out[(row, label)] = ~np.isnan(values)
    return out


def test_burn_rates_and_alerts_match_slo_check_minute_by_minute(
    bf: Backfilled, capsys: pytest.CaptureFixture[str]
) -> None:
    start = D.END - COMPARE_S
    side = _rule_side(bf, start)
    minutes = start + 60.0 * np.arange(int(COMPARE_S / 60) + 1)
    fired = {k for k, v in side.items() if v.any()}
    # the history pages and tickets: the test is not vacuous
    assert ("availability", "page 1h/5m") in fired and ("availability", "ticket 1d/2h") in fired
    assert ("latency", "page 1h/5m") in fired and ("probe", "page 1h/5m") in fired
    for i in D.INSTANCES:  # each group pages on its own series
        assert (f'{GROUPED}{{instance="{i}"}}', "page 1h/5m") in fired
    sample = sample_minutes(side, minutes, D.END - 3600.0)
    bound_edges = np.arange(FIRST, D.END + 1, D.MIN)
    for i in sample:
        t = float(minutes[i])
        got = _check(bf, t, capsys)
        assert sorted(got) == sorted(ROWS)
        for name in ROWS:
            want = {label for (n, label), v in side.items() if n == name and v[i]}
            assert set(got[name]["alerts_firing"]) == want, (name, t)
            _compare_burn_rates(bf, got[name], name, t, _bound(bf, name, bound_edges), bound_edges)


def _compare_burn_rates(
    bf: Backfilled, got: dict, row: str, t: float, bound: np.ndarray, edges: np.ndarray
) -> None:
    d, sel = _offset(bf, ROWS[row][0]), _selector(row)
    rates = promapi.instant(bf.server.url, f"slo:burn_rate{sel}", t + d)
    remaining = promapi.instant(bf.server.url, f"slo:error_budget_remaining{sel}", t + d)
    assert len(rates) == 7 and len(remaining) == 1, row
    for labels, value in rates:
        window = labels["slo_window"]
        seconds = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400}
        w = seconds.get(window, 3 * 86400)
        touched = bound[(edges[1:] > t - w) & (edges[1:] <= t)].sum()
        check = got["burn_rates"][window]
        if touched == 0:
            assert value == pytest.approx(check, rel=1e-12, abs=1e-12), (row, window, t)
        else:  # a multi-sample reset minute in the window: within the bound's effect
            assert value == pytest.approx(check, rel=0.05), (row, window, t)
    [(_, value)] = remaining
    check = got["budget_remaining_ratio"]
    assert value == pytest.approx(check, rel=1e-9, abs=1e-3 if bound.any() else 1e-12), row
