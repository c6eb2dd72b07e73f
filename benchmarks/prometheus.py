"""Fetch cost of 30-day SLO data from a real Prometheus: our plan vs uniform bins vs a naive plan.

    .venv/bin/python benchmarks/prometheus.py                 # 200 services
    .venv/bin/python benchmarks/prometheus.py --services 1000

Generates N services (each `http_requests_total{service, code="200"|"500"}`, scraped every
`--scrape` seconds with unaligned jittered times, one counter reset in every tenth service;
with `--gaps`, scrape gaps in three of every ten services: 10 minutes 40 minutes before the end,
2.5 hours during the incident, 3 days ten days back — the counter keeps counting through each) into
a fresh local Prometheus, then fetches every service's ratio SLO over 30 days and prints, per plan:
HTTP requests per SLO, wall time, and whether every window's (5m … 30d) counts equal the
generator's truth. Plans, measured in the same run with the same number of workers:

- `plan`   : slo's grid (fine 1-minute bins for the last 3 days + 1 h, hourly before) — exact
- `1m`     : uniform 1-minute bins over 30 days (exact, 43,200 points per query)
- `5m`     : uniform 5-minute bins over 30 days
- `naive`  : one instant `sum(increase(x[w]))` per window per counter per SLO (inexact)

Each plan runs `--repeat` times after one warm-up pass over all the data; the best time counts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slo_cli.cli.connection import system_clock  # noqa: E402
from slo_cli.sources.grid import plan_grid  # noqa: E402
from slo_cli.sources.model import FetchRequest  # noqa: E402
from slo_cli.sources.prometheus import PrometheusSource  # noqa: E402
from slo_cli.sources.settings import ConnectionSettings  # noqa: E402
from slo_specs import load_text  # noqa: E402
from tests.datagen import END, Series, counter_values, scrape_times  # noqa: E402
from tests.promserver import start_prometheus  # noqa: E402

DAY = 86400.0
WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 30 * DAY]
LABELS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]


#: --gaps: service index % 10 -> its scrape gap (start, end) relative to END, seconds
GAPS = {
    3: (-40 * 60.0, -30 * 60.0),
    5: (-3.5 * 3600.0, -1.0 * 3600.0),
    7: (-10 * DAY, -7 * DAY),
}


def generate(
    n: int,
    days: float,
    scrape: float,
    path: Path,
    seed: int = 7,
    gaps: bool = False,
    end: float = END,
) -> dict[str, list[Series]]:
    """Write the OpenMetrics file; return each service's series (the truth), the last scrape
    before `end`."""
    rng = np.random.default_rng(seed)
    start = end - days * DAY
    truth: dict[str, list[Series]] = {}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# TYPE http_requests counter\n")
        for i in range(n):
            svc = f"svc{i:04d}"
            times = scrape_times(start, end, scrape, offset=float(rng.uniform(0, scrape)), rng=rng)
            resets = [end - float(rng.uniform(1, 20)) * DAY] if i % 10 == 0 else []
            incident = (times > end - 3 * 3600) & (times < end - 2 * 3600)
            out = []
            for code, lam in (("200", 20.0), ("500", 0.02)):
                inc = rng.poisson(lam * np.where(incident & (code == "500"), 100, 1)).astype(float)
                inc[0] += 100
                values = counter_values(inc, times, resets)
                gap = GAPS.get(i % 10) if gaps else None
                if gap is not None:  # not scraped, still counting: drop the samples only
                    keep = ~((times >= end + gap[0]) & (times < end + gap[1]))
                    times_k, values = times[keep], values[keep]
                else:
                    times_k = times
                s = Series("http_requests_total", {"service": svc, "code": code}, times_k, values)
                head = f'http_requests_total{{code="{code}",service="{svc}"}} '
                fh.write(
                    "\n".join(
                        f"{head}{int(v)} {t:.3f}"
                        for v, t in zip(values.tolist(), times_k.tolist(), strict=True)
                    )
                )
                fh.write("\n")
                out.append(s)
            truth[svc] = out
        fh.write("# EOF\n")
    return truth


def specs_yaml(n: int) -> str:
    docs = []
    for i in range(n):
        svc = f"svc{i:04d}"
        docs.append(
            f"version: slo/v1\nservice: {svc}\nslos:\n  - name: availability\n    objective: 99.9\n"
            f"    window: 30d\n    sli:\n      ratio:\n"
            f'        good: \'http_requests_total{{service="{svc}",code!~"5.."}}\'\n'
            f"        total: 'http_requests_total{{service=\"{svc}\"}}'\n"
        )
    return "---\n".join(docs)


def truth_windows(series: list[Series], end: float) -> list[tuple[float, float]]:
    out = []
    for w in WINDOWS:
        total = sum(s.count(end - w, end) for s in series)
        good = sum(s.count(end - w, end) for s in series if not s.labels["code"].startswith("5"))
        out.append((good, total))
    return out


def run_source(url: str, slos: list, edges: np.ndarray, workers: int) -> tuple[float, int, list]:
    src = PrometheusSource(
        ConnectionSettings.from_sources({"url": url}, {}), clock=system_clock(), workers=workers
    )
    reqs = [FetchRequest(s.key, s, edges) for s in slos]
    t0 = time.perf_counter()
    try:
        counts = src.fetch(reqs)
    finally:
        took = time.perf_counter() - t0
        sent = src.requests_sent
        src.close()
    return took, sent, counts


def window_sums(c, end: float) -> list[tuple[float, float]]:
    out = []
    for w in WINDOWS:
        sel = c.edges[:-1] >= end - w
        out.append((float(np.nansum(c.good[sel])), float(np.nansum(c.total[sel]))))
    return out


def run_naive(url: str, svcs: list[str], at: float, workers: int) -> tuple[float, int, list]:
    """One instant sum(increase(x[w])) query per window per counter per SLO."""
    import threading

    import requests

    local = threading.local()

    def one(svc: str) -> list[tuple[float, float]]:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        out = []
        for label in LABELS:
            vals = []
            for sel in (f'{{service="{svc}",code!~"5.."}}', f'{{service="{svc}"}}'):
                q = f"sum(increase(http_requests_total{sel}[{label}]))"
                r = local.s.post(
                    url + "/api/v1/query", data={"query": q, "time": f"{at:.3f}"}, timeout=120
                )
                r.raise_for_status()
                res = r.json()["data"]["result"]
                vals.append(float(res[0]["value"][1]) if res else math.nan)
            out.append((vals[0], vals[1]))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, svcs))
    return time.perf_counter() - t0, len(svcs) * len(LABELS) * 2, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--days", type=float, default=31.0, help="history length (default 31)")
    ap.add_argument("--scrape", type=float, default=60.0, help="scrape interval, s (default 60)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--plans", default="plan,5m,1m,naive")
    ap.add_argument("--gaps", action="store_true", help="scrape gaps in 3 of every 10 services")
    args = ap.parse_args()
    plans = args.plans.split(",")

    with tempfile.TemporaryDirectory(prefix="slo-bench-") as tmp:
        t0 = time.perf_counter()
        data = Path(tmp) / "data.om"
        truth = generate(args.services, args.days, args.scrape, data, gaps=args.gaps)
        size = data.stat().st_size / 1e6
        t1 = time.perf_counter()
        server = start_prometheus(data, Path(tmp) / "prom", timeout=300)
        t2 = time.perf_counter()
        print(
            f"# {args.services} services x 2 series, {args.days:g} days at {args.scrape:g} s "
            f"({size:.0f} MB OpenMetrics): generated in {t1 - t0:.1f} s, "
            f"backfilled+started in {t2 - t1:.1f} s; workers={args.workers}"
        )
        try:
            slos = [spec.slos[0] for spec in load_text(specs_yaml(args.services))]
            at = END - 137.0
            end = math.floor(at / 60) * 60
            svcs = [s.service for s in slos]
            # warm-up: read every sample once so the page cache is equal for all plans
            import requests

            requests.post(
                server.url + "/api/v1/query",
                data={"query": "count(count_over_time(http_requests_total[31d]))", "time": at},
                timeout=600,
            ).raise_for_status()
            expected = {s: truth_windows(truth[s], end) for s in svcs}
            grids = {
                "plan": plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS]),
                "1m": np.arange(end - 30 * DAY, end + 1, 60.0),
                "5m": np.arange(
                    math.floor(end / 300) * 300 - 30 * DAY, math.floor(end / 300) * 300 + 1, 300.0
                ),
            }
            rows = []
            for name in plans:
                best = math.inf
                for _ in range(args.repeat):
                    if name == "naive":
                        took, sent, res = run_naive(server.url, svcs, end, args.workers)
                        sums = res
                        e = end
                    else:
                        took, sent, counts = run_source(server.url, slos, grids[name], args.workers)
                        e = float(grids[name][-1])
                        sums = [window_sums(c, e) for c in counts]
                    best = min(best, took)
                exp = expected if e == end else {s: truth_windows(truth[s], e) for s in svcs}
                exact = all(sums[i] == exp[s] for i, s in enumerate(svcs))
                errs = [
                    abs(g[1] - x[1]) / x[1]
                    for i, s in enumerate(svcs)
                    for g, x in zip(sums[i], exp[s], strict=True)
                    if x[1] > 0
                ]
                worst = max(errs) if errs else math.nan
                rows.append((name, sent / len(svcs), best, exact, worst))
            naive_t = next((r[2] for r in rows if r[0] == "naive"), math.nan)
            head = ("plan", "req/SLO", "wall s", "vs naive", "exact", "max total err")
            print("{:6} {:>8} {:>8} {:>9} {:>6} {:>14}".format(*head))
            for name, rps, took, exact, worst in rows:
                flag = "yes" if exact else "NO"
                print(
                    f"{name:6} {rps:8.1f} {took:8.2f} {naive_t / took:8.2f}x {flag:>6} "
                    f"{worst * 100:13.3f}%"
                )
            print(json.dumps({"services": args.services, "rows": rows}))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
