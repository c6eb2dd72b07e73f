"""Writing result files: atomically, so a failed run never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from slo_cli.errors import UsageError


def write_atomically(path: str | Path, text: str, *, option: str = "--output") -> None:
    """Write ``text`` to ``path`` via a temp file in the same directory and ``os.replace``, so a
    reader (or an earlier run's file) never sees a half-written file. An OS error (missing
    directory, no permission, disk full) becomes a one-line usage error naming ``option``."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path(".")
        )
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"{option} {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
