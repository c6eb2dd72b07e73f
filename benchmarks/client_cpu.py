"""Live client CPU vs the replay of the same answers (issue 12 item 2), on one real Prometheus.

    .venv/bin/python benchmarks/client_cpu.py                  # 200 services, 5 rounds
    .venv/bin/python benchmarks/client_cpu.py --services 40 --repeat 3

Data: `benchmarks/prometheus.py`'s generator (the same as `benchmarks/peer.py`: N services ×
2 series of jittered scrapes, an incident, a counter reset in every tenth service), one
availability SLO per service at 99.9 % over 30 days. The answers are recorded once with
`slo snapshot`; then, in interleaved rounds, each a separate `slo` process:

- `live`: `slo check --format json --prometheus-url …` (no cache: `--no-cache` when the CLI has it),
- `replay`: `slo check --format json --from` the snapshot (the same answers, no server),
- `baseline`: `slo --version` (start-up only, for information),
- with `--before DIR` (a source tree of another commit, e.g. from `git archive`): `before`, the
  same live run with that tree's code first on PYTHONPATH, in the same rounds.

Printed: the median client CPU (user + system of the process, all its threads) of each, their
ratio, and whether live and replay printed byte-identical JSON. CPU time, not wall: the machine
is shared. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from peer import SLO, bytecode, measured  # noqa: E402
from prometheus import generate, specs_yaml  # noqa: E402

from tests.promserver import start_prometheus  # noqa: E402


def no_cache_flag() -> list[str]:
    """`--no-cache` if this CLI has it (the live run must not be served from a cache)."""
    done = subprocess.run([SLO, "check", "--help"], capture_output=True, text=True, check=False)
    return ["--no-cache"] if "--no-cache" in done.stdout else []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--days", type=float, default=35.0)
    ap.add_argument("--scrape", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--before", type=Path, help="a source tree to measure live too")
    args = ap.parse_args()
    bytecode()
    end = math.floor(time.time() / 60) * 60 - 60.0
    at = f"{end + 30.0:.0f}"
    with tempfile.TemporaryDirectory(prefix="slo-bench-client-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate(args.services, args.days, args.scrape, root / "data.om", end=end)
        server = start_prometheus(root / "data.om", root / "prom", timeout=600)
        print(
            f"# {args.services} services x 2 series, {args.days:g} days every {args.scrape:g} s, "
            f"loaded in {time.perf_counter() - t0:.0f} s; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f} at start"
        )
        try:
            specs = root / "specs.yaml"
            specs.write_text(specs_yaml(args.services), encoding="utf-8")
            snap = root / "snap.json"
            workers = ["--workers", str(args.workers)]
            record = [SLO, "snapshot", str(specs), "--out", str(snap), "--at", at, *workers]
            subprocess.run(
                [*record, "--prometheus-url", server.url],
                check=True,
                capture_output=True,
            )
            base = [SLO, "check", str(specs), "--at", at, "--format", "json"]
            cmds = {
                "live": [*base, *workers, *no_cache_flag(), "--prometheus-url", server.url],
                "replay": [*base, "--from", str(snap)],
                "baseline": [SLO, "--version"],
            }
            if args.before:
                cmds["before"] = ["env", f"PYTHONPATH={args.before}", *cmds["live"]]
            runs: dict[str, list[dict]] = {k: [] for k in cmds}
            for _ in range(args.repeat):
                for name, cmd in cmds.items():
                    runs[name].append(measured(cmd, server, ok=(0, 1, 4)))
            same = all(r["stdout"] == runs["replay"][0]["stdout"] for r in runs["live"])
            same = same and all(r["stdout"] == runs["replay"][0]["stdout"] for r in runs["replay"])
            med = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
            print(
                f"# load average {os.getloadavg()[0]:.1f} at the end; medians of {args.repeat}; "
                f"snapshot {snap.stat().st_size / 1e6:.1f} MB, "
                f"{statistics.median(r['requests'] for r in runs['live']):.0f} requests a live run"
            )
            for name, v in runs.items():
                cpus = sorted(r["cpu"] for r in v)
                print(
                    f"{name:9} client CPU {med[name]:6.2f} s  (min {cpus[0]:.2f}, max "
                    f"{cpus[-1]:.2f})  wall {statistics.median(r['wall'] for r in v):6.2f} s"
                )
            print(f"live client CPU / replay client CPU: {med['live'] / med['replay']:.2f}×")
            if "before" in med:
                print(f"  before ({args.before}): {med['before'] / med['replay']:.2f}×")
            less = (med["live"] - med["baseline"]) / (med["replay"] - med["baseline"])
            print(f"  the same less start-up (slo --version): {less:.2f}×")
            print(f"live and replay JSON byte-identical: {'yes' if same else 'NO'}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
