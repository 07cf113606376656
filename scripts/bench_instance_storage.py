"""Benchmark: `sovai run` on the project's instance (dagster.yaml: the SQLite event log's files kept
open, pipelines/instance.py) against Dagster's own `storage: sqlite:`.

Each case is what a user runs, as a new process: a first `sovai run` from nothing (every asset,
Great Expectations off as in the tests), then a `sovai run` after one change to the seeds (the x86
baseline's power: 4 assets rebuilt). Each repeat starts from a new folder, seeds copied from
seeds/, with its own Dagster home. Prints wall seconds and the process's CPU seconds, medians of
--repeat runs, and the number of events the first run stored.

    .venv/bin/python scripts/bench_instance_storage.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from child_timing import run_timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from pipelines.instance import home_config  # noqa: E402

SOVAI = ROOT / ".venv" / "bin" / "sovai"
X86_POWER = ("x86_current,100,350,", "x86_current,100,300,")
STORAGES = ("project (kept open)", "Dagster's storage: sqlite:")


def home_for(storage: str, home: Path) -> None:
    config = yaml.safe_load(home_config(home))
    if storage != STORAGES[0]:
        config["storage"] = {"sqlite": {"base_dir": str(home / "storage")}}
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))


def timed_sovai(env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `sovai run --quiet`."""
    timed = run_timed([str(SOVAI), "run", "--quiet"], cwd=ROOT, env=env)
    return timed.wall, timed.cpu


def events_stored(home: Path) -> int:
    with sqlite3.connect(home / "storage" / "history" / "runs" / "index.db") as index:
        runs = [row[0] for row in index.execute("select distinct run_id from event_logs")]
    total = 0
    for run_id in runs:
        shard = home / "storage" / "history" / "runs" / f"{run_id}.db"
        if shard.exists():
            with sqlite3.connect(shard) as con:
                total += con.execute("select count(*) from event_logs").fetchone()[0]
    return total


def one_repeat(storage: str, folder: Path) -> dict[str, float]:
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    home_for(storage, folder / "home")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOVAI_")}
    env |= {
        "SOVAI_SEEDS_DIR": str(folder / "seeds"),
        "SOVAI_WAREHOUSE": str(folder / "wh" / "warehouse.duckdb"),
        "SOVAI_LANDING_DIR": str(folder / "landing"),
        "DAGSTER_HOME": str(folder / "home"),
        "SOVAI_EXPECTATIONS": "off",
    }
    first_wall, first_cpu = timed_sovai(env)
    events = events_stored(folder / "home")
    platforms = folder / "seeds" / "platforms.csv"
    platforms.write_text(platforms.read_text().replace(*X86_POWER))
    change_wall, change_cpu = timed_sovai(env)
    return {
        "first_wall": first_wall,
        "first_cpu": first_cpu,
        "change_wall": change_wall,
        "change_cpu": change_cpu,
        "events": events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {storage: [] for storage in STORAGES}
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as scratch:
        for repeat in range(args.repeat):
            for storage in STORAGES:  # interleaved, so a slow minute hits both
                print(f"repeat {repeat + 1}: {storage} ...", file=sys.stderr, flush=True)
                folder = Path(scratch) / f"{repeat}-{STORAGES.index(storage)}"
                results[storage].append(one_repeat(storage, folder))
    print(f"\nmedians of {args.repeat} run(s), seconds; CPU is the sovai process's user + sys")
    header = ("storage", "first run", "CPU", "one change", "CPU", "events")
    print("{:<28} {:>10} {:>7} {:>11} {:>7} {:>7}".format(*header))
    for storage, rows in results.items():

        def median(field: str, rows=rows) -> float:
            return statistics.median(row[field] for row in rows)

        print(
            f"{storage:<28} {median('first_wall'):>10.2f} {median('first_cpu'):>7.2f} "
            f"{median('change_wall'):>11.2f} {median('change_cpu'):>7.2f} {median('events'):>7.0f}"
        )


if __name__ == "__main__":
    main()
