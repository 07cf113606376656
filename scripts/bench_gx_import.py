"""Benchmark: the CPU a process spends importing Great Expectations, as GX loads itself and as
pipelines/checks/gx_import.py loads it (scipy.stats deferred until used), run by run in
alternation because this machine's speed drifts within the hour; then, with --project, the
user's path: `sovai check` (every Great Expectations suite, as a new process) on a built project.

    .venv/bin/python scripts/bench_gx_import.py --repeat 5 [--project FOLDER]

FOLDER is laid out as tests/cli/runner.py's private_env lays it out (seeds/, wh/warehouse.duckdb,
dagster_home/), e.g. a copy of one the tests built.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from child_timing import run_timed

ROOT = Path(__file__).resolve().parent.parent
SOVAI = ROOT / ".venv" / "bin" / "sovai"
PLAIN = "import great_expectations"
DEFERRED = (
    "from pipelines.checks.gx_import import import_great_expectations; import_great_expectations()"
)


def cpu_seconds(command: list[str], env: dict[str, str] | None = None) -> float:
    """User + system CPU of the command's process and its children, run to its end."""
    return run_timed(command, cwd=ROOT, env=env).cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", type=Path, help="a built project folder, for `sovai check`")
    args = parser.parse_args(argv)

    plain, deferred = [], []
    for _ in range(args.repeat):  # alternating, so a drift of the machine hits both alike
        plain.append(cpu_seconds([sys.executable, "-c", PLAIN]))
        deferred.append(cpu_seconds([sys.executable, "-c", DEFERRED]))
    rows = [
        ("import great_expectations (GX as it loads itself)", plain),
        ("import_great_expectations() (scipy.stats deferred)", deferred),
    ]
    if args.project:
        folder = args.project.resolve()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOVAI_")} | {
            "SOVAI_WAREHOUSE": str(folder / "wh" / "warehouse.duckdb"),
            "SOVAI_SEEDS_DIR": str(folder / "seeds"),
            "SOVAI_LANDING_DIR": str(folder / "data" / "landing"),
            "DAGSTER_HOME": str(folder / "dagster_home"),
            "SOVAI_EXPECTATIONS": "on",
        }
        checks = [cpu_seconds([str(SOVAI), "check"], env) for _ in range(args.repeat)]
        rows.append(("`sovai check` (every suite, a new process)", checks))
    width = max(len(label) for label, _ in rows) + 2
    print(f"{args.repeat} runs each; CPU-seconds (user + system)")
    print(f"{'what':<{width}}{'median':>8}{'min':>7}{'max':>7}")
    for label, times in rows:
        median = statistics.median(times)
        print(f"{label:<{width}}{median:>8.2f}{min(times):>7.2f}{max(times):>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
