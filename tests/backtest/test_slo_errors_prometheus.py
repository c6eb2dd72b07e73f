"""`slo backtest` on a real Prometheus when some SLOs' own queries fail (the data and specs of
tests/check/test_slo_errors_prometheus.py: `shop/slow` asks for a 0.3 s threshold, not a bucket
boundary; the server rejects `web/joined`'s many-to-many match): those SLOs are not replayed and
say why in every format, the others are replayed, and each failed SLO (or composite of one) is
named on stderr by the same lines `slo check` and `slo report` print; the run exits 3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backtest.test_schema import _validator
from tests.check.test_slo_errors_prometheus import (
    AT,
    LATENCY,
    assert_error_lines,
    error_lines,
    serve,
    write_specs,
)
from tests.clirun import Run, slo
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

#: a composite of the healthy `shop/fast` and the failing `shop/slow`, starting on line 4
JOURNEY = """version: slo/v1
service: journey
composites:
  - name: lookup
    objective: 99
    window: 1d
    members:
      - slo: shop/fast
      - slo: shop/slow
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("backtest_errors"))


def _run(command: str, server: Server, specs: Path, *extra: str) -> Run:
    days = ("--days", "1") if command == "backtest" else ()
    return slo(command, str(specs), "--prometheus-url", server.url, "--at", str(int(AT)),
               *days, *extra)  # fmt: skip


def test_failed_slos_are_not_replayed_named_on_stderr_and_exit_3(
    server: Server, tmp_path: Path
) -> None:
    specs = write_specs(tmp_path)
    expected = error_lines(specs)
    run = _run("backtest", server, specs, "-f", "json")
    assert run.code == 3
    assert_error_lines(run.stderr, expected)
    assert run.stderr == _run("check", server, specs, "-f", "json").stderr  # one code path
    doc = json.loads(run.stdout)
    _validator().validate(doc)
    rows = {s["key"]: s for s in doc["slos"]}
    # replayed: 1 % bad against a 0.1 % budget burns at 1 % ÷ 0.1 % = 10 all along
    good = rows["shop/availability"]
    assert good["error"] is None and good["pages"] >= 1
    assert good["events"][0]["peak_burn_rate"] == pytest.approx(10.0, rel=1e-6)
    assert rows["shop/fast"]["error"] is None
    slow, joined = rows["shop/slow"]["error"], rows["web/joined"]["error"]
    assert slow["type"] == "NotABucketBoundaryError" and slow["spec_line"] == 9
    assert slow["spec_path"] == str(specs / "b.yaml")
    assert "boundaries (seconds): 0.1, 0.5, 1" in slow["message"]
    assert joined["type"] == "BadQueryError" and joined["spec_line"] == 4 and joined["query_sent"]
    assert rows["shop/slow"]["pages"] == 0 and rows["shop/slow"]["alerts"] == []

    table = _run("backtest", server, specs)
    assert table.code == 3 and table.stderr == run.stderr
    assert "shop/slow  99% over 1d: not replayed (source error)" in table.stdout
    assert f"  source error: {specs / 'b.yaml'}:9: latency threshold 0.3s" in table.stdout
    md = _run("backtest", server, specs, "-f", "markdown")
    assert md.code == 3 and md.stderr == run.stderr
    assert "| web/joined | ! error | — | — | — |" in md.stdout
    assert f"**Not replayed:** source error: {specs / 'c.yaml'}:4: the server" in md.stdout

    out = tmp_path / "bt.json"
    to_file = _run("backtest", server, specs, "-f", "json", "-o", str(out))
    assert to_file.code == 3 and to_file.stdout == "" and json.loads(out.read_text("utf-8"))
    wrote, *rest = to_file.stderr.splitlines(keepends=True)
    assert wrote.startswith(f"slo: wrote {out}: 4 SLOs, ")
    assert_error_lines("".join(rest), expected)


def test_a_composite_of_a_failed_member_is_named_too(server: Server, tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(LATENCY, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(JOURNEY, encoding="utf-8")
    expected = [
        error_lines(tmp_path)[0],
        f"slo: error: journey/lookup: {tmp_path / 'd.yaml'}:4: member queries failed: "
        "shop/slow; spec query: composite of shop/fast, shop/slow",
    ]
    runs = {c: _run(c, server, tmp_path, "-f", "json") for c in ("check", "report", "backtest")}
    for command, run in runs.items():
        assert run.code == 3, (command, run.stderr)
        assert_error_lines(run.stderr, expected)
    assert runs["check"].stderr == runs["report"].stderr == runs["backtest"].stderr
    rows = {s["key"]: s for s in json.loads(runs["backtest"].stdout)["slos"]}
    lookup = rows["journey/lookup"]
    assert lookup["error"]["type"] == "MemberError" and lookup["composite"]["method"] == "weighted"
    assert [m["slo"] for m in lookup["composite"]["members"]] == ["shop/fast", "shop/slow"]
    report = {s["key"]: s for s in json.loads(runs["report"].stdout)["slos"]}
    assert report["journey/lookup"]["status"] == "ERROR"


def test_at_most_ten_lines_then_a_count(server: Server, tmp_path: Path) -> None:
    # twelve SLOs whose thresholds (0.20 … 0.31 s) are none of the buckets 0.1, 0.5, 1
    slos = "".join(
        f"  - name: s{i:02d}\n    objective: 99\n    window: 1d\n"
        f"    sli: {{latency: {{histogram: latency_seconds, threshold: {0.2 + i / 100:g}}}}}\n"
        for i in range(12)
    )
    spec = tmp_path / "many.yaml"
    spec.write_text(f"version: slo/v1\nservice: m\nslos:\n{slos}", encoding="utf-8")
    expected = [f"slo: error: m/s{i:02d}: {spec}:{4 + 4 * i}: latency threshold" for i in range(10)]
    expected.append("slo: error: and 2 more SLOs whose queries failed (the output has them)")
    for command in ("check", "report", "backtest"):
        run = _run(command, server, spec, "-f", "json")
        assert run.code == 3, (command, run.stderr)
        assert_error_lines(run.stderr, expected)


def test_a_snapshot_replays_the_same_errors(server: Server, tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    specs = write_specs(tmp_path / "specs")
    snap = tmp_path / "snap.json"
    rec = _run("snapshot", server, specs, "--out", str(snap), "--backtest-days", "1")
    assert rec.code == 0, rec.stderr
    live = _run("backtest", server, specs, "-f", "json")
    replay = slo("backtest", str(specs), "--from", str(snap), "--days", "1", "-f", "json")
    assert replay.code == live.code == 3
    assert replay.stderr == live.stderr and replay.stdout == live.stdout
