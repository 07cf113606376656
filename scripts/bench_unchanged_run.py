"""Benchmark: a full run of both jobs that changes nothing, in one process, and the part of its
CPU spent publishing.

Builds a warehouse from seeds/ in a temporary folder (untimed: refresh_all and market_refresh in
process, as tests/conftest.py's run_job runs them), then runs both jobs again --repeat times on the
same seeds and prints, for each, the run's CPU seconds and the CPU seconds spent inside
WarehouseResource.publish. Every table is unchanged, so every publish keeps its version.

    .venv/bin/python scripts/bench_unchanged_run.py --repeat 3
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipelines.resources as resources  # noqa: E402
from tests.conftest import run_job  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("dagster").setLevel(logging.WARNING)  # the runs' event lines
    publishing = [0.0]
    publish = resources.publish

    def timed_publish(*positional, **named):
        started = time.process_time()
        try:
            return publish(*positional, **named)
        finally:
            publishing[0] += time.process_time() - started

    resources.publish = timed_publish  # what WarehouseResource.publish calls
    with tempfile.TemporaryDirectory(prefix="bench-unchanged-") as scratch:
        seeds = Path(scratch) / "seeds"
        shutil.copytree(ROOT / "seeds", seeds)
        warehouse = Path(scratch) / "wh" / "warehouse.duckdb"
        if not run_job(warehouse, seeds).success:
            sys.exit("the first build failed")
        print("run  CPU s  publishing CPU s")
        for repeat in range(1, args.repeat + 1):
            publishing[0] = 0.0
            started = time.process_time()
            if not run_job(warehouse, seeds).success:
                sys.exit("a run failed")
            print(f"{repeat:>3}  {time.process_time() - started:5.2f}  {publishing[0]:16.2f}")


if __name__ == "__main__":
    main()
