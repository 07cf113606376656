"""Benchmark: a no-op `make run` (nothing changed) against a trivial two-asset Dagster job.

What a user runs is timed whole, as a new process each time: `make run` in the project, after one
`make run` that brings the warehouse up to date. Beside it: `sovai run` alone (no make), and the
time to the first line of output. The yardstick is a trivial job of two assets run in process
(`execute_in_process`) in a new Python process, on the same kind of instance as the project
(SQLite storage in a DAGSTER_HOME with the project's dagster.yaml) and, beside it, on an
ephemeral in-memory instance. Medians of --repeat runs; the ratio is the no-op's median over the
yardstick's.

    .venv/bin/python scripts/bench_noop_run.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
UP_TO_DATE = "Up to date"

TRIVIAL_JOB = """
import dagster as dg

@dg.asset
def first():
    return 1

@dg.asset
def second(first):
    return first + 1

job = dg.define_asset_job("trivial", selection=[first, second])
defs = dg.Definitions(assets=[first, second], jobs=[job])
instance = dg.DagsterInstance.{instance}()
quiet = {{"loggers": {{"console": {{"config": {{"log_level": "ERROR"}}}}}}}}
result = defs.resolve_job_def("trivial").execute_in_process(instance=instance, run_config=quiet)
assert result.success
"""


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(seconds to exit, seconds to the first byte of output, output) of one new process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    first_byte = process.stdout.read(1)
    first = time.perf_counter() - start
    rest = process.stdout.read()
    code = process.wait()
    total = time.perf_counter() - start
    output = (first_byte + rest).decode(errors="replace")
    if code != 0:
        sys.exit(f"{' '.join(command)} exited {code}:\n{output}")
    return total, first, output


def median_of(repeat: int, command: list[str], env: dict[str, str], cwd: Path) -> dict:
    runs = [timed(command, env, cwd) for _ in range(repeat)]
    return {
        "median": statistics.median(run[0] for run in runs),
        "min": min(run[0] for run in runs),
        "max": max(run[0] for run in runs),
        "first_output": statistics.median(run[1] for run in runs),
        "output": runs[-1][2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOVAI_", "DAGSTER_"))}

    print("Bringing the warehouse up to date with one `make run` (not timed) ...", flush=True)
    subprocess.run(["make", "run"], cwd=ROOT, env=env, check=True, capture_output=True)

    rows = {
        "no-op `make run` (what a user runs)": median_of(
            args.repeat, ["make", "--no-print-directory", "run"], env, ROOT
        ),
        "no-op `sovai run` (no make)": median_of(
            args.repeat, [str(ROOT / ".venv/bin/sovai"), "run"], env, ROOT
        ),
    }
    for name, row in rows.items():
        if UP_TO_DATE not in row["output"]:
            sys.exit(f"{name} was not a no-op; its output:\n{row['output']}")

    home = Path(tempfile.mkdtemp(prefix="trivial-dagster-home-"))
    try:
        shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
        script = home / "trivial.py"
        for instance in ("get", "ephemeral"):
            script.write_text(TRIVIAL_JOB.format(instance=instance))
            label = "SQLite instance" if instance == "get" else "ephemeral instance"
            rows[f"trivial two-asset job, {label}"] = median_of(
                args.repeat, [str(PYTHON), str(script)], {**env, "DAGSTER_HOME": str(home)}, home
            )
    finally:
        shutil.rmtree(home)

    print(f"\n{'path':<46} {'median s':>9} {'min':>6} {'max':>6} {'first output s':>15}")
    for name, row in rows.items():
        print(
            f"{name:<46} {row['median']:>9.2f} {row['min']:>6.2f} {row['max']:>6.2f} "
            f"{row['first_output']:>15.2f}"
        )
    noop = rows["no-op `make run` (what a user runs)"]["median"]
    for label in ("SQLite instance", "ephemeral instance"):
        trivial = rows[f"trivial two-asset job, {label}"]["median"]
        print(f"no-op make run / trivial job on an {label}: {noop / trivial:.2f}x (target <= 2.0)")


if __name__ == "__main__":
    main()
