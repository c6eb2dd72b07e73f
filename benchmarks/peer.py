"""slo check vs Google's slo-generator 2.6 on one real Prometheus, and the server's floor.

    .venv/bin/python benchmarks/peer.py          # 200 services; 200 and 1,000 SLOs; 3 rounds
    .venv/bin/python benchmarks/peer.py --sizes 200 --repeat 5

Data: `benchmarks/prometheus.py`'s generator (N services, `http_requests_total{service,
code="200"|"500"}`, jittered 60 s scrapes, an incident, a counter reset in every tenth service),
ending a minute before the script starts so slo-generator — which evaluates at the wall clock with
the Prometheus backend, whatever `--timestamp` says — reads the same 30 days. Per size in
`--sizes`, N ÷ services availability SLOs per service over the same series, written for both
tools: 1 per service = 99.9 % over 30 days; 5 per service (1,000 SLOs on 200 services) add
99.5 %/28d, 99.9 %/7d, 99.95 % over the calendar month (Europe/Berlin) and 99 %/30d (for
slo-generator, whose windows are its error budget policy's, the same 5 goals).

Printed per size, each a median of `--repeat` rounds (each round runs, for every size: peer,
live, replay, so load changes hit all of them alike):

- slo-generator 2.6 `compute` (5 policy windows: 1h, 6h, 1d, 3d, 30d): wall, client CPU (the
  process' user+system), server CPU (Prometheus' /proc utime+stime), HTTP API requests (the
  server's own `prometheus_http_requests_total`). It is installed on demand into a separate venv
  (`--peer-venv`, default `.venv-peer`, git-ignored), never a project dependency.
- `slo check --format json --no-cache` (cold: nothing cached): the same four figures, and
  whether every SLO's good/total over its window equals the generator's truth.
- `slo check --from` a snapshot of exactly those answers: the client's own work without a server.
- The server's floor: every query one more live `slo check` sends (recorded by a proxy in front
  of the server, batched as a live run batches them), run again one at a time with `stats=all`
  and summed (`totalQueryableSamples`, `evalTotalTime`), against one instant
  `sum(count_over_time(http_requests_total[30d]))` over all the SLOs' series.

Nothing is asserted (tests never assert wall time).
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

import requests  # noqa: E402
from prometheus import generate  # noqa: E402

from tests.countproxy import counting_proxy  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

SLO = str(Path(sys.executable).parent / "slo")
PEER_PIN = ("slo-generator[prometheus]==2.6.0", "setuptools<81")
PEER_WINDOWS = (3600, 21600, 86400, 3 * 86400, 30 * 86400)
#: the SLOs of one service, in order: (objective %, window) — the first `per_service` are used
VARIANTS = (
    (99.9, "30d"),
    (99.5, "28d"),
    (99.9, "7d"),
    (99.95, "{calendar: month, timezone: Europe/Berlin}"),
    (99.0, "30d"),
)


def specs_yaml(services: int, per_service: int) -> str:
    """slo's specs: `per_service` availability SLOs (VARIANTS) per service."""
    docs = []
    for i in range(services):
        svc = f"svc{i:04d}"
        slos = "".join(
            f"  - name: availability-{k}\n    objective: {obj}\n    window: {win}\n"
            f"    sli:\n      ratio:\n"
            f'        good: \'http_requests_total{{service="{svc}",code!~"5.."}}\'\n'
            f"        total: 'http_requests_total{{service=\"{svc}\"}}'\n"
            for k, (obj, win) in enumerate(VARIANTS[:per_service])
        )
        docs.append(f"version: slo/v1\nservice: {svc}\nslos:\n{slos}")
    return "---\n".join(docs)


def peer_venv(path: Path) -> Path | None:
    """The slo-generator executable in its own venv, created on first use; None if it fails."""
    exe = path / "bin" / "slo-generator"
    if exe.exists():
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "pip"), "install", "-q", *PEER_PIN], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"# slo-generator 2.6 could not be installed ({exc}); measuring the rest")
        return None
    return exe


