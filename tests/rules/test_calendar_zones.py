"""Calendar windows outside UTC: the generated local time, period start, period length and
phase, evaluated by a real Prometheus minute by minute around every DST change and period
boundary of 2026-2027, equal what `zoneinfo` and `engine.calendar.period_bounds` (the
periods `slo check` uses) give for the instant each evaluation is judged at; a zone whose
offsets follow no yearly rule is labelled approximate, with a warning naming the SLO and bound."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slo_cli.engine.calendar import period_bounds
from tests.promserver import Server, server_or_skip, start_prometheus
from tests.rules import promapi
from tests.rules.helpers import run_slo

UTC = timezone.utc
pytestmark = pytest.mark.prometheus
CASES = [
    ("Europe/Berlin", "month"),
    ("Europe/Berlin", "week"),
    ("Europe/Berlin", "quarter"),
    ("America/New_York", "week"),
    ("Australia/Sydney", "month"),
    ("Australia/Sydney", "quarter"),
    ("Pacific/Chatham", "week"),
    ("Asia/Kolkata", "month"),
    ("UTC", "quarter"),
]
SPEC = """version: slo/v1
service: shop
slos:
  - name: cal
    objective: 99
    window: {{calendar: {calendar}, timezone: {zone}}}
    sli:
      ratio:
        bad: 'http_requests_total{{code="500"}}'
        total: 'http_requests_total'
"""
SEL = '{slo_service="shop",slo_name="cal"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("zones")
    (root / "empty.om").write_text("# EOF\n", encoding="utf-8")
    srv = server_or_skip(lambda: start_prometheus(root / "empty.om", root))
    yield srv
    srv.stop()


def _offset(zone: str, t: float) -> float:
    delta = datetime.fromtimestamp(t, UTC).astimezone(ZoneInfo(zone)).utcoffset()
    assert delta is not None
    return delta.total_seconds()


def _index(zone: str, calendar: str, start: float) -> int:
    local = datetime.fromtimestamp(start, ZoneInfo(zone))
    if calendar == "week":
        return (local.toordinal() - datetime(1970, 1, 1).toordinal() + 3) // 7
    if calendar == "month":
        return local.year * 12 + local.month
    return local.year * 4 + (local.month - 1) // 3


def _spans(zone: str, calendar: str) -> list[float]:
    """Instants around which to compare: every DST change and period boundary of 2026-27."""
    lo = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    hi = datetime(2028, 1, 1, tzinfo=UTC).timestamp()
    out, t = [], lo
    while t < hi:
        _start, end = period_bounds(t, calendar, zone)
        out.append(end)
        t = end
    days = np.arange(lo, hi, 86400.0)
    offs = np.array([_offset(zone, d) for d in days])
    for i in np.flatnonzero(np.diff(offs)):
        t = days[i]
        while _offset(zone, t) == offs[i]:
            t += 60.0
        out.append(t)
    return out


def _rules(tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str, calendar: str):
    import yaml

    spec = tmp_path / f"{calendar}.yaml"
    spec.write_text(SPEC.format(calendar=calendar, zone=zone), encoding="utf-8")
    code, out, err = run_slo(capsys, "rules", str(spec))
    assert code == 0 and "warning" not in err, err
    [group] = yaml.safe_load(out)["groups"]
    return {r["record"]: r["expr"] for r in group["rules"] if "record" in r}


@pytest.mark.parametrize(("zone", "calendar"), CASES)
def test_local_period_length_and_phase_equal_the_tz_database(
    zone: str,
    calendar: str,
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from slo_cli.rules import calendar as cal

    rec = _rules(tmp_path, capsys, zone, calendar)
    url = server.url

    def value(expr: str, t: float, **known: float) -> float:
        """`expr` at t, with the recorded series it reads replaced by their values at t."""
        for name, v in known.items():
            expr = expr.replace(f"scalar({getattr(cal, name)}{SEL})", f"({v!r})")
        [(_, got)] = promapi.instant(url, expr, t)
        return got

    for edge in _spans(zone, calendar):
        for t in edge + np.array([-3600.0, -60.0, 0.0, 60.0, 3600.0]):
            a = t - 30.0  # the middle of the evaluation's minute
            s, e = period_bounds(float(a), calendar, zone)
            local = value(rec[cal.LOCAL], t)
            assert local == a + _offset(zone, a), (zone, calendar, t)
            start = value(rec[cal.START], t, LOCAL=local)
            assert start == s + _offset(zone, s), (zone, calendar, t)
            length = value(rec[cal.LENGTH], t, LOCAL=local, START=start)
            assert length == e - s, (zone, calendar, t)
            phase = value(cal.phase_expr(calendar, SEL), t, LOCAL=local)
            assert phase == _index(zone, calendar, s) % 3, (zone, calendar, t)


def test_a_zone_without_a_yearly_rule_is_labelled_approximate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "santiago.yaml"
    spec.write_text(SPEC.format(calendar="month", zone="America/Santiago"), encoding="utf-8")
    code, out, err = run_slo(capsys, "rules", str(spec))
    assert code == 0
    [warning] = err.strip().splitlines()
    assert warning.startswith("slo: warning: shop/cal: approximate: month (America/Santiago) ")
    assert "period boundaries off by up to 1 h" in warning
    assert f"# shop/cal: approximate ({warning.split('shop/cal: ')[1]}" in out
