"""The command line: the only layer that prints or exits."""

import gc

#: objects allocated between two collections of the youngest generation (CPython: 700). A run
#: allocates many long-lived objects (modules, specs, answers) and little cyclic garbage: at
#: 700 the collector ran ~500 times in a check of 200 SLOs (≈ 0.1 s, 7 % of the client's CPU,
#: its full collections traversing every module's objects); at 20,000 it runs a few times, and
#: at most that many cyclic objects wait to be freed. Set before the CLI's own imports.
GC_YOUNG_THRESHOLD = 20_000
gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