def peer_configs(folder: Path, n: int, url: str, per_service: int = 1) -> Path:
    """slo-generator's shared config and one SLO file per SLO (`per_service` per service, the
    goals of VARIANTS); returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    steps = "".join(
        f"    - name: w{w}\n      burn_rate_threshold: 1\n      alert: false\n"
        f"      message_alert: a\n      message_ok: ok\n      window: {w}\n"
        for w in PEER_WINDOWS
    )
    cfg = folder / "config.yaml"
    cfg.write_text(
        f"backends:\n  prometheus:\n    url: {url}\nexporters: {{}}\n"
        f"error_budget_policies:\n  default:\n    steps:\n{steps}",
        encoding="utf-8",
    )
    slos = folder / "slos"
    slos.mkdir(exist_ok=True)
    for i in range(n):
        svc = f"svc{i:04d}"
        for k, (obj, _) in enumerate(VARIANTS[:per_service]):
            _peer_slo(slos / f"{svc}-{k}.yaml", svc, k, obj / 100)
    return cfg


def _peer_slo(path: Path, svc: str, k: int, goal: float) -> None:
    """One slo-generator SLO file."""
    path.write_text(
        "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\n"
        f"metadata:\n  name: {svc}-availability-{k}\n  labels:\n    service_name: {svc}\n"
        f"    feature_name: api\n    slo_name: availability-{k}\n"
        "spec:\n  description: availability\n  backend: prometheus\n"
        f"  method: good_bad_ratio\n  exporters: []\n  goal: {goal}\n"
        "  service_level_indicator:\n"
        f'    filter_good: http_requests_total{{service="{svc}",code!~"5.."}}\n'
        f'    filter_valid: http_requests_total{{service="{svc}"}}\n',
        encoding="utf-8",
    )


def server_cpu(pid: int) -> float:
    """Prometheus' CPU seconds so far (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def api_requests(url: str) -> float:
    """HTTP API requests the server has answered so far (its own counter)."""
    text = requests.get(url + "/metrics", timeout=30).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("prometheus_http_requests_total{") and 'handler="/api/' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def measured(cmd: list[str], server: Any, ok: tuple[int, ...] = (0, 1, 4)) -> dict[str, Any]:
    """Run `cmd` once: wall, its CPU, the server's CPU and API requests, and its stdout."""
    cpu0, srv0, req0 = os.times(), server_cpu(server.pid), api_requests(server.url)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    cpu1, srv1, req1 = os.times(), server_cpu(server.pid), api_requests(server.url)
    if done.returncode not in ok:
        raise SystemExit(f"{Path(cmd[0]).name} exited {done.returncode}: {done.stderr[-600:]!r}")
    return {
        "wall": wall,
        "cpu": (cpu1.children_user - cpu0.children_user)
        + (cpu1.children_system - cpu0.children_system),
        "server_cpu": srv1 - srv0,
        "requests": req1 - req0,  # /metrics itself is not an API handler
        "stdout": done.stdout,
    }


def exactness(stdout: bytes, truth: dict[str, list[Any]]) -> tuple[int, int]:
    """(SLOs whose good and total equal the truth over their window, SLOs)."""
    doc = json.loads(stdout)
    ok = 0
    for r in doc["slos"]:
        a, b = r["window_start_epoch_seconds"], r["window_end_epoch_seconds"]
        series = truth[r["service"]]
        total = sum(s.count(a, b) for s in series)
        good = sum(s.count(a, b) for s in series if s.labels["code"] == "200")
        ok += r["good_count"] == good and r["total_count"] == total
    return ok, len(doc["slos"])


def stats_of(url: str, path: str, params: dict[str, str]) -> tuple[float, float]:
    """(totalQueryableSamples, evalTotalTime s) of one query, run again with stats=all."""
    r = requests.post(url + path, data={**params, "stats": "all"}, timeout=600)
    r.raise_for_status()
    st = r.json()["data"].get("stats") or {}
    return (
        float(st.get("samples", {}).get("totalQueryableSamples", math.nan)),
        float(st.get("timings", {}).get("evalTotalTime", math.nan)),
    )


def sent_calls(url: str, live: list[str]) -> list[tuple[str, dict[str, str]]]:
    """The query calls one live run of `live` (an `slo check --no-cache` command line) sends
    the server, batched as it batches them: recorded by a proxy in front of the server."""
    with counting_proxy(url) as proxy:
        cmd = [proxy.url if a == url else a for a in live]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        if done.returncode not in (0, 1, 4):  # a failed run's calls are not a run's calls
            raise SystemExit(f"slo exited {done.returncode}: {done.stderr[-600:]!r}")
        return [(path, dict(params)) for path, params in proxy.calls]


