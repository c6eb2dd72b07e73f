"""The incremental bin cache (issue 12 item 3): cold vs warm `slo check` on one real Prometheus.

    .venv/bin/python benchmarks/cache.py                 # 200 SLOs on 200 services, 3 rounds
    .venv/bin/python benchmarks/cache.py --sizes 200,1000 --repeat 5

Data: benchmarks/peer.py's (benchmarks/prometheus.py's generator: N services,
`http_requests_total{service, code}`, jittered 60 s scrapes over 35 days, an incident, a counter
reset in every tenth service), ending 10 minutes after the instant AT. Per size, the specs of
benchmarks/peer.py. Each round runs, as separate `slo check --format json` processes:

- `--no-cache` at AT (the baseline) and at AT + 60 s;
- cold at AT (an empty cache directory), then warm at AT (the same instant) and warm at AT + 60 s
  (one minute later: only the bins new since then are fetched);

and prints per kind the median wall time, the HTTP API requests the server answered (its own
`prometheus_http_requests_total`), the server's CPU, and whether the JSON is byte-identical to
the `--no-cache` run at the same instant.

Then, per size, the same two evaluations in one process, as `slo check --watch` refreshes (one
source, its sessions, threads and cache kept; no start-up, no spec reading between them): the
first at AT with an empty cache, the second at AT + 60 s, each timed from the fetch to the
rendered table (`probe`, run in a fresh interpreter per round). Nothing is asserted (tests never
assert wall time).
"""

from __future__ import annotations

import argparse
import json
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

from peer import SLO, measured, parse_sizes, serve, specs_yaml  # noqa: E402

KINDS = ("no-cache", "cold", "warm", "no-cache +1m", "warm +1m")


def commands(specs: Path, url: str, at: float) -> dict[str, list[str]]:
    """The five runs of one round, in order (each round has a new, empty cache directory)."""
    base = [SLO, "check", str(specs), "--prometheus-url", url, "--format", "json"]
    now, later = ["--at", f"{at:.0f}"], ["--at", f"{at + 60:.0f}"]
    return {
        "no-cache": [*base, *now, "--no-cache"],
        "cold": [*base, *now],
        "warm": [*base, *now],
        "no-cache +1m": [*base, *later, "--no-cache"],
        "warm +1m": [*base, *later],
    }


def main() -> int:
    args, sizes = parse_sizes(argparse.ArgumentParser(description=__doc__.splitlines()[0]), "200")
    end = math.floor(time.time() / 60) * 60 - 60.0
    at = end - 600.0 + 30.0
    with tempfile.TemporaryDirectory(prefix="slo-bench-cache-") as tmp:
        root = Path(tmp)
        _, server = serve(args, root, end)
        try:
            runs: dict[int, dict[str, list[dict[str, Any]]]] = {n: {} for n in sizes}
            for i in range(args.repeat):
                for n in sizes:
                    specs = root / f"specs{n}.yaml"
                    specs.write_text(specs_yaml(args.services, n // args.services), "utf-8")
                    os.environ["XDG_CACHE_HOME"] = str(root / f"cache{n}-{i}")
                    for kind, cmd in commands(specs, server.url, at).items():
                        runs[n].setdefault(kind, []).append(measured(cmd, server))
                print(f"# round {i + 1} done, load average {os.getloadavg()[0]:.1f}")
            for n in sizes:
                report(n, runs[n])
                refreshes(root, n, server.url, at, args.repeat, runs[n])
            print(f"# load average {os.getloadavg()[0]:.1f} at the end; medians of {args.repeat}")
        finally:
            server.stop()
    return 0


def report(n: int, runs: dict[str, list[dict[str, Any]]]) -> None:
    """One table per size: medians, and the JSON compared with the --no-cache run."""
    print(f"\n{n} SLOs | wall (median) | HTTP requests | server CPU | JSON = --no-cache")
    print("--- | --- | --- | --- | ---")
    cold = statistics.median(r["wall"] for r in runs["cold"])
    for kind in KINDS:
        rs = runs[kind]
        wall = statistics.median(r["wall"] for r in rs)
        reqs = statistics.median(r["requests"] for r in rs)
        srv = statistics.median(r["server_cpu"] for r in rs)
        base = runs["no-cache +1m" if kind.endswith("+1m") else "no-cache"]
        same = all(r["stdout"] == b["stdout"] for r, b in zip(rs, base, strict=True))
        share = f" ({wall / cold:.0%} of cold)" if kind.startswith("warm") else ""
        print(f"{kind} | {wall:.2f} s{share} | {reqs:,.0f} | {srv:.2f} s | {same}")


def refreshes(
    root: Path, n: int, url: str, at: float, repeat: int, runs: dict[str, list[dict[str, Any]]]
) -> None:
    """The in-process figures of one size: `probe` in a fresh interpreter, `repeat` times."""
    got = []
    for i in range(repeat):
        env = dict(os.environ, XDG_CACHE_HOME=str(root / f"probe{n}-{i}"))
        cmd = [sys.executable, __file__, "--probe", str(root / f"specs{n}.yaml"), url, f"{at}"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        got.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cold = statistics.median(r["wall"] for r in runs["cold"])
    first = statistics.median(g["first"] for g in got)
    later = statistics.median(g["later"] for g in got)
    print(
        f"in one process (as --watch refreshes): the first evaluation {first:.2f} s, the one a "
        f"minute later {later:.2f} s ({later / cold:.0%} of the cold run's wall), "
        f"{statistics.median(g['later_requests'] for g in got):.0f} requests"
    )


def probe(specs: Path, url: str, at: float) -> None:
    """Two evaluations of `specs` at `at` and `at` + 60 s on one source, as a watch's refreshes
    do (slo_cli.cli.watch.run_check): each one's wall from the fetch to the rendered table."""
    from slo_cli.cli import common
    from slo_cli.cli.check import CheckRun
    from slo_cli.cli.connection import ConnectionOptions
    from slo_cli.render.formats import CheckFormat

    run = CheckRun(
        limits=(None, None),
        since=None,
        fail_on=None,
        min_remaining=None,
        min_coverage=None,
        allow_no_data=False,
        details=False,
        no_color=True,
        quiet=True,
    )
    loaded = common.load_specs([specs], None, None)
    out: dict[str, float] = {}
    with common.open_source(ConnectionOptions({"url": url})) as (_, source):
        for name, instant in (("first", at), ("later", at + 60.0)):
            sent = int(getattr(source, "requests_sent", 0))
            t0 = time.perf_counter()
            evaluation, code = run.once(loaded, source, instant, instant, progress=None)
            run.text(evaluation, code, CheckFormat.table, to_file=True)
            out[name] = time.perf_counter() - t0
            out[name + "_requests"] = int(getattr(source, "requests_sent", 0)) - sent
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--probe"]:
        probe(Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        raise SystemExit(0)
    raise SystemExit(main())
