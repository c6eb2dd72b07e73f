"""Time to produce the HTML report (`slo report --format html`) for 200 SLOs.

    .venv/bin/python benchmarks/report.py                 # 200 SLOs, 3 runs each
    .venv/bin/python benchmarks/report.py --slos 50 --repeat 1

Each measurement is a separate `slo` process, as a user runs it:

1. end to end against a local Prometheus: `slo report SPECS --prometheus-url URL --period 7d
   --format html --output FILE` (fetch, engine, charts, HTML). The data: one service per SLO,
   `http_requests_total{service, code="200"|"500"}` over 45 days (the 7-day period, the one
   before it and their 30-day windows), scraped every `--scrape` seconds; every fifth service has
   a 3-hour incident in the period, so there are burn events to list.
2. the same report replayed from a snapshot of those answers (`--from`): the tool's own work
   without the server's;
3. the same replay as Markdown (no charts): the difference with 2 is the cost of 200 charts.

Medians are printed; nothing is asserted (tests never assert wall time).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.datagen import Dataset, add_counter, rates, scrape_times  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

SLO = str(Path(sys.executable).parent / "slo")
AT = 1_795_176_000.0  # 2026-11-20T12:00:00Z
DAY = 86400.0
HISTORY_DAYS = 45.0


def dataset(services: int, scrape: float, seed: int = 11) -> Dataset:
    """`services` services of 200s and 500s; every fifth one has an incident 2 days before AT."""
    rng = np.random.default_rng(seed)
    ds = Dataset()
    start, end = AT - HISTORY_DAYS * DAY, AT + 600
    incident = (AT - 2 * DAY, AT - 2 * DAY + 3 * 3600, 60.0)
    for i in range(services):
        t = scrape_times(start, end, scrape, offset=(i * 7.3) % scrape, rng=rng)
        per = scrape / 60.0
        labels = {"service": f"svc{i:04d}", "job": "api"}
        bad = rates(t, 0.5 * per, rng=rng, incidents=[incident] if i % 5 == 0 else [])
        add_counter(ds, "http_requests", {**labels, "code": "200"}, t, rates(t, 500 * per, rng=rng))
        add_counter(ds, "http_requests", {**labels, "code": "500"}, t, bad)
    return ds


def write_specs(folder: Path, services: int) -> None:
    """One spec file per service, one 99.9 % / 30d availability SLO each."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(services):
        name = f"svc{i:04d}"
        (folder / f"{name}.yaml").write_text(
            f"version: slo/v1\nservice: {name}\nslos:\n  - name: availability\n"
            "    objective: 99.9\n    window: 30d\n    sli:\n      ratio:\n"
            f'        bad: \'http_requests_total{{service="{name}",code="500"}}\'\n'
            f"        total: 'http_requests_total{{service=\"{name}\"}}'\n",
            encoding="utf-8",
        )


def timed(cmd: list[str], repeat: int) -> list[float]:
    """Wall seconds of `repeat` runs of `cmd` (each must exit 0)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        out.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:3])}… exited {done.returncode}: {done.stderr[-500:]}")
    return out


def record(url: str, specs: Path, out: Path) -> None:
    """A snapshot of exactly what the 7d report at AT asks the server."""
    from slo_cli.cli.connection import system_clock
    from slo_cli.plan import plan, report_needs, requests
    from slo_cli.report.period import resolve_period
    from slo_cli.sources.http import Recorder
    from slo_cli.sources.prometheus import PrometheusSource
    from slo_cli.sources.recorded import write_snapshot
    from slo_cli.sources.settings import ConnectionSettings
    from slo_specs import load_paths

    recorder = Recorder()
    source = PrometheusSource(
        ConnectionSettings(url=url), clock=system_clock(), workers=4, recorder=recorder
    )
    try:
        source.fetch(requests(plan(load_paths([specs]), report_needs(resolve_period("7d", AT)))))
    finally:
        source.close()
    write_snapshot(out, recorder, at=AT, recorded_at=AT, engine="prometheus", max_points=11_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=200)
    parser.add_argument("--scrape", type=float, default=300.0, help="scrape interval (s)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.slos
    with tempfile.TemporaryDirectory(prefix="slo-bench-report-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        text = dataset(n, args.scrape).openmetrics()
        samples = len(text.splitlines())
        server = start_prometheus(text, root / "prom", timeout=600)
        print(f"{n} SLOs: {samples:,} samples loaded in {time.perf_counter() - t0:.0f} s")
        try:
            specs = root / "specs"
            write_specs(specs, n)
            common = ["--period", "7d", "--at", str(int(AT)), "--generated-at", str(int(AT))]
            html = root / "report.html"
            live = timed(
                [SLO, "report", str(specs), "--prometheus-url", server.url, *common,
                 "--format", "html", "--output", str(html)],
                args.repeat,
            )  # fmt: skip
            snap = root / "snapshot.json"
            record(server.url, specs, snap)
        finally:
            server.stop()
        replay_html = timed(
            [SLO, "report", str(specs), "--from", str(snap), *common, "--format", "html",
             "--output", str(root / "replay.html")],
            args.repeat,
        )  # fmt: skip
        replay_md = timed(
            [SLO, "report", str(specs), "--from", str(snap), *common, "--format", "markdown",
             "--output", str(root / "replay.md")],
            args.repeat,
        )  # fmt: skip
        size = html.stat().st_size / 1e6
        print(
            f"HTML report, live Prometheus:   median {statistics.median(live):.2f} s "
            f"({size:.1f} MB)"
        )
        print(f"HTML report, replayed snapshot: median {statistics.median(replay_html):.2f} s")
        print(f"Markdown (no charts), replayed: median {statistics.median(replay_md):.2f} s")
        per_chart = (statistics.median(replay_html) - statistics.median(replay_md)) / n
        print(f"charts: about {per_chart * 1000:.0f} ms each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