def floor(url: str, live: list[str], at: float) -> dict[str, Any]:
    """Server samples and eval time of every query one live run sends (each run again, one at a
    time, with stats=all) vs one count_over_time scan."""
    samples = seconds = 0.0
    kinds: dict[str, list[Any]] = {}
    calls = sent_calls(url, live)
    for path, params in calls:
        s, t = stats_of(url, path, params)
        samples, seconds = samples + s, seconds + t
        step = params.get("step")
        if step:
            kind = f"range, step {step} s"
        elif "last_over_time" in params["query"]:
            kind = "cut pieces (offsets)"
        else:
            kind = "raw samples"
        k = kinds.setdefault(kind, [0, 0.0, 0.0])
        k[0], k[1], k[2] = k[0] + 1, k[1] + s, k[2] + t
    queries = len(calls)
    scan = {"query": "sum(count_over_time(http_requests_total[30d]))", "time": f"{at:.3f}"}
    runs = [stats_of(url, "/api/v1/query", scan) for _ in range(3)]
    # what an exact plan cannot do without, over the same series in one query each: every
    # sample read for resets, and the last values at daily edges (which opens every chunk again)
    parts = {
        "resets() over the 30 days": (
            "/api/v1/query",
            {"query": "sum(resets(http_requests_total[30d]))", "time": f"{at:.3f}"},
        ),
        "last values at the 31 daily edges": (
            "/api/v1/query_range",
            {
                "query": "sum(last_over_time(http_requests_total[5m]))",
                "start": f"{at - 30 * 86400:.3f}",
                "end": f"{at:.3f}",
                "step": "86400",
            },
        ),
    }
    floor_parts = {
        name: statistics.median(stats_of(url, path, p)[1] for _ in range(3))
        for name, (path, p) in parts.items()
    }
    return {
        "queries": queries,
        "kinds": kinds,
        "samples": samples,
        "seconds": seconds,
        "scan_samples": runs[0][0],
        "scan_seconds": statistics.median(r[1] for r in runs),
        "parts": floor_parts,
    }


def row(name: str, runs: list[dict[str, Any]]) -> str:
    if not runs:
        return f"{name:28} (not measured)"
    med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "server_cpu")}
    lo, hi = min(r["wall"] for r in runs), max(r["wall"] for r in runs)
    reqs = statistics.median(r["requests"] for r in runs)
    return (
        f"{name:28} wall {med['wall']:6.2f} s ({lo:.2f}–{hi:.2f})  client CPU "
        f"{med['cpu']:6.2f} s  server CPU {med['server_cpu']:6.2f} s  requests {reqs:6.0f}"
    )


def prepare(
    root: Path, n: int, services: int, url: str, at: float, peer: Path | None
) -> dict[str, list[str]]:
    """Specs, snapshot and the three commands of one size (n SLOs)."""
    per = n // services
    folder = root / f"n{n}"
    folder.mkdir()
    specs = folder / "specs.yaml"
    specs.write_text(specs_yaml(services, per), encoding="utf-8")
    base = [SLO, "check", str(specs), "--at", f"{at:.0f}", "--format", "json"]
    snap = folder / "snap.json"
    record = [SLO, "snapshot", str(specs), "--out", str(snap), "--at", f"{at:.0f}"]
    subprocess.run([*record, "--prometheus-url", url], check=True, capture_output=True)
    cmds = {
        # cold every round: the bin cache (on by default) would serve round 2 from round 1
        "live": [*base, "--prometheus-url", url, "--no-cache"],
        "replay": [*base[:-4], "--from", str(snap), "--format", "json"],
    }
    if peer:
        cfg = peer_configs(folder / "peer", services, url, per)
        cmds["peer"] = [str(peer), "compute", "-f", str(folder / "peer" / "slos"), "-c", str(cfg)]
    return cmds


