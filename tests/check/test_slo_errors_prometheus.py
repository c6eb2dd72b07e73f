"""Issue 10 item 6 on a real Prometheus: one SLO's failing queries make that SLO's row an ERROR
(its spec file and line, the server's message, the query as the spec writes it); every other
SLO is evaluated and shown; the run exits 3, never a pass, in every output format.

The data: 60 requests a minute for two days, 1 % of them failing (code 500), and a latency
histogram with buckets at 0.1, 0.5 and 1 s. By hand, at 99.9 % over 1 day the `availability`
SLO has spent 1 % ÷ 0.1 % = 10 × its budget (CRITICAL) and `fast` (bucket 0.5 s, 100 % of
requests) is OK. `slow` asks for a 0.3 s threshold, not a bucket boundary; `joined` is a raw
SLI whose `total` matches two series per service on each side of `+ on(service)`, which the
server rejects (many-to-many matching) while every parser accepts it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.clirun import slo
from tests.datagen import Dataset, add_counter, add_histogram, scrape_times
from tests.promserver import Server, prometheus_or_skip

pytestmark = pytest.mark.prometheus

AT = 1_790_000_000.0
START = AT - 2 * 86400

GOOD = """version: slo/v1
service: shop
slos:
  - name: availability
    objective: 99.9
    window: 1d
    sli:
      ratio:
        bad: 'requests_total{code="500"}'
        total: requests_total
"""
LATENCY = """version: slo/v1
service: shop
slos:
  - name: fast
    objective: 99
    window: 1d
    sli:
      latency: {histogram: latency_seconds, threshold: 500ms}
  - name: slow
    objective: 99
    window: 1d
    sli:
      latency: {histogram: latency_seconds, threshold: 300ms}
"""
RAW = """version: slo/v1
service: web
slos:
  - name: joined
    objective: 99
    window: 1d
    sli:
      raw:
        bad: 'sum(increase(requests_total{code="500"}[{{window}}]))'
        total: >-
          increase(requests_total[{{window}}])
          + on(service) increase(requests_total[{{window}}])
"""


def serve(root: Path) -> Iterator[Server]:
    """A real Prometheus holding the module docstring's data, stopped when the generator
    ends (a module fixture's body, here and in tests/backtest)."""
    ds = Dataset()
    rng = np.random.default_rng(10)
    t = scrape_times(START, AT + 60, 60.0, rng=rng)
    add_counter(ds, "requests", {"service": "shop", "code": "500"}, t, np.full(t.size, 0.6))
    add_counter(ds, "requests", {"service": "shop", "code": "200"}, t, np.full(t.size, 59.4))
    fractions = {"0.1": 0.5, "0.5": 1.0, "1": 1.0, "+Inf": 1.0}
    add_histogram(ds, "latency_seconds", {}, t, np.full(t.size, 60), fractions, rng=rng)
    srv = prometheus_or_skip(ds.openmetrics(), root)
    try:
        yield srv
    finally:
        srv.stop()


def write_specs(root: Path) -> Path:
    """GOOD, LATENCY and RAW as a.yaml, b.yaml and c.yaml in `root`."""
    for name, text in (("a.yaml", GOOD), ("b.yaml", LATENCY), ("c.yaml", RAW)):
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("slo_errors"))


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    return write_specs(tmp_path)


def _check(server: Server, specs: Path, *extra: str):  # type: ignore[no-untyped-def]
    return slo("check", str(specs), "--prometheus-url", server.url, "--at", str(int(AT)), *extra)


def test_table_shows_the_others_and_names_file_line_and_query(server: Server, specs: Path) -> None:
    run = _check(server, specs)
    assert run.code == 3, (run.stdout, run.stderr)
    out = " ".join(run.stdout.split())
    assert "availability" in out and "✗ crit" in out  # evaluated: 10× its budget
    assert "fast" in out and "✓ ok" in out
    assert out.count("! error") == 2
    b, c = specs / "b.yaml", specs / "c.yaml"
    assert f"shop/slow: {b}:9: latency threshold 0.3s is not a bucket boundary" in out
    assert "spec query: histogram: latency_seconds; threshold: 0.3s" in out
    assert f"web/joined: {c}:4: the server rejected the query" in out
    assert 'spec query: bad: sum(increase(requests_total{code="500"}[{{window}}]))' in out
    assert "increase(requests_total[{{window}}]) + on(service)" in out
    assert "2 with a source error" in out and "gate: pass" not in out


