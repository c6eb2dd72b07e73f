"""One real Prometheus holding tests/backtest/data.py's history, for the package."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.backtest import data as D
from tests.promserver import Server, prometheus_or_skip


@dataclass
class History:
    server: Server
    calendar_spec: Path
    composite_spec: Path


@pytest.fixture(scope="package")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    root = tmp_path_factory.mktemp("backtest-prom")
    calendar = root / "calendar.yaml"
    calendar.write_text(D.SPEC, encoding="utf-8")
    composite = root / "composite.yaml"
    composite.write_text(D.composite_spec(), encoding="utf-8")
    server = prometheus_or_skip(D.build().openmetrics(), root)
    try:
        yield History(server, calendar, composite)
    finally:
        server.stop()


@pytest.fixture(scope="package")
def composite_doc(history: History) -> dict[str, Any]:
    """`slo backtest --days 1 -f json` of the composite spec (members and composites)."""
    from tests.backtest.helpers import backtest

    return backtest(history.composite_spec, history.server.url, 1)


@pytest.fixture(scope="package")
def calendar_doc(history: History) -> dict[str, Any]:
    """`slo backtest --days 90 -f json` of the calendar spec (January to March 2026)."""
    from tests.backtest.helpers import backtest

    return backtest(history.calendar_spec, history.server.url, 90)
