"""Fixtures of the install tests: the source tree as a clean copy, the wheel built from it, and
a fresh virtual environment with only that wheel installed.

Offline: the wheel is built with the dev environment's setuptools (no build isolation, no
index), and the fresh environment gets slo's dependencies by a ``.pth`` line naming the dev
environment's site-packages (its editable install of slo is not seen there: ``.pth`` files of a
directory added that way are not run). So the `slo` under test is the wheel's, from its own
site-packages, with the wheel's entry point and package data.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def source_copy(target: Path) -> Path:
    """The repository's files (tracked and new, not ignored) copied into `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    target.mkdir(parents=True)
    for name in (n.decode() for n in listed if n):
        src = ROOT / name
        if src.is_file():
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
            dst.chmod(src.stat().st_mode & 0o777)
    return target


def build_wheel(source: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = out.glob("slo-*.whl")
    return wheel


@dataclass(frozen=True)
class Venv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def slo(self) -> str:
        return str(self.bin / "slo")

    @property
    def python(self) -> str:
        return str(self.bin / "python")


def fresh_venv(where: Path, wheel: Path) -> Venv:
    """A new venv with the wheel installed (no deps); the dev environment provides those."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True)
    venv = Venv(where)
    subprocess.run(
        [venv.python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [venv.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "_slo_test_dependencies.pth").write_text(deps + "\n", encoding="utf-8")
    return venv


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    return build_wheel(source_copy(base / "src"), base / "dist")


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return fresh_venv(tmp_path_factory.mktemp("venv") / "venv", wheel)
