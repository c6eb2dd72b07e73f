"""Fixtures of the data-path tests: a source on each engine in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from tests.promserver import Server


def make_source(server: Server) -> PrometheusSource:
    """A PrometheusSource on `server` with its engine's preset, two workers."""
    settings = ConnectionSettings.from_sources({"url": server.url, "engine": server.engine}, {})
    return PrometheusSource(settings, clock=system_clock(), workers=2)


@pytest.fixture(scope="module")
def source(engine_server: Server) -> Iterator[PrometheusSource]:
    """A source on each engine in turn (Prometheus, VictoriaMetrics): the same truth for both."""
    src = make_source(engine_server)
    yield src
    src.close()
