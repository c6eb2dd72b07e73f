"""Which files a directory scan reads: `*.yaml`/`*.yml` (or the `include` globs), minus hidden
files and directories and the `exclude` globs (`--exclude`, a project config's `exclude:`).

A glob is relative to its `base` directory (the working directory for `--exclude`, the config
file's directory for its globs). A glob without a `/` matches a file or directory name anywhere
(`drafts`, `*.tmpl.yaml`); one with a `/` matches the path from `base` (`k8s/**`,
`team-a/drafts/*.yaml`); `**` matches any number of directories; a trailing `/` matches
directories only. Files named on the command line are read whatever the globs say.

>>> Glob("drafts", "/repo").matches("/repo/slos/drafts", is_dir=True)
True
>>> Glob("k8s/**", "/repo").matches("/repo/k8s/prod/deploy.yaml")
True
>>> Glob("k8s/**", "/repo").matches("/repo/slos/k8s.yaml")
False
>>> Glob("**/*.tmpl.yaml", "/repo").matches("/repo/a/b/x.tmpl.yaml")
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from slo_specs.errors import Problem

SPEC_SUFFIXES = (".yaml", ".yml")


def _regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out, i = out + "[" + ("^" + body[1:] if body.startswith("!") else body) + "]", end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


@dataclass(frozen=True)
class Glob:
    """One include or exclude pattern and the directory it is relative to."""

    pattern: str
    base: str

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str], bool, bool]:
        text = self.pattern.strip().replace(os.sep, "/")
        dirs_only = text.endswith("/")
        text = text.rstrip("/")
        if text.startswith("./"):
            text = text[2:]
        anchored = "/" in text
        return re.compile(_regex(text.lstrip("/")) + r"\Z"), anchored, dirs_only

    def matches(self, path: str, *, is_dir: bool = False) -> bool:
        regex, anchored, dirs_only = self._compiled
        if dirs_only and not is_dir:
            return False
        if not anchored:
            return regex.match(os.path.basename(path)) is not None
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.base))
        if rel == ".." or rel.startswith(".." + os.sep):
            return False
        return regex.match(rel.replace(os.sep, "/")) is not None


@dataclass(frozen=True)
class PathFilter:
    """What a directory scan reads: files matching `include` (default: *.yaml, *.yml), not
    hidden, and not matching (nor inside a directory matching) any `exclude` glob."""

    include: tuple[Glob, ...] = ()
    exclude: tuple[Glob, ...] = ()

    def excluded(self, path: str, *, is_dir: bool = False) -> bool:
        return any(g.matches(path, is_dir=is_dir) for g in self.exclude)

    def wanted(self, path: str) -> bool:
        name = os.path.basename(path)
        if name.startswith("."):
            return False
        if self.include:
            if not any(g.matches(path) for g in self.include):
                return False
        elif not name.endswith(SPEC_SUFFIXES):
            return False
        return not self.excluded(path)

    def describe(self) -> str:
        if self.include:
            return "no files matching " + ", ".join(g.pattern for g in self.include)
        return "no *.yaml or *.yml files"


def _scan(root: Path, where: PathFilter) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not where.excluded(os.path.join(dirpath, d), is_dir=True)
        )
        found += [
            os.path.join(dirpath, f)
            for f in sorted(filenames)
            if where.wanted(os.path.join(dirpath, f))
        ]
    return found


def find(
    paths: Iterable[str | os.PathLike[str]], where: PathFilter | None = None
) -> tuple[list[str], list[Problem], set[str]]:
    """The spec files `paths` name (files as given, directories scanned), the problems (a path
    that does not exist, a directory without spec files), and which files a scan found."""
    where = where or PathFilter()
    scanned: set[str] = set()
    files: list[str] = []
    problems: list[Problem] = []
    given = list(paths)
    for entry in given:
        path = Path(entry)
        if path.is_dir():
            found = _scan(path, where)
            if not found:
                problems.append(
                    Problem(str(path), 1, 1, "", f"{where.describe()} in this directory")
                )
            files += found
            scanned.update(os.path.normpath(f) for f in found)
        elif path.exists():
            files.append(str(path))
        else:
            problems.append(Problem(str(path), 1, 1, "", "no such file or directory"))
    unique = list(dict.fromkeys(os.path.normpath(f) for f in files))
    named = {os.path.normpath(str(p)) for p in given if not Path(p).is_dir()}
    return unique, problems, scanned - named
