"""Shared pytest fixtures. The Prometheus ones start one real server per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.datagen import SharedData, shared_dataset
from tests.promserver import Server, prometheus_or_skip


@pytest.fixture(scope="session")
def shared_data() -> SharedData:
    """The integration tests' generated history (31 days, see tests/datagen.shared_dataset)."""
    return shared_dataset()


@pytest.fixture(scope="session")
def prometheus(
    shared_data: SharedData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real Prometheus serving `shared_data` (fails when CI=true and it cannot start)."""
    server = prometheus_or_skip(shared_data.dataset.openmetrics(), tmp_path_factory.mktemp("prom"))
    try:
        yield server
    finally:
        server.stop()
