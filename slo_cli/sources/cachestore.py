"""The on-disk store of the incremental bin cache (issue 12, item 3): settled per-bin counts.

One file per server identity (``<key>.slocache`` under the cache directory, by default
``$XDG_CACHE_HOME/slo``), holding entries — one per counter selector set — of bins
``(lo, hi]`` with their counts per part, as packed float64 (NaN: no data). Format, version 1::

    b"SLOCACHE\\x01" | header length (8 bytes, little-endian) | header JSON | float64 body

The header names the file's server key, the body's SHA-256 and each entry's offset, bin count
and parts. A file with another magic, version or server key is foreign, one whose checksum or
header does not hold is corrupt: either is ignored with a one-line warning, never trusted.

The server key is a salted SHA-256 of the server URL, tenant, identity and lookback: the salt is
a random file of the cache directory, so the key names no secret and cannot be looked up
elsewhere. Writes happen once per run, under an exclusive lock of the directory: the file is
read again (unless it is the file this run read: same inode, size and mtime), this run's bins
merged into it (this run's win; each entry merged once, at save), written to a temporary file
and renamed over the old one, so a concurrent reader sees the old file or the new one, never
half of either. The directory is bounded: the least recently written files are removed beyond
`max_bytes`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"SLOCACHE\x01"
SUFFIX = ".slocache"
#: default bound of the cache directory (bytes)
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: bins narrower than an hour are kept this long after the newest bin of their entry (seconds)
FINE_KEEP_S = 2 * 86400.0
#: bins of an hour up to a day are kept this long (a report's hourly grid spans 37 days)
COARSE_KEEP_S = 40 * 86400.0
#: wider bins are kept this long after the newest bin of their entry (seconds)
WIDE_KEEP_S = 400 * 86400.0
#: most bins one entry keeps (the newest): a grid that does not repeat its bins (one counted
#: back from the evaluation instant) must not grow a file without bound
MAX_ENTRY_BINS = 8192


def default_dir(env: dict[str, str]) -> Path:
    """``$XDG_CACHE_HOME/slo``, or ``$HOME/.cache/slo`` without it (`env`: the environment)."""
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "."), ".cache")
    return Path(base) / "slo"


@dataclass
class Entry:
    """The cached bins of one counter selector set: bins (lo[i], hi[i]] sorted by (hi, lo),
    and the count of each part per bin."""

    lo: np.ndarray
    hi: np.ndarray
    values: dict[str, np.ndarray]
    #: the bins' codes sorted, and their order (computed on the first lookup; an entry's
    #: bins never change once built)
    _sorted: tuple[np.ndarray, np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def lookup(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Index into this entry of each bin (lo[i], hi[i]], or -1 where it is not cached."""
        want = _codes(lo, hi)
        if not self.lo.size:
            return np.full(want.size, -1)
        if self._sorted is None:
            have = _codes(self.lo, self.hi)
            order = np.argsort(have, kind="stable")
            self._sorted = (have[order], order)
        codes, order = self._sorted
        pos = np.minimum(np.searchsorted(codes, want), codes.size - 1)
        return np.where(codes[pos] == want, order[pos], -1)


