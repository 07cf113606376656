"""Benchmark: the CPU a `sovai run` process costs, with nothing changed and with one seed edited.

Every scheduled refresh, every analyst's `make run` and most of the test suite start `sovai` as a
new process, so what one process pays before and around its runs (imports, Dagster's instance,
its storage's checks) is paid again and again. This builds a project once from nothing (`sovai
run` into a temporary folder, not timed), then, --repeat times for each case, copies that build
(warehouse, seeds and Dagster home) and times `sovai run` on the copy as a new process: its CPU
seconds (user + system, its children included) and its wall seconds. Cases: nothing changed (the
observation finds the files as they were: no run starts), and one platform's power edited in
seeds/platforms.csv (an observation run, a rebuild of the platform tables and chart, and the
report's run: three runs in one process). Medians, with the smallest and largest.

With --against REF the same runs are made with the code of a git commit too (a worktree of it in
the temporary folder, put first on the run's PYTHONPATH; the environment stays this checkout's),
alternating with this checkout's run by run: this machine's speed drifts by a third from one
hour to the next, and alternating makes the drift fall on both alike.

    .venv/bin/python scripts/bench_run_cpu.py --repeat 5 [--against 999a35a]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from child_timing import run_timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.instance import home_config  # noqa: E402

SOVAI = ROOT / ".venv" / "bin" / "sovai"
EDIT = ("x86_current,100,350", "x86_current,100,351")


def project_env(folder: Path) -> dict[str, str]:
    """`sovai`'s environment on a project folder: seeds, wh/ and a Dagster home of its own."""
    home = folder / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(home_config(home))
    return os.environ | {
        "SOVAI_WAREHOUSE": str(folder / "wh" / "warehouse.duckdb"),
        "SOVAI_SEEDS_DIR": str(folder / "seeds"),
        "SOVAI_LANDING_DIR": str(folder / "data" / "landing"),
        "DAGSTER_HOME": str(home),
        "SOVAI_EXPECTATIONS": "off",
    }


def code_of(ref: str, folder: Path) -> Path:
    """A worktree of the commit ref in folder (removed by the caller's cleanup of the folder)."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(folder), ref],
        check=True,
    )
    return folder


def sovai_run(env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, output) of one `sovai run` process."""
    timed = run_timed([str(SOVAI), "run"], cwd=ROOT, env=env, timeout=600)
    return timed.cpu, timed.wall, timed.result.stdout + timed.result.stderr


def copy_of(build: Path, folder: Path, edited: bool) -> dict[str, str]:
    for part in ("seeds", "wh", "dagster_home"):
        shutil.copytree(build / part, folder / part)
    if edited:
        platforms = folder / "seeds" / "platforms.csv"
        text = platforms.read_text(encoding="utf-8")
        assert text.count(EDIT[0]) == 1, f"{EDIT[0]!r} is not once in {platforms}"
        platforms.write_text(text.replace(*EDIT), encoding="utf-8")
    return project_env(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REF", help="also time this git commit's code")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-run-cpu-") as temp:
            codes = {"this checkout": None}
            if args.against:
                codes[args.against] = code_of(args.against, Path(temp) / "against")
            measure(Path(temp), codes, args.repeat)
    finally:
        if args.against:  # its worktree went with the temporary folder: git forgets it
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
    return 0


def measure(temp: Path, codes: dict[str, Path | None], repeat: int) -> None:
    build = temp / "build"
    shutil.copytree(ROOT / "seeds", build / "seeds")
    print("building the project from nothing (not timed) ...", file=sys.stderr, flush=True)
    sovai_run(project_env(build))
    print(
        f"`sovai run` as a new process, {repeat} runs per case and code, alternating "
        f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})"
    )
    print(f"{'case':<32}{'code':<16}{'CPU s median':>14}{'min':>7}{'max':>7}{'wall s median':>15}")
    for label, edited, expected in (
        ("nothing changed", False, "Up to date"),
        ("one platform edited (3 runs)", True, "raw/platforms"),
    ):
        cpu: dict[str, list[float]] = {name: [] for name in codes}
        wall: dict[str, list[float]] = {name: [] for name in codes}
        for attempt in range(repeat):
            for number, (name, code) in enumerate(codes.items()):
                env = copy_of(build, temp / f"{edited}-{attempt}-{number}", edited)
                if code is not None:
                    env["PYTHONPATH"] = str(code)
                seconds, elapsed, output = sovai_run(env)
                if expected not in output:
                    raise SystemExit(f"{label}: {expected!r} not in the run's output:\n{output}")
                cpu[name].append(seconds)
                wall[name].append(elapsed)
        for name in codes:
            print(
                f"{label:<32}{name:<16}{statistics.median(cpu[name]):>14.2f}"
                f"{min(cpu[name]):>7.2f}{max(cpu[name]):>7.2f}{statistics.median(wall[name]):>15.2f}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
