"""A real Prometheus holding tests/rules/data.py's history, with the rules of its spec
backfilled by `promtool tsdb create-blocks-from rules`: first the per-interval counts over the
whole history, then (they read those) the burn rates and budget over the last day.

Prometheus evaluates a group at a fixed offset into each interval (a hash of the group's name
and file; promtool's backfill does the same), while `slo check` evaluates at whole minutes. The
offsets are measured first (a probe backfill on an empty server) and the history is scraped
only between the largest offset and the next minute, so a rule's minute (m + offset − 1m,
m + offset] holds the same samples as `slo check`'s (m − 1m, m]: both can be compared exactly.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.promserver import Server, prometheus_or_skip, start_prometheus
from tests.rules import data as D
from tests.rules.helpers import run_promtool

#: the recorded burn rates and budget are backfilled (and compared) over this span before END
COMPARE_S = 24 * 3600.0


@dataclass
class Backfilled:
    server: Server
    data: D.Data
    spec: Path
    rules: list[dict]  # the generated groups (plain rule file data)
    offsets: dict[str, float]  # group name -> evaluation offset into each minute (s)


def _empty_server(root: Path) -> Server:
    root.mkdir(parents=True, exist_ok=True)
    empty = root / "empty.om"
    empty.write_text("# EOF\n", encoding="utf-8")
    return start_prometheus(empty, root)


def _backfill(
    server: Server, root: Path, groups: list[dict], start: float, file: str, tag: str = ""
) -> Path:
    """Backfill `groups` (written to root/file, named relatively: the offsets depend on it)
    from start to END; the blocks are left in root/blocks-<tag><file>."""
    (root / file).write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), "utf-8")
    out = root / f"blocks-{tag}{file}"
    done = run_promtool(
        "tsdb",
        "create-blocks-from",
        "rules",
        f"--url={server.url}",
        f"--start={int(start)}",
        f"--end={int(D.END + 60)}",
        f"--output-dir={out}",
        file,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _offsets(names: list[str], file: str, root: Path) -> dict[str, float]:
    """Each group's evaluation offset into the minute, from a backfill of `vector(1)`."""
    server = _empty_server(root)
    try:
        groups = [
            {
                "name": n,
                "interval": "1m",
                "rules": [{"record": "probe", "expr": "vector(1)", "labels": {"group": n}}],
            }
            for n in names
        ]
        out = _backfill(server, root, groups, D.END - 600, file)
    finally:
        server.stop()
    (out / "wal").mkdir(exist_ok=True)  # `promtool tsdb dump` wants one
    dump = run_promtool("tsdb", "dump", str(out)).stdout
    found: dict[str, float] = {}
    for line in dump.splitlines():
        m = re.search(r'group="([^"]+)".* (\d+)$', line)
        if m:
            found[m.group(1)] = (int(m.group(2)) / 1000.0) % 60.0
    assert sorted(found) == sorted(names), dump[:500]
    return found


def _move_blocks(out: Path, tsdb: Path) -> None:
    for block in out.iterdir():
        if (block / "meta.json").is_file():
            shutil.move(str(block), str(tsdb / block.name))


#: the derived rules (burn rates, budget) are backfilled from here
END_SPAN = D.END - COMPARE_S - 3600


def _only(group: dict, keep: Callable[[dict], bool]) -> dict:
    return {**group, "rules": [r for r in group["rules"] if keep(r)]}


def _levels(groups: list[dict]) -> dict[int, int]:
    """id(recording rule) -> 1 + the level of the recording rules of its group it reads."""
    out: dict[int, int] = {}
    for g in groups:
        records = [r for r in g["rules"] if "record" in r]
        for r in records:
            out[id(r)] = _level(r, records)
    return out


def _level(rule: dict, records: list[dict]) -> int:
    reads = {r["record"] for r in records if r["record"] in rule["expr"]} - {rule["record"]}
    deps = [r for r in records if r["record"] in reads]
    return 1 + max((_level(d, records) for d in deps), default=0)


@pytest.fixture(scope="package")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    from slo_cli.rules.build import Options, build
    from slo_cli.rules.render import RulesFormat, render, rule_groups
    from slo_specs import load_paths

    root = tmp_path_factory.mktemp("rules-prom")
    spec = root / "shop.yaml"
    spec.write_text(D.SPEC, encoding="utf-8")
    text = render(build(load_paths([spec]), Options()), RulesFormat.prometheus)
    groups = rule_groups(text, RulesFormat.prometheus)
    names = [g["name"] for g in groups]
    # a file name whose offsets leave room in the minute for the scrapes
    for k in range(40):
        file = f"slo-rules-{k}.yml"
        offsets = _offsets(names, file, root / f"probe-{k}")
        if max(offsets.values()) < 45:
            break
    else:
        pytest.fail("no rule file name with evaluation offsets below 45 s")
    data = D.build(free=(max(offsets.values()) + 2.0, 58.0))
    server = prometheus_or_skip(data.openmetrics, root)
    levels = _levels(groups)
    try:
        # pass 1: what reads only the data (the counts, the calendar local time) over all of it;
        # pass 2: what reads those (the calendar SLO's phase-labelled counts from the start,
        # the rest over the compared span); pass 3: what reads pass 2
        for level in (1, 2, 3):
            picked = [
                {**g, "rules": [r for r in g["rules"] if levels.get(id(r)) == level]}
                for g in groups
            ]
            spans = {"": (picked, END_SPAN)}
            if level == 1:
                spans = {"": (picked, D.START)}
            elif level == 2:
                early = [_only(g, lambda r: r["record"].startswith("slo:period_")) for g in picked]
                late = [
                    _only(g, lambda r: not r["record"].startswith("slo:period_")) for g in picked
                ]
                spans = {"early-": (early, D.START), "": (late, END_SPAN)}
            outs = [
                _backfill(
                    server, root, [g for g in chosen if g["rules"]], start, file, f"{level}{tag}"
                )
                for tag, (chosen, start) in spans.items()
            ]
            server.stop()
            for out in outs:
                _move_blocks(out, root / "tsdb")
            server = _empty_server(root)  # the same TSDB, now with this pass's series
        yield Backfilled(server, data, spec, groups, offsets)
    finally:
        server.stop()
