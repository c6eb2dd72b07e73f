"""Shared pytest fixtures. The server ones start one real server per engine per test session."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.datagen import SharedData, shared_dataset
from tests.promserver import Server, prometheus_or_skip, server_or_skip, start_victoriametrics

#: the engines the exact-count tests run against (the `engine_server` fixture's parameters)
ENGINES = ("prometheus", "victoriametrics")


@pytest.fixture(autouse=True)
def _own_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test's live runs use a bin cache of their own (cold at the start), never the
    developer's $XDG_CACHE_HOME/slo."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("SLO_NO_CACHE", raising=False)


@pytest.fixture(scope="session")
def shared_data() -> SharedData:
    """The integration tests' generated history (31 days, see tests/datagen.shared_dataset)."""
    return shared_dataset()


@contextmanager
def serving(openmetrics_text: str, root: Path) -> Iterator[Server]:
    """A real Prometheus holding the samples of `openmetrics_text` (backfilled into `root`),
    stopped afterwards; fails when CI=true and it cannot start, else skips. The one way the
    session's shared servers are started (`prometheus` here, `live_prometheus` of
    tests/check)."""
    server = prometheus_or_skip(openmetrics_text, root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def prometheus(
    shared_data: SharedData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real Prometheus serving `shared_data` (fails when CI=true and it cannot start)."""
    with serving(shared_data.dataset.openmetrics(), tmp_path_factory.mktemp("prom")) as server:
        yield server


def stored_samples(server: Server, at: float, span: str = "100d") -> int:
    """Samples the server holds in the `span` before `at`, by its own count."""
    params = {"query": f'sum(count_over_time({{__name__=~".+"}}[{span}]))', "time": f"{at:.3f}"}
    if server.engine == "victoriametrics":
        params["nocache"] = "1"
    req = urllib.request.Request(
        server.url + "/api/v1/query", data=urllib.parse.urlencode(params).encode()
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        result = json.load(resp)["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0


@pytest.fixture(scope="session")
def victoriametrics(
    shared_data: SharedData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real VictoriaMetrics (our own process, loopback) holding the same samples as the
    `prometheus` fixture, imported with millisecond timestamps (fails when CI=true and it
    cannot start)."""
    text = shared_data.dataset.prometheus_text()
    root = tmp_path_factory.mktemp("vm")
    server = server_or_skip(lambda: start_victoriametrics(text, root), "VictoriaMetrics")
    try:
        held = stored_samples(server, shared_data.end + 1)
        assert held == shared_data.dataset.samples(), "VictoriaMetrics lost or added samples"
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=ENGINES)
def engine_server(request: pytest.FixtureRequest) -> Server:
    """Each engine's server in turn, holding the same shared data (same truth for both)."""
    server: Server = request.getfixturevalue(request.param)
    return server
