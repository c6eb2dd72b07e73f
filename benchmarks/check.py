"""End-to-end wall time of `slo check` against a local Prometheus, and its start-up time offline.

    .venv/bin/python benchmarks/check.py                  # 200 and 1,000 SLOs, 5 start-up runs
    .venv/bin/python benchmarks/check.py --slos 200 --repeat 1

What it measures (each a separate `slo` process, as a user or CI job runs it):

1. `slo check SPECS --prometheus-url URL --at T --format json` for 200 and 1,000 SLOs. The data:
   200 services, each `http_requests_total{service, code="200"|"500"}` over 31 days, scraped every
   `--scrape` seconds; 1,000 SLOs = 5 per service (30d, 28d, 7d rolling, a Berlin calendar month,
   a 99 % variant). Baseline in the same run: the same SLOs replayed from a snapshot recorded with
   `slo snapshot` (`slo check --from`), i.e. the tool's own work without the server's.
2. Start-up: `slo check examples/ --from examples/snapshot.json` (the README's main job) against
   `slo --version` (the interpreter + CLI floor), median of `--startup-runs`.

Medians are printed; nothing is asserted (tests never assert wall time).
"""

from __future__ import annotations

import argparse
import os
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
WINDOWS = ("30d", "28d", "7d", "{calendar: month, timezone: Europe/Berlin}", "30d")
OBJECTIVES = (99.9, 99.5, 99.9, 99.95, 99.0)


def dataset(services: int, scrape: float, seed: int = 7) -> Dataset:
    """`services` services of 200s and 500s over 31 days (one reset in every tenth)."""
    rng = np.random.default_rng(seed)
    ds = Dataset()
    start, end = AT - 31 * DAY, AT + 600
    for i in range(services):
        t = scrape_times(start, end, scrape, offset=(i * 7.3) % scrape, rng=rng)
        resets = [AT - (i % 20 + 1) * DAY + 77] if i % 10 == 0 else []
        labels = {"service": f"svc{i:04d}", "job": "api"}
        add_counter(
            ds, "http_requests", {**labels, "code": "200"}, t, rates(t, 500, rng=rng), resets
        )
        add_counter(
            ds, "http_requests", {**labels, "code": "500"}, t, rates(t, 0.5, rng=rng), resets
        )
    return ds


def write_specs(folder: Path, services: int, per_service: int) -> int:
    """One native spec file per service with `per_service` SLOs; returns the SLO count."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(services):
        name = f"svc{i:04d}"
        slos = []
        for k in range(per_service):
            slos.append(
                f"  - name: availability-{k}\n"
                f"    objective: {OBJECTIVES[k]}\n"
                f"    window: {WINDOWS[k]}\n"
                "    sli:\n"
                "      ratio:\n"
                f'        bad: \'http_requests_total{{service="{name}",code=~"5.."}}\'\n'
                f"        total: 'http_requests_total{{service=\"{name}\"}}'\n"
            )
        text = f"version: slo/v1\nservice: {name}\nslos:\n" + "".join(slos)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return services * per_service


def timed(cmd: list[str], repeat: int, ok: tuple[int, ...] = (0, 1, 4)) -> list[float]:
    """Wall seconds of `repeat` runs of `cmd` (output discarded)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        out.append(time.perf_counter() - t0)
        if done.returncode not in ok:
            raise SystemExit(
                f"{' '.join(cmd[:3])} … exited {done.returncode}: {done.stderr[-400:]!r}"
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--scrape", type=float, default=300.0, help="scrape interval, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=5)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    print(f"# slo check benchmark ({env_note})")

    if args.startup_runs > 0:
        startup = timed(
            [SLO, "check", "examples/", "--from", "examples/snapshot.json"], args.startup_runs
        )
        floor = timed([SLO, "--version"], args.startup_runs)
        print(
            f"start-up: `slo check examples/ --from examples/snapshot.json` median "
            f"{statistics.median(startup):.2f} s (min {min(startup):.2f}); "
            f"`slo --version` median {statistics.median(floor):.2f} s"
        )

    with tempfile.TemporaryDirectory(prefix="slo-bench-check-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        text = dataset(args.services, args.scrape).openmetrics()
        server = start_prometheus(text, root / "prom")
        print(
            f"data: {args.services} services x 2 series, 31 days every {args.scrape:g} s "
            f"({len(text.splitlines()):,} samples) loaded in {time.perf_counter() - t0:.1f} s"
        )
        try:
            for n in args.slos:
                per = max(1, n // args.services)
                services = n // per
                specs = root / f"specs-{n}"
                count = write_specs(specs, services, per)
                live = [
                    SLO,
                    "check",
                    str(specs),
                    "--prometheus-url",
                    server.url,
                    "--at",
                    str(int(AT)),
                    "--format",
                    "json",
                ]
                t_live = timed(live, args.repeat)
                snap = root / f"snap-{n}.json"
                timed(
                    [
                        SLO,
                        "snapshot",
                        str(specs),
                        "--out",
                        str(snap),
                        "--at",
                        str(int(AT)),
                        "--prometheus-url",
                        server.url,
                    ],
                    1,
                    ok=(0,),
                )
                t_replay = timed(
                    [SLO, "check", str(specs), "--from", str(snap), "--format", "json"], args.repeat
                )
                print(
                    f"{count:>5} SLOs: live median {statistics.median(t_live):.2f} s "
                    f"(min {min(t_live):.2f}, {count / statistics.median(t_live):.0f} SLOs/s); "
                    f"replay from snapshot ({snap.stat().st_size / 1e6:.1f} MB) median "
                    f"{statistics.median(t_replay):.2f} s"
                )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
