"""Wall and CPU seconds of one child process, shared by the benchmark scripts.

CPU is read from RUSAGE_CHILDREN before and after, so it counts the child and every process it
waited for (a `sovai run` and its step workers), never the benchmark's own process.
"""

from __future__ import annotations

import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float
    result: subprocess.CompletedProcess[str]


def run_timed(
    command: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Timed:
    """Run the command to its end; exit with its stderr if it fails, since a benchmark of a
    failed run would print a number that means nothing."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, result)
