"""Benchmark: how long a reading `sovai` command takes, whole, as a new process each time.

An analyst's query or a script calling `sovai sql` in a loop pays the process's start every
time, so the time measured is the command's, from start to exit, on a built warehouse. Beside
it, the floor: a Python process that only imports DuckDB and runs the same query. Medians of
--repeat runs.

    .venv/bin/python scripts/bench_cli_startup.py --repeat 7 [--warehouse path/to/warehouse.duckdb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOVAI = ROOT / ".venv" / "bin" / "sovai"
QUERY = "select count(*) from analytics.platform_efficiency"
FLOOR = (
    "import duckdb, sys; "
    "print(duckdb.connect(sys.argv[1], read_only=True).execute(sys.argv[2]).fetchall())"
)


def commands(warehouse: Path) -> list[tuple[str, list[str]]]:
    return [
        (f'sovai sql "{QUERY}"', [str(SOVAI), "sql", QUERY]),
        ("sovai tables", [str(SOVAI), "tables"]),
        ("sovai query lowest-co2-platform", [str(SOVAI), "query", "lowest-co2-platform"]),
        ("sovai versions raw.platforms", [str(SOVAI), "versions", "raw.platforms"]),
        (
            "floor: python, import duckdb, the query",
            [sys.executable, "-c", FLOOR, str(warehouse), QUERY],
        ),
    ]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "warehouse" / "warehouse.duckdb")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        raise SystemExit(f"No warehouse at {args.warehouse}: run `make run` or pass --warehouse.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOVAI_")}
    env["SOVAI_WAREHOUSE"] = str(args.warehouse.resolve())
    rows = []
    for label, command in commands(args.warehouse):
        times = [timed(command, env) for _ in range(args.repeat)]
        rows.append((label, statistics.median(times), min(times), max(times)))
    width = max(len(label) for label, *_ in rows) + 2
    print(f"{'command (a new process each run)':<{width}}{'median s':>9}{'min':>7}{'max':>7}")
    for label, median, low, high in rows:
        print(f"{label:<{width}}{median:>9.2f}{low:>7.2f}{high:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
