"""The CLI keeps numpy's OpenBLAS to one thread (slo_cli/cli/__init__.py): its thread pool
cost every run ≈ 0.1 s of CPU for arithmetic that never multiplies matrices. Each case runs in a
fresh interpreter, where numpy is imported after the CLI package, as the commands import it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, slo_cli.cli, numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


def _probe(env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    value, threads = done.stdout.split()
    return value, int(threads)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **extra}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts threads in /proc")
def test_numpy_starts_no_blas_threads_under_the_cli() -> None:
    assert _probe(_env()) == ("1", 1)


def test_a_thread_count_the_user_set_is_kept() -> None:
    assert _probe(_env(OPENBLAS_NUM_THREADS="2"))[0] == "2"
