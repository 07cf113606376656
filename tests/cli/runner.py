"""Running `sovai` and `make` as a user would: real processes with a private warehouse."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from pipelines.instance import home_config
from tests.cli.preloaded import LAUNCHER

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"


def sovai(
    *args: str, env: dict[str, str], own_process: bool = False
) -> subprocess.CompletedProcess:
    """`sovai` with these arguments, its output captured. A fork of a process that has already
    imported `sovai`'s libraries (tests/cli/preloaded.py), unless own_process: the `sovai` script
    started as a new process, as the user starts it, for tests about a process's start."""
    full_env = {**os.environ, **env}
    if not own_process:
        result = LAUNCHER.run([str(SOVAI), *args], full_env, PROJECT_ROOT, timeout=300)
        if result is not None:
            return result
    return subprocess.run(
        [str(SOVAI), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=full_env,
        cwd=PROJECT_ROOT,
    )


def make(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(PROJECT_ROOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def private_env(folder: Path) -> dict[str, str]:
    """A copy of the seeds, and paths for a warehouse and a Dagster home, all under folder."""
    seeds = folder / "seeds"
    if not seeds.exists():
        shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    home = folder / "dagster_home"
    home.mkdir(exist_ok=True)
    # The project's instance (dagster.yaml: its storage, no first-run notices) in a home of its own
    (home / "dagster.yaml").write_text(home_config(home))
    return project_env(folder)


def project_env(folder: Path) -> dict[str, str]:
    """`sovai`'s environment on a folder laid out as private_env lays it out (nothing written)."""
    return {
        "SOVAI_WAREHOUSE": str(folder / "wh" / "warehouse.duckdb"),
        "SOVAI_SEEDS_DIR": str(folder / "seeds"),
        "SOVAI_LANDING_DIR": str(folder / "data" / "landing"),
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "SOVAI_EXPECTATIONS": "off",  # tests/checks/test_expectations.py runs the GX suites
    }


def no_traceback(result: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in result.stdout + result.stderr


def stop_process_group(process: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM to a process started with start_new_session=True and its children; SIGKILL if they
    have not ended after seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