def test_json_junit_csv_markdown_carry_the_error(server: Server, specs: Path) -> None:
    run = _check(server, specs, "--format", "json", "--allow-no-data")
    assert run.code == 3  # --allow-no-data never excuses a source error
    doc = json.loads(run.stdout)
    rows = {r["key"]: r for r in doc["slos"]}
    assert doc["summary"]["status_counts"]["ERROR"] == 2
    assert doc["summary"]["exit_code"] == 3
    assert rows["shop/availability"]["status"] == "CRITICAL"
    assert rows["shop/availability"]["error"] is None
    slow = rows["shop/slow"]
    assert slow["status"] == "ERROR" and slow["spec_line"] == 9
    assert slow["error"]["type"] == "NotABucketBoundaryError"
    assert "boundaries (seconds): 0.1, 0.5, 1" in slow["error"]["message"]
    assert slow["sli_ratio"] is None and slow["budget_remaining_ratio"] is None
    joined = rows["web/joined"]
    assert joined["error"]["type"] == "BadQueryError" and joined["spec_line"] == 4
    assert "many-to-many" in joined["error"]["message"] or "duplicate" in joined["error"]["message"]
    assert joined["error"]["query_sent"]  # the generated PromQL, next to the spec's own

    junit = ET.fromstring(_check(server, specs, "--format", "junit").stdout)
    errors = {c.get("name"): c.find("error") for c in junit.iter("testcase")}
    assert errors["availability"] is None
    assert errors["slow"] is not None and errors["slow"].get("type") == "slo.source_error"
    assert f"{specs / 'c.yaml'}:4" in (errors["joined"].text or "")  # type: ignore[union-attr]

    csv_run = _check(server, specs, "--format", "csv")
    assert csv_run.code == 3 and "NotABucketBoundaryError" in csv_run.stdout
    md = _check(server, specs, "--format", "markdown")
    assert md.code == 3 and "**Source errors:**" in md.stdout and "! error" in md.stdout


def test_server_wide_failure_still_stops_early(specs: Path) -> None:
    run = slo("check", str(specs), "--prometheus-url", "http://127.0.0.1:9", "--at", str(int(AT)))
    assert run.code == 3 and run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1


def error_lines(specs: Path) -> list[str]:
    """The start of the `slo: error:` lines every command prints for `specs`' two failing
    SLOs (file and line of each, the server's or the planner's problem), in spec order."""
    return [
        f"slo: error: shop/slow: {specs / 'b.yaml'}:9: latency threshold 0.3s is not a bucket "
        "boundary of latency_seconds_bucket; boundaries (seconds): 0.1, 0.5, 1, inf; spec query: "
        "histogram: latency_seconds; threshold: 0.3s",
        f"slo: error: web/joined: {specs / 'c.yaml'}:4: the server rejected the query: ",
    ]


def assert_error_lines(stderr: str, expected: list[str]) -> None:
    """stderr is exactly one line per failing SLO, each starting as `expected` says."""
    lines = stderr.splitlines()
    assert "Traceback" not in stderr and len(lines) == len(expected), stderr
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)


def test_report_marks_the_error_and_exits_3(server: Server, specs: Path) -> None:
    args = ("report", str(specs), "--prometheus-url", server.url, "--at", str(int(AT)))
    run = slo(*args, "--format", "json")
    assert run.code == 3
    # each failed SLO named on stderr as `slo check` names it (the same lines, one code path)
    assert_error_lines(run.stderr, error_lines(specs))
    assert run.stderr == _check(server, specs, "--format", "json").stderr
    assert "many-to-many" in run.stderr or "duplicate" in run.stderr
    rows = {r["key"]: r for r in json.loads(run.stdout)["slos"]}
    assert rows["shop/slow"]["status"] == "ERROR"
    assert rows["shop/availability"]["status"] == "CRITICAL"
    assert any(f"{specs / 'b.yaml'}:9" in n for n in rows["shop/slow"]["notes"])
    md = slo(*args)
    assert md.code == 3 and "! error" in md.stdout and "not a bucket boundary" in md.stdout
    assert_error_lines(md.stderr, error_lines(specs))
    out = specs / "report.md"
    to_file = slo(*args, "--output", str(out))
    assert to_file.code == 3 and to_file.stdout == "" and out.read_text(encoding="utf-8")
    wrote, *rest = to_file.stderr.splitlines(keepends=True)
    assert wrote.startswith(f"slo: wrote {out}: 4 SLOs, ")
    assert_error_lines("".join(rest), error_lines(specs))


def test_snapshot_replay_gives_the_same_error_rows(
    server: Server, specs: Path, tmp_path: Path
) -> None:
    # the rejected query's answer is recorded too, so `--from` shows the same rows (before,
    # replay had no answer for it and the whole run stopped with a snapshot error)
    snap = tmp_path / "snap.json"
    rec = slo("snapshot", str(specs), "--prometheus-url", server.url, "--at", str(int(AT)),
              "--out", str(snap))  # fmt: skip
    assert rec.code == 0, rec.stderr
    live = _check(server, specs, "--format", "json")
    replay = slo("check", str(specs), "--from", str(snap), "--format", "json")
    assert replay.code == live.code == 3, replay.stderr
    strip = ("generated_at", "source")

    def rows(run) -> list:  # type: ignore[no-untyped-def]
        doc = json.loads(run.stdout)
        return [{k: v for k, v in r.items() if k not in strip} for r in doc["slos"]]

    assert rows(replay) == rows(live)
    assert {r["key"]: r["status"] for r in json.loads(replay.stdout)["slos"]}["web/joined"] == (
        "ERROR"
    )
