"""Issue 16 item 14: the rules of every file we write (--output, --charts, snapshots)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from slo_cli.errors import UsageError
from slo_cli.files import write_atomically
from tests.check.conftest import slo


def test_a_device_or_directory_is_refused_never_replaced(tmp_path: Path) -> None:
    """Rule: --output writes regular files only."""
    with pytest.raises(UsageError, match="a device; only regular files are written"):
        write_atomically("/dev/null", "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(UsageError, match="a directory"):
        write_atomically(tmp_path, "x")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        write_atomically(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_onto_a_device_through_the_cli_is_exit_2() -> None:
    run = slo("check", "examples/", "--from", "examples/snapshot.json", "--output", "/dev/null")
    assert run.code == 2 and "only regular files are written" in run.stderr


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    """Rule: a symlink's target is written (atomically); the link is kept."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink() and real.read_text() == "new" and link.read_text() == "new"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "later.json")
    write_atomically(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "later.json").read_text() == "made"


def test_mode_comes_from_the_umask_or_the_existing_file(tmp_path: Path) -> None:
    """Rule: a new file gets 0666 minus the umask; an existing file keeps its mode."""
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        write_atomically(fresh, "x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("x")
        kept.chmod(0o640)
        write_atomically(kept, "y")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_temp_file_left_by_a_killed_run_is_cleaned_on_the_next_write(tmp_path: Path) -> None:
    """Rule: temps live beside the target with a recognisable name; a dead run's is removed."""
    target = tmp_path / "out.md"
    code = (
        "import os, sys\n"
        "from slo_cli import files\n"
        "def stop(*a):\n    os._exit(9)  # like kill -9: no clean-up runs\n"
        "os.fsync = stop\n"
        f"files.write_atomically({str(target)!r}, 'x' * 1000)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".out.md.slo-tmp-")
    write_atomically(target, "done")
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_chart_file_names_never_collide() -> None:
    """Rule: two SLOs never share a chart file (not even on a case-insensitive disk)."""
    from types import SimpleNamespace

    from slo_cli.render.report_charts import chart_file_names

    def s(service: str, name: str) -> SimpleNamespace:
        return SimpleNamespace(service=service, name=name, key=f"{service}/{name}")

    slos = [s("a--b", "c"), s("a", "b--c"), s("shop", "Avail"), s("shop", "avail"), s("x", "y")]
    names = chart_file_names(slos)  # type: ignore[arg-type]
    assert len({n.lower() for n in names.values()}) == len(slos)
    assert names["x/y"] == "x--y.svg"  # readable when nothing clashes
