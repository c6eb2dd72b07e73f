"""The CLI plumbing shared by every data command (slo_cli/cli/common.py): the same mistake gets
the same message and exit code whichever command makes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import slo

SNAPSHOT = "examples/snapshot.json"
#: the instant scripts/record_examples.py records examples/snapshot.json at
RECORDED = "2026-11-20T12:00:00Z"


@pytest.fixture(autouse=True)
def _from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    monkeypatch.delenv("SLO_PROMETHEUS_URL", raising=False)


@pytest.mark.parametrize(
    "at", ["2026-11-19T12:00:00Z", "1795000000", "now"], ids=["rfc3339", "epoch", "now"]
)
def test_another_instant_than_the_snapshot_s_is_the_same_usage_error_in_check_and_report(
    at: str,
) -> None:
    runs = {
        cmd: slo(cmd, "examples/", "--from", SNAPSHOT, "--at", at) for cmd in ("check", "report")
    }
    expected = (
        f"slo: error: --at {at}: the snapshot was recorded at {RECORDED} "
        "and replays only at that instant\n"
    )
    for cmd, run in runs.items():
        assert (run.code, run.stdout, run.stderr) == (2, "", expected), cmd


@pytest.mark.parametrize("cmd", ["check", "report", "snapshot"])
def test_an_unreadable_at_is_the_same_usage_error_everywhere(cmd: str, tmp_path: Path) -> None:
    extra = ("--out", str(tmp_path / "s.json")) if cmd == "snapshot" else ("--from", SNAPSHOT)
    run = slo(cmd, "examples/", *extra, "--at", "yesterday")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "slo: error: --at: expected epoch seconds or ISO 8601 (2026-01-31T12:00:00Z), "
        "got 'yesterday'\n"
    )


def test_the_snapshot_s_own_instant_replays_in_both() -> None:
    for cmd in ("check", "report"):
        run = slo(cmd, "examples/", "--from", SNAPSHOT, "--at", RECORDED, "--format", "json")
        assert run.code in (0, 1, 4) and run.stdout.startswith("{"), (cmd, run.stderr)


@pytest.mark.parametrize("cmd", ["check", "report"])
def test_output_is_written_atomically_and_announced_on_stderr(cmd: str, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = slo(cmd, "examples/", "--from", SNAPSHOT, "--format", "json", "--output", str(out))
    assert run.stdout == "" and out.read_text(encoding="utf-8").startswith("{")
    assert run.stderr.startswith(f"slo: wrote {out}: ") and run.stderr.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
