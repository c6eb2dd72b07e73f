"""10,000 SLOs in one `slo check` run against a local Prometheus: wall, peak RSS, requests, and
the most requests in flight at once (which `--workers` bounds).

    .venv/bin/python benchmarks/scale.py                      # 2,000 services x 5 = 10,000 SLOs
    .venv/bin/python benchmarks/scale.py --services 200 --sizes 100 1000

Data: `benchmarks/prometheus.py`'s generator (N services, `http_requests_total{service,
code="200"|"500"}`, jittered scrapes every `--scrape` seconds over `--days` days, an incident
2-3 h before the end, a counter reset in every tenth service), backfilled into a fresh
Prometheus. Specs: `benchmarks/check.py`'s `write_specs`, 5 SLOs per service (30d, 28d and 7d
rolling, a Berlin calendar month, 30d at 99 %); each size uses the first services. Windows longer
than the history are young SLOs, evaluated over the history they have with `--min-coverage 10`
(marked partial): the same queries and engine work as full windows, over less stored data.

Each size is one `slo check DIR --format json --output FILE --at END --workers W` process sent
through a counting proxy (tests/countproxy.py) in front of Prometheus. Printed per size: wall
seconds, SLOs per second, the child's peak RSS (`resource` rusage of the child, ru_maxrss), HTTP
requests, requests per SLO, the most requests in flight at once, and whether every SLO's good and
total counts equal the generator's truth. Baselines in the same run: the smaller sizes (how wall
and RSS grow per SLO) and `slo check examples/ --from examples/snapshot.json` (14 SLOs, no server:
the interpreter and imports' RSS). Nothing is asserted (tests never assert wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check import write_specs  # noqa: E402
from peer import bytecode  # noqa: E402
from prometheus import generate  # noqa: E402

from tests.countproxy import counting_proxy  # noqa: E402
from tests.datagen import END  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

SLO = str(Path(sys.executable).parent / "slo")


def child(cmd: list[str]) -> dict[str, Any]:
    """Run `cmd` (output discarded); its exit code, wall seconds and peak RSS (MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env()
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 4):
        raise SystemExit(f"{' '.join(cmd[:4])} … exited {proc.returncode}: {err[-600:]!r}")
    return {
        "code": proc.returncode,
        "wall_s": wall,
        "rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SLO_")}


def exact(doc: dict[str, Any], truth: dict[str, list[Any]]) -> tuple[int, int]:
    """(SLOs whose good and total equal the truth, SLOs checked)."""
    ok = n = 0
    for row in doc["slos"]:
        if row.get("total_count") is None:
            continue
        start, end = row["window_start_epoch_seconds"], row["window_end_epoch_seconds"]
        series = truth[row["service"]]
        total = sum(s.count(start, end) for s in series)
        good = sum(s.count(start, end) for s in series if s.labels["code"] == "200")
        n += 1
        ok += (row["total_count"], row["good_count"]) == (total, good)
    return ok, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=2000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="SLOs per run")
    ap.add_argument("--days", type=float, default=4.0, help="history length (default 4)")
    ap.add_argument("--scrape", type=float, default=120.0, help="scrape interval, s (120)")
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    bytecode()
    print(f"# slo check at scale ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    floor = child([SLO, "check", "examples/", "--from", "examples/snapshot.json"])
    print(f"floor: `slo check examples/ --from examples/snapshot.json`: {floor['rss_mib']:.0f} MiB")
    with tempfile.TemporaryDirectory(prefix="slo-bench-scale-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        truth = generate(args.services, args.days, args.scrape, root / "data.om", end=END)
        t1 = time.perf_counter()
        server = start_prometheus(root / "data.om", root / "prom", timeout=600)
        samples = sum(s.times.size for series in truth.values() for s in series)
        print(
            f"data: {args.services} services x 2 series, {args.days:g} days every "
            f"{args.scrape:g} s ({samples:,} samples): generated in {t1 - t0:.0f} s, "
            f"backfilled in {time.perf_counter() - t1:.0f} s; --workers {args.workers}"
        )
        print(
            "| SLOs | wall s | SLOs/s | peak RSS MiB | CPU s | requests | req/SLO "
            "| most in flight | exact |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        try:
            for n in args.sizes:
                specs = root / f"specs-{n}"
                write_specs(specs, n // 5, 5)
                out = root / f"out-{n}.json"
                cmd = [SLO, "check", str(specs), "--at", str(int(END)), "--format", "json"]
                cmd += ["--output", str(out), "--workers", str(args.workers)]
                cmd += ["--min-coverage", "10", "--fail-on", "never", "--no-cache"]  # cold
                with counting_proxy(server.url) as proxy:
                    got = child([*cmd, "--prometheus-url", proxy.url])
                ok, checked = exact(json.loads(out.read_text(encoding="utf-8")), truth)
                print(
                    f"| {n:,} | {got['wall_s']:.1f} | {n / got['wall_s']:.0f} "
                    f"| {got['rss_mib']:.0f} | {got['cpu_s']:.1f} | {proxy.requests:,} "
                    f"| {proxy.requests / n:.2f} | {proxy.max_in_flight} | {ok:,}/{checked:,} |",
                    flush=True,
                )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
