"""Writing result files: atomically, so a failed run never leaves a half-written file.

Rules (README, "Exit codes"):

- only regular files are written: a directory, device, FIFO or socket at the path is refused
  (exit 2), never replaced;
- a symlink is followed: its target is written (atomically) and the link stays a link;
- a new file gets the mode the umask gives (0644 under umask 022), an existing file keeps its
  mode;
- the temp file lives beside the target as ``.NAME.slo-tmp-PID-N``; one left by a run that was
  killed (kill -9) is removed by the next write of the same file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from pathlib import Path

from slo_cli.errors import UsageError

_TMP_MARK = ".slo-tmp-"
_counter = itertools.count()


def write_atomically(path: str | Path, text: str, *, option: str = "--output") -> None:
    """Write ``text`` to ``path`` via a temp file in the same directory and ``os.replace``, so a
    reader (or an earlier run's file) never sees a half-written file. An OS error (missing
    directory, no permission, disk full) becomes a one-line usage error naming ``option``."""
    target = Path(os.path.realpath(path))  # a symlink: write what it points to
    existing = _existing(target, path, option)
    _remove_stale_temps(target)
    tmp = target.parent / f".{target.name}{_TMP_MARK}{os.getpid()}-{next(_counter)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror}") from None
    try:
        if existing is not None:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{option} {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _existing(target: Path, given: str | Path, option: str) -> os.stat_result | None:
    """The target's status if it exists; a usage error if it is not a regular file."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{option} {given}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "not a regular file"
        )
        raise UsageError(f"{option} {given}: {kind}; only regular files are written")
    return st


def _remove_stale_temps(target: Path) -> None:
    """Remove temp files of this target left by runs that no longer exist (killed mid-write)."""
    prefix = f".{target.name}{_TMP_MARK}"
    try:
        names = [n for n in os.listdir(target.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(target.parent / name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
