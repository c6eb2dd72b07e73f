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
    rules: list[dict]  # the generated groups of the SLOs (plain rule file data)
    offsets: dict[str, float]  # group name -> evaluation offset into each minute (s)
    composites: Path  # tests/rules/composite_data.py's spec (its names chosen for the offsets)
    composite_rules: list[dict]  # the groups of composites.spec (backfilled with the SLOs')


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


def _offsets(
    names: list[str], file: str, root: Path, intervals: dict[str, float] | None = None
) -> dict[str, float]:
    """Each group's evaluation offset into its interval (`intervals`, default 1 minute), from
    a backfill of `vector(1)`."""
    every = {n: (intervals or {}).get(n, 60.0) for n in names}
    server = _empty_server(root)
    try:
        groups = [
            {
                "name": n,
                "interval": f"{every[n]:g}s",
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
            found[m.group(1)] = (int(m.group(2)) / 1000.0) % every[m.group(1)]
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


def _is_count(rule: dict) -> bool:
    """A per-interval count (the members', copies, phase-labelled): needed over all history."""
    return ":increase" in rule["record"]


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


def _composite_names(file: str, root: Path, offsets: dict[str, float]) -> dict[str, str]:
    """Per composite role, the first candidate name whose group evaluates after its members'
    groups and before 45 s into the minute (composite_data's doc); `offsets`: the SLOs'."""
    from tests.rules import composite_data as C

    def group(n: str) -> str:
        return f"slo:{C.SERVICE}/{n}"

    found = _offsets([group(n) for r in C.ROLES for n in C.candidates(r)], file, root)
    out = {}
    for role in C.ROLES:
        after = max(offsets.values())
        fits = [n for n in C.candidates(role) if after < found[group(n)] < 45]
        assert fits, role
        out[role] = fits[0]
    return out


def _generate(root: Path) -> tuple[Path, Path, list[dict], list[dict], str, dict[str, float]]:
    """The specs, the SLOs' and the composites' groups, the rule file name and the offsets."""
    from slo_cli.rules.build import Options, build
    from slo_cli.rules.composite import composite_groups
    from slo_cli.rules.render import RulesFormat, render, rule_groups
    from slo_specs import load_paths
    from tests.rules import composite_data as C

    spec = root / "shop.yaml"
    spec.write_text(D.SPEC, encoding="utf-8")
    slo_groups = build(load_paths([spec]), Options())
    names = [g.name for g in slo_groups]
    # a file name whose offsets leave room in the minute for the scrapes
    # (below 35 s: the composites' groups, after them, fit before 45 s)
    for k in range(200):
        file = f"slo-rules-{k}.yml"
        offsets = _offsets(names, file, root / f"probe-{k}")
        if max(offsets.values()) < 35:
            break
    else:
        pytest.fail("no rule file name with evaluation offsets below 35 s")
    chosen = _composite_names(file, root / "probe-composites", offsets)
    composites = root / "journey.yaml"
    composites.write_text(C.spec(chosen), encoding="utf-8")
    specs = load_paths([spec, composites])
    groups = build(specs, Options())
    extra, skipped = composite_groups(specs, groups, Options())
    assert not skipped
    text = render(groups + extra, RulesFormat.prometheus)
    all_groups = rule_groups(text, RulesFormat.prometheus)
    every = {g["name"]: float(g["interval"].rstrip("m")) * 60 for g in all_groups}
    offsets = _offsets([g["name"] for g in all_groups], file, root / "probe-all", every)
    n = len(groups)  # the SLOs' groups, then the composites'
    return spec, composites, all_groups[:n], all_groups[n:], file, offsets


def backfill_levels(
    server: Server, root: Path, groups: list[dict], extra: list[dict], file: str
) -> Server:
    """Backfill the SLOs' `groups` and the composites' `extra` into `server`'s TSDB (root/tsdb),
    per level of dependence (1: what reads only the data; 2: what reads those; ...): the
    per-interval counts (and the calendar local time they are phased by) over the whole
    history, the burn rates and budgets over the compared span. `server` is stopped; the
    returned one serves the same TSDB with every pass's series."""
    everything = groups + extra
    levels = _levels(groups)  # a composite's rules read its members' counts: one level later
    levels.update({k: v + 1 for k, v in _levels(extra).items()})
    try:
        for level in range(1, 1 + max(levels.values())):
            server = _backfill_level(server, root, everything, levels, level, file)
    except BaseException:
        server.stop()
        raise
    return server


def _backfill_level(
    server: Server,
    root: Path,
    everything: list[dict],
    levels: dict[int, int],
    level: int,
    file: str,
) -> Server:
    """One pass of `backfill_levels`: the rules of `level`; a new server on the same TSDB."""
    picked = [
        {**g, "rules": [r for r in g["rules"] if levels.get(id(r)) == level]} for g in everything
    ]
    if level == 1:
        early, late = picked, []
    else:
        early = [_only(g, _is_count) for g in picked]
        late = [_only(g, lambda r: not _is_count(r)) for g in picked]
    spans = {"early-": (early, D.START), "": (late, END_SPAN)}
    outs = [
        _backfill(server, root, [g for g in chosen if g["rules"]], start, file, f"{level}{tag}")
        for tag, (chosen, start) in spans.items()
        if any(g["rules"] for g in chosen)
    ]
    server.stop()
    for out in outs:
        _move_blocks(out, root / "tsdb")
    server = _empty_server(root)  # the same TSDB, now with this pass's series
    return server


@pytest.fixture(scope="package")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    root = tmp_path_factory.mktemp("rules-prom")
    spec, composites, groups, extra, file, offsets = _generate(root)
    data = D.build(free=(max(offsets.values()) + 2.0, 58.0))
    server = prometheus_or_skip(data.openmetrics, root)
    try:
        server = backfill_levels(server, root, groups, extra, file)
        yield Backfilled(server, data, spec, groups, offsets, composites, extra)
    finally:
        server.stop()