def report(n: int, runs: dict[str, list[dict[str, Any]]], good: int, f: dict[str, Any]) -> None:
    """The figures of one size."""
    print(f"## {n} SLOs")
    print(row("slo-generator 2.6 compute", runs.get("peer", [])))
    print(row("slo check --format json", runs["live"]))
    print(row("slo check --from snapshot", runs["replay"]))
    print(f"exact: {good} of {n} SLOs' good and total equal the generator's truth")
    for kind, (count, samples, seconds) in sorted(f["kinds"].items()):
        print(f"  {kind:28} {count:5d} queries {samples:14,.0f} samples {seconds:7.2f} s")
    print(
        f"server floor: our {f['queries']:.0f} queries read {f['samples']:,.0f} samples in "
        f"{f['seconds']:.2f} s of evaluation; one count_over_time scan "
        f"{f['scan_samples']:,.0f} samples in {f['scan_seconds']:.2f} s → "
        f"{f['samples'] / f['scan_samples']:.2f}× samples, "
        f"{f['seconds'] / f['scan_seconds']:.2f}× time"
    )
    for name, seconds in f["parts"].items():
        ratio = seconds / f["scan_seconds"]
        print(f"  floor part: {name}: {seconds:.2f} s = {ratio:.2f}× the scan")
    lw = statistics.median(r["wall"] for r in runs["live"])
    if runs.get("peer"):
        pw = statistics.median(r["wall"] for r in runs["peer"])
        print(f"slo check is {pw / lw:.2f}× faster (wall) than the peer")
    lc = statistics.median(r["cpu"] for r in runs["live"])
    rc = statistics.median(r["cpu"] for r in runs["replay"])
    print(f"live client CPU / replay client CPU: {lc / rc:.2f}×")


def bytecode() -> None:
    """Compile slo's modules once, as installing a package does, so the measured runs load
    bytecode: the benchmark venv is an editable install, and where PYTHONDONTWRITEBYTECODE is
    set (as on our CI machines) every `slo` process would otherwise compile all of its own
    modules again (≈ 0.1 s a run). slo-generator's venv holds pip's compiled modules."""
    cmd = [sys.executable, "-m", "compileall", "-q", str(ROOT / "slo_cli"), str(ROOT / "slo_specs")]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def parse_sizes(ap: argparse.ArgumentParser, sizes: str) -> tuple[argparse.Namespace, list[int]]:
    """The data and size options every peer-style benchmark takes (benchmarks/cache.py too)."""
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--sizes", default=sizes, help="SLO counts, multiples of --services")
    ap.add_argument("--days", type=float, default=35.0)
    ap.add_argument("--scrape", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bytecode()
    out = [int(x) for x in args.sizes.split(",")]
    if any(n % args.services or not 1 <= n // args.services <= len(VARIANTS) for n in out):
        ap.error(f"each size must be 1 to {len(VARIANTS)} times --services")
    return args, out


def serve(args: argparse.Namespace, root: Path, end: float) -> tuple[dict[str, list[Any]], Any]:
    """The generated data (ending at `end`) in a fresh Prometheus under `root`: (truth, server)."""
    t0 = time.perf_counter()
    truth = generate(args.services, args.days, args.scrape, root / "data.om", end=end)
    server = start_prometheus(root / "data.om", root / "prom", timeout=600)
    print(
        f"# {args.services} services x 2 series, {args.days:g} days every {args.scrape:g} s, "
        f"loaded in {time.perf_counter() - t0:.0f} s; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    return truth, server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-venv", type=Path, default=ROOT / ".venv-peer")
    ap.add_argument("--no-peer", action="store_true", help="skip slo-generator")
    args, sizes = parse_sizes(ap, "200,1000")
    peer = None if args.no_peer else peer_venv(args.peer_venv)
    end = math.floor(time.time() / 60) * 60 - 60.0
    at = end + 30.0
    with tempfile.TemporaryDirectory(prefix="slo-bench-peer-") as tmp:
        root = Path(tmp)
        truth, server = serve(args, root, end)
        try:
            cmds = {n: prepare(root, n, args.services, server.url, at, peer) for n in sizes}
            runs: dict[int, dict[str, list[dict[str, Any]]]] = {
                n: {k: [] for k in ("peer", "live", "replay")} for n in sizes
            }
            for i in range(args.repeat):
                for n in sizes:
                    for kind in ("peer", "live", "replay"):
                        if kind in cmds[n]:
                            ok = (0,) if kind == "peer" else (0, 1, 4)
                            runs[n][kind].append(measured(cmds[n][kind], server, ok))
                print(f"# round {i + 1} done, load average {os.getloadavg()[0]:.1f}")
            for n in sizes:
                good, _ = exactness(runs[n]["live"][-1]["stdout"], truth)
                report(n, runs[n], good, floor(server.url, cmds[n]["live"], at))
            print(f"# load average {os.getloadavg()[0]:.1f} at the end; medians of {args.repeat}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
