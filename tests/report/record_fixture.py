"""Record `tests/report/data/examples-report.json`: the examples' story (tests/check/example_data)
loaded into a real Prometheus, and the answers `slo report examples/` needs at AT for
``--period 7d`` and ``--period week`` (one snapshot file holds both).

    .venv/bin/python -m tests.report.record_fixture [--out FILE]

Needs `prometheus` and `promtool`. The history reaches back DAYS so both periods, the periods
before them and their 30-day windows are covered.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.check.example_data import AT, build  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

#: history length (days before AT): week of 9 Nov, the week before, and a 30-day window before it
DAYS = 50.0
PERIODS = ("7d", "week")
OUT = ROOT / "tests" / "report" / "data" / "examples-report.json"


def record(url: str, out: Path, specs_dir: Path = ROOT / "examples") -> int:
    """Record the report answers for PERIODS at AT from the server at `url`; the answer count."""
    from slo_cli.report.build import plan, requests
    from slo_cli.report.period import resolve_period
    from slo_cli.sources.http import Recorder
    from slo_cli.sources.prometheus import PrometheusSource
    from slo_cli.sources.recorded import write_snapshot
    from slo_cli.sources.settings import ConnectionSettings
    from slo_specs import load_paths

    specs = load_paths([specs_dir])
    recorder = Recorder()
    settings = ConnectionSettings(url=url)
    source = PrometheusSource(settings, workers=2, recorder=recorder)
    try:
        for name in PERIODS:
            source.fetch(requests(plan(specs, resolve_period(name, AT))))
    finally:
        source.close()
    return write_snapshot(out, recorder, at=AT, engine="prometheus", max_points=11_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    t0 = time.monotonic()
    text = build(days=DAYS).dataset.openmetrics()
    print(f"generated {len(text.splitlines()):,} samples in {time.monotonic() - t0:.1f} s")
    with tempfile.TemporaryDirectory(prefix="slo-report-") as tmp:
        server = start_prometheus(text, tmp, timeout=300)
        try:
            n = record(server.url, Path(args.out))
        finally:
            server.stop()
    print(f"wrote {n} answers to {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
