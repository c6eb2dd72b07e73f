"""Start-up time of the CLI: `slo --help`, `slo validate examples/`, `slo budget 99.9`.

Prints the median over N runs of each command and, as a same-run baseline, the median of a bare
`python -c pass` (the interpreter's own floor on this machine). Target: `slo --help` under 0.3 s.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    cases = {
        "python -c pass (baseline)": [py, "-c", "pass"],
        "slo --help": [py, "-m", "slo_cli", "--help"],
        "slo validate examples/": [py, "-m", "slo_cli", "validate", "examples/"],
        "slo budget 99.9": [py, "-m", "slo_cli", "budget", "99.9"],
    }
    baseline = None
    print(f"median of {args.runs} runs each")
    for name, argv in cases.items():
        t = median_seconds(argv, args.runs)
        baseline = baseline or t
        print(f"{name:32s} {t * 1000:8.1f} ms   ({t / baseline:4.1f}x baseline)")


if __name__ == "__main__":
    main()
