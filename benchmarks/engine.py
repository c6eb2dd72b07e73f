"""The engine on 10,000 SLOs × 30 days of 5-minute bins (8,640 bins), every output of evaluate().

    .venv/bin/python benchmarks/engine.py                 # 10,000 SLOs, 5 runs
    .venv/bin/python benchmarks/engine.py --slos 2000 --repeat 3

Prints (nothing is asserted; tests never assert wall time):

1. the median wall time of ``engine.evaluate`` (budgets, burn rates over 5m..3d and the window,
   coverage, the four default alert rules, time to exhaustion, status, data errors);
2. the baseline measured in the same run: one ``np.cumsum(axis=1)`` pass over each of the two
   input arrays (good and total), i.e. the cost of "one cumulative sum"; both as numpy does it
   by default (allocating its result, page faults included) and into a preallocated, already
   touched buffer (closer to the memory-bandwidth floor); and the ratio of (1) to each;
3. the speed-up over the plain reference (tests/engine/reference.py), timed on a few SLOs and
   scaled linearly to all of them (its cost is per SLO);
4. peak memory: the input size, and tracemalloc's peak of what evaluate allocates on top of it
   (numpy reports its buffers to tracemalloc), as a multiple of the input;
5. for information, ``history`` (hourly points, 1 h burn) and ``burn_events`` on the same input.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slo_cli import engine  # noqa: E402
from tests.engine import reference  # noqa: E402

END = 1_800_000_000.0
STEP = 300.0
N_BINS = 8640  # 30 days of 5-minute bins


def make_input(n_slo: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts that look like traffic: per-SLO rates, ~0.05 % bad, 1 % of bins missing."""
    rng = np.random.default_rng(seed)
    edges = END - STEP * np.arange(N_BINS, -1, -1, dtype=float)
    rate = rng.uniform(10, 5000, (n_slo, 1))
    total = np.empty((n_slo, N_BINS))
    good = np.empty((n_slo, N_BINS))
    for r0 in range(0, n_slo, 500):  # in blocks, to keep the generator's temporaries small
        r1 = min(r0 + 500, n_slo)
        t = np.floor(rate[r0:r1] * rng.uniform(0.8, 1.2, (r1 - r0, N_BINS)))
        bad = np.floor(t * rng.uniform(0, 0.001, t.shape))
        total[r0:r1] = t
        good[r0:r1] = t - bad
    missing = rng.random((n_slo, N_BINS)) < 0.01
    total[missing] = np.nan
    good[missing] = np.nan
    return edges, good, total


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slos", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reference-slos", type=int, default=20)
    args = ap.parse_args()

    n = args.slos
    edges, good, total = make_input(n)
    window_s = 30 * 86400.0
    kwargs = {
        "end": END,
        "objective": np.full(n, 0.999),
        "window_start": np.full(n, END - window_s),
        "window_s": np.full(n, window_s),
    }
    input_bytes = good.nbytes + total.nbytes
    print(f"input: {n:,} SLOs × {N_BINS:,} bins, good + total = {input_bytes / 1e9:.2f} GB")

    def run() -> engine.EngineResult:
        return engine.evaluate(edges, good, total, **kwargs)

    def cumsum_pass() -> None:
        np.cumsum(good, axis=1)
        np.cumsum(total, axis=1)

    buffer = np.empty_like(good)
    buffer.fill(0.0)  # touch every page once, so the "into a buffer" pass pays no page faults

    def cumsum_into_buffer() -> None:
        np.cumsum(good, axis=1, out=buffer)
        np.cumsum(total, axis=1, out=buffer)

    run()  # warm-up (imports, page faults of the first allocations)
    t_engine, t_cumsum, t_into = [], [], []
    for _ in range(args.repeat):  # interleaved, so all see the same machine state
        t_engine.append(median_time(run, 1))
        t_cumsum.append(median_time(cumsum_pass, 1))
        t_into.append(median_time(cumsum_into_buffer, 1))
    engine_s = statistics.median(t_engine)
    cumsum_s = statistics.median(t_cumsum)
    into_s = statistics.median(t_into)
    print(f"engine.evaluate: median {engine_s:.3f} s over {args.repeat} runs")
    print(f"np.cumsum(axis=1) over good and total: median {cumsum_s:.3f} s")
    print(f"  the same into a preallocated buffer (no page faults): median {into_s:.3f} s")
    print(
        f"ratio engine / np.cumsum: {engine_s / cumsum_s:.2f}×; "
        f"engine / np.cumsum into a buffer: {engine_s / into_s:.2f}×"
    )

    k = args.reference_slos
    el = edges.tolist()
    t0 = time.perf_counter()
    for i in range(k):
        reference.evaluate_one(
            el,
            good[i].tolist(),
            total[i].tolist(),
            end=END,
            objective=0.999,
            window_start=END - window_s,
            window_s=window_s,
        )
    ref_per_slo = (time.perf_counter() - t0) / k
    ref_total = ref_per_slo * n
    print(
        f"reference: {ref_per_slo:.3f} s per SLO (timed on {k}), scaled to {n:,}: "
        f"{ref_total:.0f} s; speed-up {ref_total / engine_s:,.0f}×"
    )

    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory: evaluate allocates {peak / 1e6:.1f} MB on top of the input "
        f"({peak / input_bytes:.3f}× input); input + that = "
        f"{(input_bytes + peak) / input_bytes:.3f}× input"
    )

    hist_s = median_time(
        lambda: engine.history(
            edges,
            good,
            total,
            objective=kwargs["objective"],
            window_s=window_s,
            step_s=3600.0,
            burn_window_s=3600.0,
        ),
        1,
    )
    ev_s = median_time(
        lambda: engine.burn_events(
            edges,
            good,
            total,
            objective=kwargs["objective"],
            window_start=kwargs["window_start"],
            period_start=edges[0],
            period_end=edges[-1],
            threshold=1.0,
        ),
        1,
    )
    print(f"for information: history (hourly, 1 h burn) {hist_s:.3f} s; burn_events {ev_s:.3f} s")


if __name__ == "__main__":
    main()
