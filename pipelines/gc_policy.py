"""Python's cyclic garbage collector, run less often in the processes that load this package.

Importing Dagster, Polars, DuckDB and pandera with pandas leaves a few million objects that live
as long as the process, and a Dagster run allocates many short-lived ones. CPython starts a
collection every 700 net allocations of container objects by default, and every tenth of those
walks the older generations too. In a `sovai run` that rebuilds one table that came to about 900
collections and 0.9 of its 8 CPU-seconds; in a run that finds nothing changed, about 700 and 0.5
of 3.5 (measured with gc.callbacks; docs/benchmarks.md, "What each `sovai` process pays"). With
the first threshold at 50,000 they are 12 and 9 collections, 0.2 and 0.1 CPU-s, and the peak
memory of the rebuild moved by 1 to 7 MB of 360.

Cycles are still collected, in bigger batches. Nothing here waits on the collector to release a
resource: warehouse connections, files and locks are closed by `with` blocks and close() calls.
pipelines/__init__.py applies this, so every process that imports the package (the `sovai` CLI,
Dagster's run workers, code servers and webserver loading the code location, the tests) does.
"""

from __future__ import annotations

import gc

# Net allocations of container objects between two collections of the youngest generation
# (CPython's default: 700). The older generations keep their default ratios (10, 10).
YOUNG_ALLOCATIONS_PER_COLLECTION = 50_000


def collect_garbage_less_often() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_ALLOCATIONS_PER_COLLECTION, middle, old)