def _codes(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One int64 per bin of whole seconds: its end and its width (each below 2**31 s)."""
    h = np.round(hi).astype(np.int64)
    return h * (1 << 31) + (h - np.round(lo).astype(np.int64))


def merge(old: Entry | None, new: Entry) -> Entry:
    """`new`'s bins and those of `old` it does not hold (same parts only), pruned by age."""
    if old is not None and set(old.values) == set(new.values) and old.lo.size:
        keep = new.lookup(old.lo, old.hi) < 0
        lo = np.concatenate([old.lo[keep], new.lo])
        hi = np.concatenate([old.hi[keep], new.hi])
        values = {p: np.concatenate([old.values[p][keep], new.values[p]]) for p in new.values}
    else:
        lo, hi, values = new.lo, new.hi, new.values
    newest = float(hi.max()) if hi.size else 0.0
    width = hi - lo
    keep_s = np.where(
        width < 3600.0, FINE_KEEP_S, np.where(width < 86400.0, COARSE_KEEP_S, WIDE_KEEP_S)
    )
    fresh = hi >= newest - keep_s
    if fresh.sum() > MAX_ENTRY_BINS:
        fresh &= hi >= np.sort(hi[fresh])[-MAX_ENTRY_BINS]
    order = np.lexsort((lo[fresh], hi[fresh]))
    return Entry(
        lo[fresh][order], hi[fresh][order], {p: v[fresh][order] for p, v in values.items()}
    )


def salt(root: Path) -> bytes:
    """The cache directory's random salt, created once (atomically) on first use."""
    path = root / "salt"
    with contextlib.suppress(FileNotFoundError):
        got = path.read_bytes()
        if len(got) == 32:
            return got
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".salt.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    try:
        os.link(tmp, path)  # the first writer wins; every run then reads the same salt
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def server_key(root: Path, *parts: str) -> str:
    """A salted hash naming one server identity (URL, tenant, identity, lookback, …)."""
    h = hashlib.sha256(salt(root))
    for p in parts:
        h.update(len(p).to_bytes(8, "little") + p.encode("utf-8"))
    return h.hexdigest()[:32]


def entry_key(*parts: str) -> str:
    """A plain hash naming one counter selector set within a server's file."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


class CacheStore:
    """The cached entries of one server identity under `root`; `warn` gets one line per file
    that is ignored (foreign or corrupt)."""

    def __init__(
        self,
        root: Path,
        key: str,
        warn: Callable[[str], None],
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.root = root
        self.key = key
        self.warn = warn
        self.max_bytes = max_bytes
        self.path = root / f"{key}{SUFFIX}"
        #: the file as this store last read or wrote it (inode, size, mtime): unchanged at
        #: save(), it need not be read again
        self._seen: tuple[int, int, int] | None = None
        #: entries as read at the start of the run
        self.entries: dict[str, Entry] = self._read()
        #: the bins this run counted per entry, in order, merged and written by save()
        self.pending: dict[str, list[Entry]] = {}
        #: entries whose cached bins this run dropped (replace()): not merged on save()
        self.dropped: set[str] = set()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _read(self) -> dict[str, Entry]:
        self._seen = None
        try:
            seen = self._stat()
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.warn(f"cache file {self.path} not read ({exc.strerror}): ignored")
            return {}
        try:
            got = self._parse(raw)
            self._seen = seen if seen is not None and seen[1] == len(raw) else None
            return got
        except _Foreign as exc:
            self.warn(f"cache file {self.path} is not ours ({exc}): ignored")
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            self.warn(f"cache file {self.path} is corrupt ({exc}): ignored")
        return {}

    def _parse(self, raw: bytes) -> dict[str, Entry]:
        if not raw.startswith(MAGIC):
            raise _Foreign("no slo cache header")
        at = len(MAGIC)
        size = int.from_bytes(raw[at : at + 8], "little")
        header = json.loads(raw[at + 8 : at + 8 + size].decode("utf-8"))
        if header.get("server") != self.key:
            raise _Foreign("another server's key")
        body = raw[at + 8 + size :]
        if hashlib.sha256(body).hexdigest() != header["sha256"] or len(body) % 8:
            raise ValueError("checksum mismatch")
        data = np.frombuffer(body, dtype="<f8")
        out: dict[str, Entry] = {}
        for name, (offset, n, parts) in header["entries"].items():
            cols = [data[offset + i * n : offset + (i + 1) * n] for i in range(2 + len(parts))]
            if any(c.size != n for c in cols):
                raise ValueError("truncated body")
            out[str(name)] = Entry(cols[0], cols[1], dict(zip(parts, cols[2:], strict=True)))
        return out

    def put(self, name: str, entry: Entry) -> None:
        """Keep `entry`'s bins for `name` for save(), which merges them into the cached ones
        (a later put's bins win)."""
        self.pending.setdefault(name, []).append(entry)

    def replace(self, name: str, entry: Entry) -> None:
        """Keep `entry`'s bins for `name` instead of every bin cached for it (a failed
        self-check, --refresh)."""
        self.dropped.add(name)
        self.pending[name] = [entry]

    def save(self) -> None:
        """Write this run's entries: under the lock, merged into the file as it is now (an
        entry replaced this run is written as this run counted it). `entries` then holds
        what was written, for the next run of a long-lived process (`slo check --watch`)."""
        if not self.pending:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock():
            # the file as another run may have left it; unchanged since read, what was read
            same = self._seen is not None and self._stat() == self._seen
            current = dict(self.entries) if same else self._read()
            for name, entries in self.pending.items():
                got = None if name in self.dropped else current.get(name)
                for entry in entries:
                    got = merge(got, entry)
                if got is not None:
                    current[name] = got
            self._write(current)
            self._seen = self._stat()
            self._bound()
        self.entries = current
        self.pending = {}
        self.dropped = set()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.root / "lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _write(self, entries: dict[str, Entry]) -> None:
        index: dict[str, list[object]] = {}
        cols: list[np.ndarray] = []
        offset = 0
        for name, e in sorted(entries.items()):
            parts = sorted(e.values)
            index[name] = [offset, int(e.lo.size), parts]
            cols += [e.lo, e.hi] + [e.values[p] for p in parts]
            offset += e.lo.size * (2 + len(parts))
        body = np.concatenate(cols).astype("<f8").tobytes() if cols else b""
        header = json.dumps(
            {"server": self.key, "sha256": hashlib.sha256(body).hexdigest(), "entries": index},
            separators=(",", ":"),
        ).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".write.", suffix=SUFFIX + ".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + len(header).to_bytes(8, "little") + header + body)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _bound(self) -> None:
        """Remove the least recently written files while the directory exceeds max_bytes."""
        files = sorted(self.root.glob("*" + SUFFIX), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        for p in files:
            if total <= self.max_bytes:
                break
            total -= p.stat().st_size
            p.unlink()


class _Foreign(ValueError):
    """A file that is not a cache file of this server identity."""
