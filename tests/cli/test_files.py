"""Result files are written atomically, and a file that cannot be written is a one-line usage
error (exit 2), never a traceback or a half-written file — for --output and snapshots alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slo_cli.errors import UsageError
from slo_cli.files import write_atomically
from slo_cli.sources.http import Recorder
from slo_cli.sources.recorded import write_snapshot


def test_write_replaces_the_file_whole_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_missing_directory_is_a_usage_error_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    with pytest.raises(UsageError) as info:
        write_atomically(target, "x", option="--output")
    assert str(info.value) == f"--output {target}: No such file or directory"
    assert list(tmp_path.iterdir()) == []


def test_an_earlier_file_survives_a_failed_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("earlier run")

    with pytest.raises(TypeError):
        write_atomically(target, 42)  # type: ignore[arg-type]  # fails inside the write
    assert target.read_text() == "earlier run"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_snapshot_under_a_file_is_a_usage_error_naming_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory")
    with pytest.raises(UsageError) as info:
        write_snapshot(
            blocker / "sub" / "snap.json",
            Recorder(),
            at=1.0,
            recorded_at=2.0,
            engine="prometheus",
            max_points=11_000,
        )
    assert str(info.value).startswith(f"--out {blocker / 'sub' / 'snap.json'}: ")


def test_snapshot_carries_the_recording_time_it_was_given(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "snap.json"
    n = write_snapshot(
        out, Recorder(), at=1.0, recorded_at=1234.5, engine="prometheus", max_points=11_000
    )
    doc = json.loads(out.read_text())
    assert (n, doc["at"], doc["recorded_at"], doc["answers"]) == (0, 1.0, 1234.5, [])
