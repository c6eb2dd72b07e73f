"""Composite rules on a real Prometheus (tests/rules/conftest.py's backfill, with
tests/rules/composite_data.py's composites over the generated shop history): a weighted, a
least_healthy and a weighted_burn composite over 7 days and a least_healthy one over calendar
months in Europe/Berlin. At every minute where an alert
changes, the minute before, every second hour and around the Berlin month boundary, the
recorded burn rates and budget left equal `slo check --at`'s composite figures and the alerts
fire exactly when it reports them.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.rules import composite_data as C
from tests.rules import data as D
from tests.rules import promapi
from tests.rules.conftest import COMPARE_S, Backfilled
from tests.rules.helpers import check_at, sample_minutes

pytestmark = pytest.mark.prometheus
SECONDS = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400, "3d": 259200}


def _check(bf: Backfilled, t: float, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    return check_at(capsys, bf.server.url, [str(bf.spec), str(bf.composites)], t)


def _alerts(bf: Backfilled, start: float) -> dict[tuple[str, str], np.ndarray]:
    """(composite name, alert label) -> firing per minute from `start` to END."""
    out = {}
    n = int((D.END - start) / 60) + 1
    for g in bf.composite_rules:
        d = bf.offsets[g["name"]]
        for r in g["rules"]:
            if "alert" in r:
                key = (r["labels"]["slo_name"], r["labels"]["slo_alert"])
                found = promapi.range_(bf.server.url, r["expr"], start + d, D.END + d)
                assert len(found) <= 1, key
                out[key] = ~np.isnan(found[0][1]) if found else np.zeros(n, bool)
    return out


def _compare(bf: Backfilled, name: str, got: dict, t: float, touched: dict[str, bool]) -> None:
    d = bf.offsets[f"slo:journey/{name}"]
    sel = f'{{slo_service="journey",slo_name="{name}"}}'
    rates = promapi.instant(bf.server.url, f"slo:burn_rate{sel}", t + d)
    assert sorted(labels["slo_window"] for labels, _ in rates) == sorted(SECONDS), name
    for labels, value in rates:
        window = labels["slo_window"]
        check = got["burn_rates"][window]
        if touched[window]:  # a multi-sample reset minute of a member in the window: the bound
            assert value == pytest.approx(check, rel=0.05), (name, window, t)
        else:
            assert value == pytest.approx(check, rel=1e-12, abs=1e-12), (name, window, t)
    [(_, value)] = promapi.instant(bf.server.url, f"slo:error_budget_remaining{sel}", t + d)
    bound = touched["window"]
    check = got["budget_remaining_ratio"]
    assert value == pytest.approx(check, rel=1e-9, abs=1e-3 if bound else 1e-12), (name, t)


def test_composites_burn_rates_budgets_and_alerts_equal_slo_check(
    backfilled: Backfilled, capsys: pytest.CaptureFixture[str]
) -> None:
    bf = backfilled
    start = D.END - COMPARE_S
    side = _alerts(bf, start)
    names = sorted({name for name, _ in side})
    assert len(names) == len(C.ROLES)
    for name in names:  # every composite pages during the incident: the test is not vacuous
        assert side[(name, "page 1h/5m")].any(), name
    minutes = start + 60.0 * np.arange(int(COMPARE_S / 60) + 1)
    sample = sample_minutes(side, minutes, D.END - 3600.0)
    edges = np.arange(D.START + 3600.0, D.END + 1, D.MIN)
    bound = D.reset_bound(bf.data, edges)
    for i in sample:
        t = float(minutes[i])
        got = _check(bf, t, capsys)
        for name in names:
            want = {label for (n, label), v in side.items() if n == name and v[i]}
            assert set(got[name]["alerts_firing"]) == want, (name, t)
            touched = {
                w: bool(bound[(edges[1:] > t - s) & (edges[1:] <= t)].any())
                for w, s in SECONDS.items()
            }
            touched["window"] = bool(bound[edges[1:] <= t].any())
            _compare(bf, name, got[name], t, touched)
