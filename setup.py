"""Build hook: the wheel carries examples/ as package data under slo_cli/examples, so
`slo examples` and `slo demo` work from any install (pipx, uv tool, a wheel), not only a clone.

Everything else is in pyproject.toml. The examples stay at the repository's top level (the
README, the tests and scripts/record_examples.py use them there); they are copied into the
build tree here, never duplicated in the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithExamples(build_py):
    def run(self) -> None:
        super().run()
        source = HERE / "examples"
        if not source.is_dir():  # building from an sdist made without them
            return
        target = Path(self.build_lib) / "slo_cli" / "examples"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithExamples})
