"""The command line: the only layer that prints or exits."""

import gc
import os

#: objects allocated between two collections of the youngest generation (CPython: 700). A run
#: allocates many long-lived objects (modules, specs, answers) and little cyclic garbage: at
#: 700 the collector ran ~500 times in a check of 200 SLOs (≈ 0.1 s, 7 % of the client's CPU,
#: its full collections traversing every module's objects); at 20,000 it runs a few times, and
#: at most that many cyclic objects wait to be freed. Set before the CLI's own imports.
GC_YOUNG_THRESHOLD = 20_000
gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])

#: numpy's OpenBLAS starts a thread per CPU when numpy is imported, which costs every run
#: ≈ 0.1 s of CPU (and ≈ 20 ms of wall) on 2 CPUs: slo's arithmetic is element-wise, never a
#: matrix product that those threads would share. A value the user set is kept; set before any
#: command imports numpy (they import it inside their functions).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
