"""The incremental bin cache (slo_cli.sources.bincache) against a real Prometheus: a warm run
sends far fewer requests and prints the very bytes of a `--no-cache` run; another server behind
the same URL is detected by the self-check; servers and tenants never share entries; a corrupt
cache file or an unusable cache directory is a warning, never another result; `--refresh`
fetches everything again; `slo snapshot` records complete answers whatever the cache holds.
Every result is also checked against the generator's truth (tests/check/truth.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.check.conftest import slo
from tests.check.example_data import AT, ExampleData, build
from tests.check.truth import assert_matches_truth
from tests.clirun import Run
from tests.conftest import serving
from tests.countproxy import Counts, counting_proxy
from tests.promserver import Server

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def other_data() -> ExampleData:
    """The same stories from another seed: the same series, other counts."""
    return build(interval=120.0, seed=7)


@pytest.fixture(scope="module")
def other_prometheus(
    other_data: ExampleData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with serving(other_data.dataset.openmetrics(), tmp_path_factory.mktemp("other")) as server:
        yield server


@pytest.fixture()
def proxy(live_prometheus: Server) -> Iterator[Counts]:
    with counting_proxy(live_prometheus.url, samples=True) as counts:
        yield counts


def _check(url: str, *extra: str, at: float = AT, env: dict[str, str] | None = None) -> Run:
    args = ("check", "examples/", "--prometheus-url", url, "--at", str(int(at)))
    return slo(*args, "--format", "json", *extra, env=env)


def _counted(proxy: Counts, *extra: str, at: float = AT) -> tuple[Run, int]:
    proxy.reset()
    run = _check(proxy.url, *extra, at=at)
    assert run.code in (0, 1), run.stderr
    return run, proxy.requests


def _read(proxy: Counts, *extra: str, at: float = AT) -> tuple[Run, int]:
    """A run and the samples the server read for it."""
    run, _ = _counted(proxy, *extra, at=at)
    return run, proxy.samples


def test_a_warm_run_reads_far_less_and_prints_the_same_bytes(
    proxy: Counts, live_data: ExampleData
) -> None:
    plain, plain_n = _counted(proxy, "--no-cache")
    plain_s = proxy.samples
    cold, cold_n = _counted(proxy)
    warm, warm_n = _counted(proxy)
    warm_s = proxy.samples
    assert cold_n == plain_n  # a cold cache asks exactly what no cache asks
    assert warm.stdout == cold.stdout == plain.stdout
    assert warm.stderr == plain.stderr == ""
    # every run still counts the unsettled last minutes, each cut bin's pieces and the grid's
    # head bin (sources/cuts.py), a query each: what is saved is reading the settled history
    assert warm_n < plain_n and warm_s <= plain_s * 0.3, (warm_n, plain_n, warm_s, plain_s)
    assert_matches_truth(json.loads(warm.stdout), live_data)
    again, again_n = _counted(proxy)  # what a warm run stores keeps the next one warm
    assert again.stdout == plain.stdout and again_n == warm_n


def test_no_cache_neither_reads_nor_writes(proxy: Counts, tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    env = {"XDG_CACHE_HOME": str(cache)}
    assert _check(proxy.url, "--no-cache", env=env).code in (0, 1)
    assert not (cache / "slo").exists()
    assert _check(proxy.url, env={**env, "SLO_NO_CACHE": "1"}).code in (0, 1)
    assert not (cache / "slo").exists()
    assert _check(proxy.url, env=env).code in (0, 1)
    assert list((cache / "slo").glob("*.slocache"))


def test_another_server_behind_the_same_url_is_detected(
    proxy: Counts,
    live_prometheus: Server,
    other_prometheus: Server,
    other_data: ExampleData,
) -> None:
    _counted(proxy)  # the cache now holds the first server's bins
    proxy.upstream = other_prometheus.url
    try:
        plain, _ = _counted(proxy, "--no-cache")
        warm, _ = _counted(proxy)
    finally:
        proxy.upstream = live_prometheus.url
    assert "differ from the server's" in warm.stderr and "dropped" in warm.stderr
    assert warm.stdout == plain.stdout
    assert_matches_truth(json.loads(warm.stdout), other_data)


def test_two_servers_or_tenants_never_share_entries(
    proxy: Counts, other_prometheus: Server, other_data: ExampleData
) -> None:
    _, cold_n = _counted(proxy)
    # the same URL with another tenant header: a cold cache of its own
    _, tenant_n = _counted(proxy, "--header", "X-Scope-OrgID: team-b")
    assert tenant_n == cold_n
    # another URL: its own entries, counted from its own data
    other = _check(other_prometheus.url)
    assert other.stderr == ""
    assert_matches_truth(json.loads(other.stdout), other_data)
    plain_other = _check(other_prometheus.url, "--no-cache")
    assert other.stdout == plain_other.stdout


def test_a_corrupt_cache_file_is_a_warning_and_the_result_is_unchanged(
    proxy: Counts, live_data: ExampleData, tmp_path: Path
) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert _check(proxy.url, env=env).code in (0, 1)
    files = list((tmp_path / "slo").glob("*.slocache"))
    assert len(files) == 1
    raw = bytearray(files[0].read_bytes())
    raw[-9] ^= 0xFF  # one byte of a count flipped: its checksum no longer holds
    files[0].write_bytes(bytes(raw))
    run = _check(proxy.url, env=env)
    assert "is corrupt" in run.stderr and "ignored" in run.stderr
    assert run.stdout == _check(proxy.url, "--no-cache").stdout
    assert_matches_truth(json.loads(run.stdout), live_data)


def test_an_unusable_cache_directory_is_a_warning(proxy: Counts, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory\n")
    run = _check(proxy.url, env={"XDG_CACHE_HOME": str(blocker)})
    assert run.code in (0, 1)
    assert "slo: warning: cache off" in run.stderr
    assert run.stdout == _check(proxy.url, "--no-cache").stdout


def test_refresh_fetches_every_bin_again(proxy: Counts) -> None:
    plain, plain_n = _counted(proxy, "--no-cache")
    plain_s = proxy.samples
    _counted(proxy)
    refreshed, refreshed_n = _counted(proxy, "--refresh")
    assert refreshed_n == plain_n and refreshed.stdout == plain.stdout
    warm, _ = _read(proxy)  # and what it wrote serves the next run
    assert proxy.samples < plain_s * 0.3 and warm.stdout == plain.stdout


def test_a_snapshot_records_complete_answers_whatever_the_cache_holds(
    proxy: Counts, live_data: ExampleData, tmp_path: Path
) -> None:
    plain, _ = _counted(proxy, "--no-cache")
    _counted(proxy)  # a warm cache
    out = tmp_path / "snap.json"
    rec = slo("snapshot", "examples/", "--prometheus-url", proxy.url, "--at", str(int(AT)),
              "--out", str(out))  # fmt: skip
    assert rec.code == 0, rec.stderr
    replay = slo("check", "examples/", "--from", str(out), "--format", "json")
    assert replay.stdout == plain.stdout
    assert_matches_truth(json.loads(replay.stdout), live_data)


def test_report_and_backtest_are_warm_too_and_unchanged(proxy: Counts) -> None:
    for cmd in (
        ("report", "examples/", "--period", "7d", "-f", "json", "--generated-at", str(int(AT))),
        ("backtest", "examples/", "--days", "3"),
    ):
        base = (*cmd, "--prometheus-url", proxy.url, "--at", str(int(AT)))
        proxy.reset()
        plain = slo(*base, "--no-cache")
        plain_s = proxy.samples
        slo(*base)
        proxy.reset()
        warm = slo(*base)
        assert warm.code == plain.code and warm.stdout == plain.stdout, cmd
        assert proxy.samples < plain_s * 0.5, (cmd, proxy.samples, plain_s)


def test_explain_lists_every_query_of_an_uncached_run(proxy: Counts) -> None:
    base = ("check", "examples/", "--prometheus-url", proxy.url, "--at", str(int(AT)))
    explain = ("--explain", "checkout/availability", "--format", "json")
    proxy.reset()
    plain = slo(*base, *explain, "--no-cache")
    plain_n = proxy.requests
    slo(*base)  # a warm cache
    proxy.reset()
    again = slo(*base, *explain)
    assert again.stdout == plain.stdout and proxy.requests == plain_n
