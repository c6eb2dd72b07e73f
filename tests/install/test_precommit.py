"""`.pre-commit-hooks.yaml` works through pre-commit itself: `pre-commit try-repo` on a local
clone of this repository builds the hook's environment (pip installs the package from the
clone, as it would from a tag) and runs `slo validate` in a repository of specs: it passes on
the examples and fails, naming file:line:col, on a broken spec.

Offline: pip is told not to reach an index (PIP_NO_INDEX), to take setuptools and slo's
dependencies from the dev environment (PYTHONPATH, no build isolation) and not to resolve
dependencies (PIP_NO_DEPS); everything else is pre-commit's own doing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.install.conftest import ROOT, source_copy

GIT = ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test"]


def _repo(path: Path) -> Path:
    subprocess.run([*GIT, "init", "-q", str(path)], check=True)
    subprocess.run([*GIT, "-C", str(path), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(path), "commit", "-qm", "init"], check=True)
    return path


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _repo(source_copy(tmp_path_factory.mktemp("hook") / "slo"))


def _try_repo(hook: Path, target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(home),
        PIP_NO_INDEX="1",
        PIP_NO_DEPS="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of --no-build-isolation
        PYTHONPATH=sysconfig.get_paths()["purelib"],
    )
    pre_commit = [sys.executable, "-m", "pre_commit"]
    return subprocess.run(
        [*pre_commit, "try-repo", str(hook), "slo-validate", "--all-files"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "slo-validate" and hook["entry"] == "slo validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_pre_commit_try_repo_passes_on_the_examples_and_fails_on_a_bad_spec(
    hook_repo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "specs"
    shutil.copytree(ROOT / "examples", target, ignore=shutil.ignore_patterns("snapshot.json"))
    _repo(target)
    good = _try_repo(hook_repo, target, tmp_path / "home")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "slo validate (SLO specs)" in good.stdout and "Passed" in good.stdout

    spec = target / "payments.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.95", "objective: 101"))
    subprocess.run([*GIT, "-C", str(target), "commit", "-qam", "break"], check=True)
    bad = _try_repo(hook_repo, target, tmp_path / "home")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "- exit code: 2" in bad.stdout
    assert "payments.yaml:" in bad.stdout and "objective" in bad.stdout
