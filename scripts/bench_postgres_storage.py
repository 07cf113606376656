"""Benchmark: `sovai run` on the production instance (deploy/dagster.yaml: dagster-postgres's
storage with connections kept open, pipelines/postgres_storage.py) against dagster-postgres's own
`storage: postgres:`, which connects for every statement.

Starts a PostgreSQL server of its own (tests/postgres.py: initdb, a free loopback port). Each case
is what a user runs, as a new process: a first `sovai run` from nothing (every asset, Great
Expectations off as in the tests), then a `sovai run` after one change to the seeds (the x86
baseline's power: 4 assets rebuilt). Each repeat has a new folder and a new database. Prints
medians of wall seconds, the sovai process's CPU seconds, the server's CPU seconds (its
postmaster and the backends it reaped) and the connections the run opened.

    .venv/bin/python scripts/bench_postgres_storage.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import yaml
from child_timing import run_timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import (  # noqa: E402
    dagster_url,
    deploy_home,
    new_database,
    running_server,
    server_cpu_seconds,
)

SOVAI = ROOT / ".venv" / "bin" / "sovai"
X86_POWER = ("x86_current,100,350,", "x86_current,100,300,")
STORAGES = ("project (kept open)", "dagster-postgres's storage: postgres:")


def home_for(storage: str, folder: Path) -> Path:
    home = deploy_home(folder)
    if storage != STORAGES[0]:
        config = yaml.safe_load((home / "dagster.yaml").read_text())
        config["storage"] = {"postgres": config["storage"]["custom"]["config"]}
        (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home


def sessions(url: str) -> int:
    with psycopg.connect(url) as connection:
        query = "select sessions from pg_stat_database where datname = current_database()"
        return connection.execute(query).fetchone()[0]


def timed_sovai(env: dict[str, str], url: str) -> dict[str, float]:
    """One `sovai run --quiet`: wall, its CPU, the server's CPU and the connections it opened."""
    server_before, sessions_before = server_cpu_seconds(url), sessions(url)
    timed = run_timed([str(SOVAI), "run", "--quiet"], cwd=ROOT, env=env)
    time.sleep(1)  # the server reaps the run's backends and counts their sessions
    return {
        "wall": timed.wall,
        "cpu": timed.cpu,
        "server": server_cpu_seconds(url) - server_before,
        "connections": sessions(url) - sessions_before - 2,  # less this function's own two
    }


def one_repeat(storage: str, folder: Path, server: str) -> dict[str, dict[str, float]]:
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    url = new_database(server, f"bench_{uuid.uuid4().hex[:12]}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOVAI_")}
    env |= {
        "SOVAI_SEEDS_DIR": str(folder / "seeds"),
        "SOVAI_WAREHOUSE": str(folder / "wh" / "warehouse.duckdb"),
        "SOVAI_LANDING_DIR": str(folder / "landing"),
        "DAGSTER_HOME": str(home_for(storage, folder)),
        "DAGSTER_POSTGRES_URL": dagster_url(url),
        "SOVAI_EXPECTATIONS": "off",
    }
    first = timed_sovai(env, url)
    platforms = folder / "seeds" / "platforms.csv"
    platforms.write_text(platforms.read_text().replace(*X86_POWER))
    return {"first run": first, "one change": timed_sovai(env, url)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict[str, dict[str, float]]]] = {storage: [] for storage in STORAGES}
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as scratch, running_server() as server:
        for repeat in range(args.repeat):
            for storage in STORAGES:  # interleaved, so a slow minute hits both
                print(f"repeat {repeat + 1}: {storage} ...", file=sys.stderr, flush=True)
                folder = Path(scratch) / f"{repeat}-{STORAGES.index(storage)}"
                results[storage].append(one_repeat(storage, folder, server))
    print(f"\nmedians of {args.repeat} run(s); seconds, CPU seconds, connections opened")
    header = ("storage", "case", "wall", "sovai CPU", "server CPU", "connections")
    print("{:<38} {:<10} {:>7} {:>10} {:>11} {:>12}".format(*header))
    for storage, repeats in results.items():
        for case in ("first run", "one change"):

            def median(field: str, case=case, repeats=repeats) -> float:
                return statistics.median(repeat[case][field] for repeat in repeats)

            print(
                f"{storage:<38} {case:<10} {median('wall'):>7.2f} {median('cpu'):>10.2f} "
                f"{median('server'):>11.2f} {median('connections'):>12.0f}"
            )


if __name__ == "__main__":
    main()
