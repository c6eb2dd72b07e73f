"""The bin cache's store (slo_cli.sources.cachestore): exact round trips, keys that never mix
servers or name a secret, foreign and corrupt files ignored with a warning, merges under a lock
from concurrent writers, a bounded directory."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from slo_cli.sources import cachestore as cs


def _entry(his: list[float], width: float, good: list[float], total: list[float]) -> cs.Entry:
    hi = np.array(his, dtype=float)
    return cs.Entry(hi - width, hi, {"good": np.array(good), "total": np.array(total)})


def _store(root: Path, key: str = "k" * 32, **kw: object) -> tuple[cs.CacheStore, list[str]]:
    warnings: list[str] = []
    return cs.CacheStore(root, key, warnings.append, **kw), warnings  # type: ignore[arg-type]


def test_saved_bins_read_back_exactly_nan_included(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    store.put("e1", _entry([60.0, 120.0, 180.0], 60.0, [1.0, np.nan, 2**52 + 1.0], [3, np.nan, 9]))
    store.save()
    again, warnings = _store(tmp_path)
    e = again.entries["e1"]
    assert warnings == []
    assert e.lo.tolist() == [0.0, 60.0, 120.0] and e.hi.tolist() == [60.0, 120.0, 180.0]
    assert e.values["good"][0] == 1.0 and np.isnan(e.values["good"][1])
    assert e.values["good"][2] == 2**52 + 1.0  # float64 bits kept, not a decimal text
    # bins are found by (lo, hi): an hourly bin ending at 120 is another bin than a minute one
    assert e.lookup(np.array([60.0, 0.0, 3480.0]), np.array([120.0, 60.0, 120.0])).tolist() == [
        1,
        0,
        -1,
    ]


def test_a_merge_keeps_old_bins_and_this_runs_values_win(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    store.put("e", _entry([60.0, 120.0], 60.0, [1, 2], [1, 2]))
    store.save()
    store2, _ = _store(tmp_path)
    store2.put("e", _entry([120.0, 180.0], 60.0, [5, 6], [5, 6]))
    store2.save()
    e = _store(tmp_path)[0].entries["e"]
    assert e.hi.tolist() == [60.0, 120.0, 180.0]
    assert e.values["good"].tolist() == [1.0, 5.0, 6.0]


def test_fine_bins_older_than_two_days_before_the_newest_are_dropped() -> None:
    day = 86400.0
    old = _entry([60.0, 3600.0], 60.0, [1, 1], [1, 1])
    wide = cs.Entry(np.array([0.0]), np.array([3600.0]), {"good": np.ones(1), "total": np.ones(1)})
    new = _entry([3 * day], 60.0, [2], [2])
    got = cs.merge(cs.merge(old, wide), new)
    assert list(zip(got.lo.tolist(), got.hi.tolist(), strict=True)) == [
        (0.0, 3600.0),
        (3 * day - 60, 3 * day),
    ]


def test_server_keys_differ_per_url_tenant_identity_and_lookback(tmp_path: Path) -> None:
    base = ("http://127.0.0.1:9090", "tenant-a", "token-s3cr3t", "3600")
    keys = {cs.server_key(tmp_path, *base)}
    for i, other in enumerate(("http://127.0.0.1:9091", "tenant-b", "token-other", "300")):
        changed = list(base)
        changed[i] = other
        keys.add(cs.server_key(tmp_path, *changed))
    assert len(keys) == 5
    assert cs.server_key(tmp_path, *base) in keys  # stable within one cache directory
    # another directory has another salt: its keys cannot be matched against this one's
    assert cs.server_key(tmp_path / "other", *base) != cs.server_key(tmp_path, *base)


def test_no_file_of_the_cache_holds_the_identity(tmp_path: Path) -> None:
    key = cs.server_key(tmp_path, "http://127.0.0.1:9090", "", "Bearer token-s3cr3t", "3600")
    store, _ = _store(tmp_path, key)
    store.put("e", _entry([60.0], 60.0, [1], [1]))
    store.save()
    for f in tmp_path.iterdir():
        assert b"s3cr3t" not in f.read_bytes(), f


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda b: b"{}", "is not ours"),
        (lambda b: b[:-3], "is corrupt"),
        (lambda b: b[:-8] + b"\x00" * 8, "is corrupt"),
        (lambda b: b[:20], "is corrupt"),
    ],
    ids=["a foreign file", "a truncated file", "a changed count", "a cut header"],
)
def test_a_damaged_file_is_ignored_with_one_warning(
    tmp_path: Path, damage: Callable[[bytes], bytes], said: str
) -> None:
    store, _ = _store(tmp_path)
    store.put("e", _entry([60.0], 60.0, [1], [1]))
    store.save()
    store.path.write_bytes(damage(store.path.read_bytes()))
    again, warnings = _store(tmp_path)
    assert again.entries == {}
    assert len(warnings) == 1 and said in warnings[0] and str(store.path) in warnings[0]


def test_another_servers_file_under_this_name_is_foreign(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, "a" * 32)
    store.put("e", _entry([60.0], 60.0, [1], [1]))
    store.save()
    (tmp_path / ("b" * 32 + cs.SUFFIX)).write_bytes(store.path.read_bytes())
    other, warnings = _store(tmp_path, "b" * 32)
    assert other.entries == {} and "another server's key" in warnings[0]


def _writer(root: str, name: str) -> None:
    store = cs.CacheStore(Path(root), "k" * 32, lambda _: None)
    for i in range(20):
        store.put(name, _entry([60.0 * (i + 1)], 60.0, [i], [i]))
        store.save()


def test_concurrent_runs_merge_under_the_lock_and_leave_no_temporary_file(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), f"e{i}")) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    store, warnings = _store(tmp_path)
    assert warnings == []
    assert sorted(store.entries) == ["e0", "e1", "e2"]
    assert all(e.values["good"].tolist() == list(range(20)) for e in store.entries.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k" * 32 + cs.SUFFIX, "lock"]


def test_the_directory_is_bounded_by_removing_the_oldest_files(tmp_path: Path) -> None:
    sizes = []
    for i in range(3):
        store, _ = _store(tmp_path, f"{i}" * 32, max_bytes=10**9)
        store.put("e", _entry([60.0 * (k + 1) for k in range(100)], 60.0, [1] * 100, [1] * 100))
        store.save()
        sizes.append(store.path.stat().st_size)
    store, _ = _store(tmp_path, "3" * 32, max_bytes=sum(sizes[:2]) + 10)
    store.put("e", _entry([60.0 * (k + 1) for k in range(100)], 60.0, [1] * 100, [1] * 100))
    store.save()
    left = sorted(p.name[0] for p in tmp_path.glob("*" + cs.SUFFIX))
    assert left == ["2", "3"]


def test_the_default_directory_follows_xdg_cache_home() -> None:
    assert cs.default_dir({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/slo")
    assert cs.default_dir({"HOME": "/home/u"}) == Path("/home/u/.cache/slo")


def test_old_bins_and_bins_beyond_the_entry_bound_are_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = 86400.0
    newest = 1000 * day
    # a minute 3 days old, an hour 41 days old and a day 399 days old, then the newest minute
    his = [newest - 3 * day, newest - 41 * day, newest - 399 * day, newest]
    widths = [60.0, 3600.0, day, 60.0]
    hi = np.array(his)
    lo = hi - np.array(widths)
    entry = cs.Entry(lo, hi, {"total": np.arange(4.0)})
    kept = cs.merge(None, entry)
    assert kept.hi.tolist() == [newest - 399 * day, newest]  # by age, per width
    monkeypatch.setattr(cs, "MAX_ENTRY_BINS", 3)
    minutes = np.arange(1.0, 11.0) * 60.0
    capped = cs.merge(None, cs.Entry(minutes - 60.0, minutes, {"total": minutes}))
    assert capped.hi.tolist() == [480.0, 540.0, 600.0]  # the newest three


def test_a_run_saving_after_another_merges_into_the_file_as_that_run_left_it(
    tmp_path: Path,
) -> None:
    first, _ = _store(tmp_path)
    first.put("a", _entry([60.0], 60.0, [1], [1]))
    first.save()
    early, late = _store(tmp_path)[0], _store(tmp_path)[0]  # both read the file as it was
    late.put("b", _entry([60.0], 60.0, [2], [2]))
    late.save()
    early.put("a", _entry([120.0], 60.0, [3], [3]))
    early.save()  # the file changed since `early` read it: read again, `b` kept
    e = _store(tmp_path)[0].entries
    assert sorted(e) == ["a", "b"]
    assert e["a"].hi.tolist() == [60.0, 120.0] and e["a"].values["good"].tolist() == [1.0, 3.0]
    assert e["b"].values["good"].tolist() == [2.0]


def test_puts_of_one_entry_in_a_run_are_merged_in_order_and_an_unchanged_file_not_reread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = _store(tmp_path)
    store.put("e", _entry([60.0, 120.0], 60.0, [1, 2], [1, 2]))
    store.save()
    parsed: list[int] = []
    real = cs.CacheStore._parse

    def counting(self: cs.CacheStore, raw: bytes) -> dict[str, cs.Entry]:
        parsed.append(len(raw))
        return real(self, raw)

    monkeypatch.setattr(cs.CacheStore, "_parse", counting)
    again, _ = _store(tmp_path)
    again.put("e", _entry([120.0, 180.0], 60.0, [5, 6], [5, 6]))
    again.put("e", _entry([180.0], 60.0, [7], [7]))
    again.save()
    assert len(parsed) == 1  # read when opened, not again under the lock
    e = _store(tmp_path)[0].entries["e"]
    assert e.hi.tolist() == [60.0, 120.0, 180.0]
    assert e.values["good"].tolist() == [1.0, 5.0, 7.0]
