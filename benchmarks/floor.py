"""The client's floor (issue 12): `slo check --from SNAPSHOT` for 200 and 1,000 SLOs, no server.

    .venv/bin/python benchmarks/floor.py                        # generate, record, 5 rounds
    .venv/bin/python benchmarks/floor.py --keep /tmp/floor      # keep specs and snapshots there
    .venv/bin/python benchmarks/floor.py --keep /tmp/floor --before /tmp/main-tree

A warm `slo check` (every answer from the bin cache) still pays what a replay pays: start-up,
reading the specs, planning, counting from the answers, the engine, rendering. This measures
that floor on `benchmarks/peer.py`'s data and specs (200 services; 200 SLOs = 1 per service,
1,000 = 5 per service over the same series), recorded once with `slo snapshot` into a real
Prometheus (with `--keep DIR`: into DIR, and a later run with the same DIR reuses them without
a server). Then, in interleaved rounds, each a separate process of this tree's code
(`python -P -m slo_cli` with this tree first on PYTHONPATH):

- `baseline`: `slo --version` (the interpreter, the CLI's imports: the start-up floor),
- `replay N`: `slo check SPECS --from SNAPSHOT --format json` for each size,
- with `--before TREE` (a source tree of another commit, e.g. from `git archive`): `before N`,
  the same replays with that tree's code, in the same rounds.

Printed: median client CPU (user + system) and wall of each, the replay less the baseline, and
with `--before` the before/after ratio (of the medians and of the minimums: on a shared machine
the least CPU a run took is the steadier figure) and whether before and after printed
byte-identical JSON. CPU, not wall, is the figure to compare. Nothing is asserted.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from peer import VARIANTS, serve, specs_yaml  # noqa: E402


def slo(tree: Path, *args: str) -> list[str]:
    """`slo ARGS` run with `tree`'s code (first on PYTHONPATH; -P: not the working
    directory's, whatever it is)."""
    return ["env", f"PYTHONPATH={tree}", sys.executable, "-P", "-m", "slo_cli", *args]


def record(folder: Path, sizes: list[int], args: argparse.Namespace) -> float:
    """Specs and a snapshot per size under `folder` (reused when there); the instant."""
    at_file = folder / "at"
    if at_file.exists() and all((folder / f"n{n}" / "snap.json").exists() for n in sizes):
        return float(at_file.read_text(encoding="utf-8"))
    end = math.floor(time.time() / 60) * 60 - 60.0
    at = end + 30.0
    (folder / "data").mkdir(parents=True, exist_ok=True)
    _, server = serve(args, folder / "data", end)
    try:
        for n in sizes:
            sub = folder / f"n{n}"
            sub.mkdir(exist_ok=True)
            specs = sub / "specs.yaml"
            specs.write_text(specs_yaml(args.services, n // args.services), encoding="utf-8")
            cmd = slo(ROOT, "snapshot", str(specs), "--out", str(sub / "snap.json"))
            cmd += ["--at", f"{at:.0f}", "--prometheus-url", server.url]
            subprocess.run(cmd, check=True, capture_output=True)
    finally:
        server.stop()
    at_file.write_text(f"{at:.0f}\n", encoding="utf-8")
    return at


def measured(cmd: list[str]) -> dict[str, Any]:
    """Run `cmd` once: its wall time, its CPU (user + system) and its stdout."""
    cpu0 = os.times()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    if done.returncode not in (0, 1):  # 1: an SLO is breached (the data has an incident)
        raise SystemExit(f"{cmd} exited {done.returncode}: {done.stderr[-600:]!r}")
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return {"wall": wall, "cpu": cpu, "stdout": done.stdout}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--sizes", default="200,1000", help="SLO counts, multiples of --services")
    ap.add_argument("--days", type=float, default=35.0)
    ap.add_argument("--scrape", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="record into (or reuse from) this directory")
    ap.add_argument("--before", type=Path, help="a source tree to replay with too")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if any(n % args.services or not 1 <= n // args.services <= len(VARIANTS) for n in sizes):
        ap.error(f"each size must be 1 to {len(VARIANTS)} times --services")
    with tempfile.TemporaryDirectory(prefix="slo-bench-floor-") as tmp:
        folder = args.keep or Path(tmp)
        at = record(folder, sizes, args)
        cmds = {"baseline": slo(ROOT, "--version")}
        trees = {"replay": ROOT, **({"before": args.before} if args.before else {})}
        for n in sizes:
            sub = folder / f"n{n}"
            for name, tree in trees.items():
                specs, snap = str(sub / "specs.yaml"), str(sub / "snap.json")
                cmds[f"{name} {n}"] = slo(
                    tree, "check", specs, "--from", snap, "--at", f"{at:.0f}", "--format", "json"
                )
        print(
            f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
            f"{args.repeat} rounds"
        )
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in cmds}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                runs[name].append(measured(cmd))
        med = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
        print(f"# load average {os.getloadavg()[0]:.1f} at the end; medians")
        for name, v in runs.items():
            cpus = sorted(r["cpu"] for r in v)
            less = med[name] - med["baseline"]
            shown = "" if name == "baseline" else f"  less start-up {less:5.2f} s"
            print(
                f"{name:12} client CPU {med[name]:5.2f} s (min {cpus[0]:.2f}, max {cpus[-1]:.2f})"
                f"  wall {statistics.median(r['wall'] for r in v):5.2f} s{shown}"
            )
        for n in sizes:
            if args.before:
                same = {r["stdout"] for r in runs[f"replay {n}"] + runs[f"before {n}"]}
                ratio = med[f"before {n}"] / med[f"replay {n}"]
                least = min(r["cpu"] for r in runs[f"before {n}"]) / min(
                    r["cpu"] for r in runs[f"replay {n}"]
                )
                print(
                    f"{n} SLOs: before / after client CPU {ratio:.2f}× (medians), {least:.2f}× "
                    f"(minimums); JSON byte-identical: {'yes' if len(same) == 1 else 'NO'}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
