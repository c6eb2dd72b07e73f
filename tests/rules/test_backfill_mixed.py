"""Composites of members at different intervals on a real Prometheus (docs/rules.md,
"Intervals and lag"; tests/rules/mixed_data.py): a 1-minute and a 5-minute timeslice SLO and a
ratio SLO, one composite of each method over them (groups every 5 minutes), the rules
backfilled with `promtool tsdb create-blocks-from rules` over generated history with an
incident. At the composites' evaluations (whole 5 minutes: between them a composite holds its
last evaluation's figures), the recorded copies of the members' counts, the burn rates, the
budget left and the alerts equal the truth computed from the generator, and `slo check --at`
reports the same (and each member's coverage is whole: a 5-minute slice covers its 5 minutes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.promserver import Server, prometheus_or_skip
from tests.rules import mixed_data as X
from tests.rules import promapi
from tests.rules.conftest import COMPARE_S, _offsets, backfill_levels
from tests.rules.helpers import check_at, groups_file, run_promtool

pytestmark = pytest.mark.prometheus
FIVE = 300.0


@dataclass
class Mixed:
    server: Server
    data: X.Data
    spec: Path
    names: dict[str, str]  # role -> SLO or composite name
    offsets: dict[str, float]  # group name -> evaluation offset into its interval (s)
    alerts: dict[str, list[tuple[str, str]]]  # composite name -> (slo_alert, expr) per alert


def _group(name: str) -> str:
    return f"slo:{X.SERVICE}/{name}"


def _choose(root: Path) -> tuple[str, dict[str, str]]:
    """A rule file name and a name per role such that: the 1-minute members' groups and the
    5-minute one evaluate before 30 s into their interval (the scrapes come after, so each holds
    the samples `slo check` counts for the same minute or slice); and each composite's group
    evaluates after every member's and less than a minute after the 1-minute ones' (so its
    last 5 minutes less 1 ms hold the members' recordings of the 5 minutes `slo check` counts).
    """
    ones = [_group("fast")]
    roles = {r: [_group(n) for n in X.candidates(r)] for r in X.ROLES}
    every = {g: FIVE for names in roles.values() for g in names}
    for k in range(60):
        file = f"mixed-rules-{k}.yml"
        found = _offsets(ones + [g for v in roles.values() for g in v], file, root / f"p{k}", every)
        fives = {r: min(roles[r], key=lambda g: found[g]) for r in ("slow", "ratio")}
        members = [found[g] for g in ones] + [found[g] for g in fives.values()]
        if max(members) >= 30:
            continue
        lo, hi = max(members) + 1.0, min(found[g] for g in ones) + 59.0
        names = {r: g.split("/")[1] for r, g in fives.items()}
        for role in X.ROLES[2:]:
            fits = [g for g in roles[role] if lo < found[g] < hi]
            if fits:
                names[role] = fits[0].split("/")[1]
        if len(names) == len(X.ROLES):
            return file, names
    pytest.fail("no rule file name and group names with the offsets needed")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mixed]:
    from slo_cli.rules.build import Options, build
    from slo_cli.rules.composite import composite_groups
    from slo_cli.rules.render import RulesFormat, render, rule_groups
    from slo_specs import load_paths

    root = tmp_path_factory.mktemp("rules-mixed")
    file, names = _choose(root / "probe")
    spec = root / "mixed.yaml"
    spec.write_text(X.spec(names), encoding="utf-8")
    specs = load_paths([spec])
    groups = build(specs, Options())
    extra, skipped = composite_groups(specs, groups, Options())
    assert not skipped
    text = render(groups + extra, RulesFormat.prometheus)
    checked = run_promtool("check", "rules", str(groups_file(text, "prometheus", root / "c.yml")))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    every_group = rule_groups(text, RulesFormat.prometheus)
    every = {g["name"]: float(g["interval"].rstrip("m")) * 60 for g in every_group}
    assert [every[_group(names[r])] for r in X.ROLES] == [FIVE] * len(X.ROLES)
    offsets = _offsets(list(every), file, root / "probe-all", every)
    members = [offsets[_group(n)] for n in ("fast", names["slow"], names["ratio"])]
    data = X.build(free=(max(members) + 2.0, 58.0))
    server = prometheus_or_skip(data.openmetrics, root)
    try:
        n = len(groups)
        server = backfill_levels(server, root, every_group[:n], every_group[n:], file)
        alerts = {
            g["name"].split("/")[1]: [
                (r["labels"]["slo_alert"], r["expr"]) for r in g["rules"] if "alert" in r
            ]
            for g in every_group[n:]
        }
        yield Mixed(server, data, spec, names, offsets, alerts)
    finally:
        server.stop()


def _instants(tr: X.Truth) -> list[float]:
    """The whole 5 minutes compared: every one from 10 minutes before the incident to 75 after
    it, every second hour of the last day, and each where a composite's true alerts change
    and the one before."""
    start = X.END - COMPARE_S
    fives = start + FIVE * np.arange(int(COMPARE_S / FIVE) + 1)
    lo, hi = X.INCIDENT[0] - 600, X.INCIDENT[1] + 75 * 60
    out = {float(t) for t in fives if lo <= t <= hi or (t - start) % 7200 == 0}
    for method in X.METHODS.values():
        firing = [frozenset(X.expected(tr, method, float(t))[2]) for t in fives]
        for i in range(1, fives.size):
            if firing[i] != firing[i - 1]:
                out.update({float(fives[i - 1]), float(fives[i])})
    return sorted(out)


def _close(a: float, b: float) -> bool:
    return bool(abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12)


def test_recorded_member_copies_equal_the_truth(mixed: Mixed) -> None:
    """Each composite's copies of its members' counts at its evaluation after t hold the
    members' slices and minutes ending in (t − 5m, t], for every whole 5 minutes of the day."""
    tr = X.truth(mixed.data)
    start = X.END - COMPARE_S
    fives = start + FIVE * np.arange(int(COMPARE_S / FIVE) + 1)
    want = {m: [X.window_sums(tr, float(t), FIVE)[m] for t in fives] for m in X.MEMBERS}
    name = mixed.names["least"]
    d = mixed.offsets[_group(name)]
    for kind, k in (("bad", 0), ("total", 1)):
        expr = f'slo:member_events_{kind}:increase5m{{slo_name="{name}"}}'
        got = promapi.range_(mixed.server.url, expr, start + d, X.END + d, FIVE)
        for labels, values in got:
            member = labels["slo_member"].split("/")[1]
            role = {mixed.names[r]: r for r in ("slow", "ratio")}.get(member, member)
            np.testing.assert_array_equal(values, [w[k] for w in want[role]], err_msg=kind)
        assert len(got) == 3


def test_mixed_interval_composites_equal_the_truth_and_slo_check(
    mixed: Mixed, capsys: pytest.CaptureFixture[str]
) -> None:
    tr = X.truth(mixed.data)
    url = mixed.server.url
    wrong: list[str] = []
    fired = set()
    for t in _instants(tr):
        got = check_at(capsys, url, [str(mixed.spec)], t)
        for member in ("fast", mixed.names["slow"], mixed.names["ratio"]):
            # the probe and the counters have data in every minute: each member is fully
            # known over every window inside the history (not only in its slice ends' bins)
            cover = got[member]["coverage_ratios"]
            if any(cover[w] != 1.0 for w in X.WINDOWS):
                wrong.append(f"{member} {t:.0f} coverage {cover}")
        for role, method in X.METHODS.items():
            name = mixed.names[role]
            d = mixed.offsets[_group(name)]
            sel = f'{{slo_service="{X.SERVICE}",slo_name="{name}"}}'
            rates, remaining, firing = X.expected(tr, method, t)
            fired |= {(role, a) for a in firing}
            recorded = {
                labels["slo_window"]: v
                for labels, v in promapi.instant(url, f"slo:burn_rate{sel}", t + d)
            }
            [(_, rec_left)] = promapi.instant(url, f"slo:error_budget_remaining{sel}", t + d)
            alerts = {a for a, expr in mixed.alerts[name] if promapi.instant(url, expr, t + d)}
            row = got[name]
            for w, want in rates.items():
                for side, value in (("rules", recorded[w]), ("check", row["burn_rates"][w])):
                    if not _close(value, want):
                        wrong.append(f"{role} {t:.0f} {w} {side} {value!r} truth {want!r}")
            for side, value in (("rules", rec_left), ("check", row["budget_remaining_ratio"])):
                if not _close(value, remaining):
                    wrong.append(f"{role} {t:.0f} budget {side} {value!r} truth {remaining!r}")
            for side, a in (("rules", alerts), ("check", set(row["alerts_firing"]))):
                if a != firing:
                    wrong.append(f"{role} {t:.0f} alerts {side} {sorted(a)} truth {sorted(firing)}")
    assert not wrong, f"{len(wrong)} differences:\n" + "\n".join(wrong[:40])
    # not vacuous: every composite pages and opens a ticket
    assert {(r, a) for r in X.METHODS for a in ("page 1h/5m", "ticket 1d/2h")} <= fired
