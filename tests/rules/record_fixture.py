"""Record tests/rules/fixtures/backtest-snapshot.json: `slo snapshot --backtest-days` of the
fixture spec on a real Prometheus holding tests/rules/data.py's history (the incident is
inside the replayed span). Run `.venv/bin/python -m tests.rules.record_fixture` whenever the
queries the sources send change."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.promserver import start_prometheus
from tests.rules import data as D

HERE = Path(__file__).resolve().parent / "fixtures"
AT = D.END - 2 * 3600  # the incident (3 h to 2.5 h before END) is inside the last 0.1 days
DAYS = "0.1"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_prometheus(D.build().openmetrics, tmp)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "slo_cli",
                    "snapshot",
                    str(HERE / "shop.yaml"),
                    "--out",
                    str(HERE / "backtest-snapshot.json"),
                    "--at",
                    f"{AT:.0f}",
                    "--backtest-days",
                    DAYS,
                    "--prometheus-url",
                    server.url,
                ],
                check=True,
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
