"""The generated rules on a real Prometheus, backfilled with `promtool tsdb create-blocks-from
rules` over generated history (an incident, a slow burn, a counter reset, a scrape gap):

* the recorded per-minute counts equal the generator's true counts, exactly, except in the
  minute of a reset whose series has two samples in it, where they are within the bound of
  docs/rules.md (at most that series' events in that minute, never more than the truth);
* the recorded burn rates and budget equal `slo check --at` at the same instants;
* every alert fires in exactly the evaluation minutes in which `slo check --at` that minute
  reports it firing (checked at every minute where the rule side changes, the minute before,
  and evenly spaced minutes).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.rules import data as D
from tests.rules import promapi
from tests.rules.conftest import COMPARE_S, Backfilled
from tests.rules.helpers import run_slo

pytestmark = pytest.mark.prometheus
SLOS = ("availability", "latency", "probe")
#: the grid the counts are compared on: every minute after the first hour of history
FIRST = D.START + 3600.0


def _offset(bf: Backfilled, name: str) -> float:
    return bf.offsets[f"slo:shop/{name}"]


def _recorded(bf: Backfilled, metric: str, name: str) -> np.ndarray:
    """The recorded series at its evaluations FIRST + 1m + offset ... END + offset, which hold
    the same samples as the minutes (t − 1m, t] for t = FIRST + 1m ... END."""
    d = _offset(bf, name)
    [(_, values)] = promapi.range_(
        bf.server.url, f'{metric}{{slo_service="shop",slo_name="{name}"}}', FIRST + d, D.END + d
    )
    return values[1:]


def test_recorded_counts_equal_the_truth_within_the_documented_bound(bf: Backfilled) -> None:
    edges = np.arange(FIRST, D.END + 1, D.MIN)
    truth = D.truth(bf.data, edges)
    bound = D.reset_bound(bf.data, edges)
    for name in SLOS:
        bad, total = truth[f"shop/{name}"]
        rec_total = _recorded(bf, "slo:sli_events_total:increase1m", name)
        rec_bad = _recorded(bf, "slo:sli_events_bad:increase1m", name)
        assert not np.isnan(rec_total).any() and not np.isnan(rec_bad).any(), name
        b = bound if name == "availability" else np.zeros_like(bound)
        for rec, want in ((rec_total, total), (rec_bad, bad)):
            exact = b == 0
            np.testing.assert_array_equal(rec[exact], want[exact], err_msg=name)
            assert (rec[~exact] <= want[~exact]).all() and (want - rec <= b).all(), name
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
    code, out, err = run_slo(
        capsys,
        "check",
        str(bf.spec),
        "--at",
        f"{t:.0f}",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--prometheus-url",
        bf.server.url,
    )
    assert code in (0, 4), err
    return {s["name"]: s for s in json.loads(out)["slos"]}


def _rule_side(bf: Backfilled, start: float) -> dict[tuple[str, str], np.ndarray]:
    """(SLO name, alert label) -> firing per minute from `start` to END (for: 0s: the alert
    fires in every evaluation in which its expression has a result)."""
    out = {}
    for g in bf.rules:
        d = bf.offsets[g["name"]]
        for r in g["rules"]:
            if "alert" not in r:
                continue
            found = promapi.range_(bf.server.url, r["expr"], start + d, D.END + d)
            assert len(found) <= 1
            on = ~np.isnan(found[0][1]) if found else np.zeros(int((D.END - start) / 60) + 1, bool)
            out[(r["labels"]["slo_name"], r["labels"]["slo_alert"])] = on
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
    changes = set()
    for v in side.values():
        for i in np.flatnonzero(np.diff(v.astype(int))) + 1:
            changes.update({int(i) - 1, int(i)})
    sample = sorted(changes | set(range(0, minutes.size, 120)))
    bound_edges = np.arange(FIRST, D.END + 1, D.MIN)
    bound = D.reset_bound(bf.data, bound_edges)
    for i in sample:
        t = float(minutes[i])
        got = _check(bf, t, capsys)
        for name in SLOS:
            want = {label for (n, label), v in side.items() if n == name and v[i]}
            assert set(got[name]["alerts_firing"]) == want, (name, t)
        _compare_burn_rates(bf, got, t, bound, bound_edges)


def _compare_burn_rates(
    bf: Backfilled, got: dict[str, dict], t: float, bound: np.ndarray, edges: np.ndarray
) -> None:
    rates, remaining = [], []
    for name in SLOS:
        d, sel = _offset(bf, name), f'{{slo_service="shop",slo_name="{name}"}}'
        rates += promapi.instant(bf.server.url, f"slo:burn_rate{sel}", t + d)
        remaining += promapi.instant(bf.server.url, f"slo:error_budget_remaining{sel}", t + d)
    assert len(rates) == 3 * 7 and len(remaining) == 3
    for labels, value in rates:
        name, window = labels["slo_name"], labels["slo_window"]
        seconds = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400}
        w = seconds.get(window, 3 * 86400)
        touched = (
            bound[(edges[1:] > t - w) & (edges[1:] <= t)].sum() if name == "availability" else 0
        )
        check = got[name]["burn_rates"][window]
        if touched == 0:
            assert value == pytest.approx(check, rel=1e-12, abs=1e-12), (name, window, t)
        else:  # a multi-sample reset minute in the window: within the bound's effect
            assert value == pytest.approx(check, rel=0.05), (name, window, t)
    for labels, value in remaining:
        check = got[labels["slo_name"]]["budget_remaining_ratio"]
        assert value == pytest.approx(check, rel=1e-9, abs=1e-3 if bound.any() else 1e-12)
