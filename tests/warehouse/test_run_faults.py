"""Whole runs under faults: a full disk, an unusable warehouse folder, a reader holding the file
for a whole run, two runs at once and a run killed mid-publish. Each starts from a copy of the
session's first `sovai run` (tests/conftest.py, `sovai_built`). The tests where Dagster's instance
plays a part (a reader through a run, two runs at once, a killed run) run here with the embedded
SQLite instance, and in tests/test_postgres_instance.py with the production instance
(deploy/dagster.yaml) on a real PostgreSQL server.

(tests/warehouse/test_faults.py proves the same at the level of one publish.) The tests run as
root here, where file permissions stop nothing; so "not writable" is made real in two ways root
cannot ignore: a per-process file-size limit (RLIMIT_FSIZE, writes fail with EFBIG as on a full
disk) and a warehouse folder whose path runs through a regular file (ENOTDIR).
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.cli.runner import private_env, sovai
from tests.conftest import edit, run_with_upstream
from tests.warehouse.test_kill_trials import kill_trials

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"
# A change a run must publish: the x86 baseline draws less power (a cheaper platform). It feeds
# raw.platforms, analytics.platform_efficiency, its chart and the report page only, so each run
# under a fault rebuilds 4 assets, not the 21 an edit of the assumptions reaches.
X86 = "x86_current,100,{watts},"
LOWER_POWER = (X86.format(watts=350), X86.format(watts=300))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(sovai_built, tmp_path: Path) -> dict[str, str]:
    """`sovai`'s environment on a copy of the session's first `sovai run`: its seeds, warehouse
    and Dagster home (the embedded SQLite instance, as `make run` uses), so a run builds only
    what the test changes. tests/test_postgres_instance.py runs the same tests with
    the production instance."""
    return sovai_built.copy_to(tmp_path / "project")


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def assert_whole(warehouse: Path) -> None:
    """Every table's view holds exactly the rows its latest logged version counted, and every
    table's versions run 1, 2, ... without a gap (the kill trials' check)."""
    assert kill_trials.whole_problems(warehouse) == []


DISK_FULL_PUBLISHER = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    import polars as pl
    from pipelines.warehouse.history import PublishError
    from pipelines.warehouse.publish import TableToPublish, publish

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    n = pl.int_range(2_000_000)
    frame = pl.select(n.alias("n"), (n * 0.5).alias("x"))
    table = TableToPublish(name="scores", schema="analytics", description="test", frame=frame)
    try:
        publish(Path(sys.argv[1]), [table], run_id="full-disk", code_version="test")
    except PublishError as error:
        print(error)
        sys.exit(3)
    """
)


def test_a_full_disk_fails_the_publish_clearly_and_keeps_the_previous_version(
    built, warehouse, seeds
):
    before = sha256(warehouse)
    limit = warehouse.stat().st_size + 1024 * 1024  # the copy fits, the new rows do not

    result = subprocess.run(
        [sys.executable, "-c", DISK_FULL_PUBLISHER, str(warehouse), str(limit)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )

    assert result.returncode == 3, result.stderr
    assert "Could not write a new version" in result.stdout
    assert "The warehouse keeps its previous version" in result.stdout
    assert sha256(warehouse) == before
    assert not list(warehouse.parent.glob("*.publishing*")), "the partial copy is removed"
    efficiency = dg.AssetKey(["analytics", "platform_efficiency"])  # and the next run works
    assert run_with_upstream(warehouse, seeds, efficiency).success
    assert_whole(warehouse)


def test_a_warehouse_folder_that_cannot_be_created_fails_sovai_run_with_a_clear_message(
    tmp_path,
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    warehouse = blocker / "warehouse" / "warehouse.duckdb"

    env = private_env(tmp_path) | {"SOVAI_WAREHOUSE": str(warehouse)}
    for command in ("run", "refresh"):
        result = sovai(command, env=env)

        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
        # said once, before a run starts, not by each asset that would publish, one by one
        assert result.stderr.count("Cannot create the warehouse folder") == 1, result.stderr
        assert "Set SOVAI_WAREHOUSE to a writable location" in result.stderr
        assert "Running " not in result.stderr, "no run was started"
    assert blocker.read_text() == "not a folder"


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)   # as `make sql` would, for the whole run
    def snapshot():
        tco = con.execute("select round(sum(tco_usd), 3) from analytics.platform_efficiency")
        tco = tco.fetchall()[0][0]
        history = con.execute("select count(*) from history.platform_efficiency").fetchall()[0][0]
        versions = con.execute("select count(*) from meta.table_versions").fetchall()[0][0]
        print(tco, history, versions, flush=True)
    snapshot()
    sys.stdin.readline()
    snapshot()
    """
)


def test_a_reader_session_open_for_a_whole_run_keeps_its_view_and_the_run_succeeds(project):
    warehouse, seeds = Path(project["SOVAI_WAREHOUSE"]), Path(project["SOVAI_SEEDS_DIR"])
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = reader.stdout.readline().split()
    assert len(first) == 3, reader.stderr.read()

    edit(seeds / "platforms.csv", *LOWER_POWER)
    run = sovai("run", env=project)
    assert run.returncode == 0, run.stderr

    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().split() == first, "the open session saw a change"
    assert reader.wait(timeout=30) == 0, reader.stderr.read()
    now = query(warehouse, "select round(sum(tco_usd), 3) from analytics.platform_efficiency")
    assert now[0][0] < float(first[0]), "a new session sees the new version"
    assert_whole(warehouse)


def test_two_sovai_runs_started_together_both_finish_with_consecutive_whole_versions(
    tmp_path, project
):
    warehouse, seeds = Path(project["SOVAI_WAREHOUSE"]), Path(project["SOVAI_SEEDS_DIR"])
    cheaper = tmp_path / "cheaper-seeds"
    shutil.copytree(seeds, cheaper)
    edit(cheaper / "platforms.csv", *LOWER_POWER)
    edit(seeds / "platforms.csv", LOWER_POWER[0], X86.format(watts=320))
    runs = [
        subprocess.Popen(
            [str(SOVAI), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **project, "SOVAI_SEEDS_DIR": str(folder)},
            cwd=PROJECT_ROOT,
        )
        for folder in (seeds, cheaper)
    ]
    for run in runs:
        _, errors = run.communicate(timeout=600)
        assert run.returncode == 0, errors

    assert_whole(warehouse)
    # Each run published its own platforms. platform_efficiency is computed from raw.platforms
    # as the warehouse holds it when the step runs (the writer lock is taken per publish, not
    # per step), so when the second run's raw version lands before the first run computes, both
    # runs compute the same table and it gets one new version, not two. Either way each version
    # is one raw version's whole result, never rows of both runs.
    x86_power = (
        "select _version, list(power_watts) from history.{table} "
        "where platform = 'x86_current' group by _version order by _version"
    )
    raw = query(warehouse, x86_power.format(table="raw_platforms"))
    assert [version for version, _ in raw] == [1, 2, 3]  # the first build, then both runs
    assert sorted(watts for _, (watts,) in raw[1:]) == [300, 320]
    derived = query(warehouse, x86_power.format(table="platform_efficiency"))
    assert [version for version, _ in derived] in ([1, 2], [1, 2, 3]), derived
    assert all(power in [power for _, power in raw] for _, power in derived), (derived, raw)
    assert derived[0] == raw[0], (derived, raw)
    per_version = query(
        warehouse,
        "select _version, count(*), "
        "count(distinct round(energy_cost_usd_per_year / power_watts, 9)) "
        "from history.platform_efficiency group by _version order by _version",
    )
    assert all(rows == 3 and distinct == 1 for _, rows, distinct in per_version), per_version


def test_a_sovai_run_killed_mid_publish_leaves_a_whole_warehouse_and_the_next_run_completes(
    project, monkeypatch
):
    warehouse, seeds = Path(project["SOVAI_WAREHOUSE"]), Path(project["SOVAI_SEEDS_DIR"])
    edit(seeds / "platforms.csv", *LOWER_POWER)  # so the run publishes new versions
    env = {**os.environ, **project}
    run = subprocess.Popen(
        [str(SOVAI), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=PROJECT_ROOT,
    )
    deadline = time.monotonic() + 120
    while not list(warehouse.parent.glob("*.publishing")):
        if run.poll() is not None:
            pytest.fail(f"the run ended before it was killed: {run.stderr.read()}")
        assert time.monotonic() < deadline, "no publish started"
        time.sleep(0.002)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL

    assert_whole(warehouse)  # the version being written never became visible
    rerun = sovai("run", env=project)
    assert rerun.returncode == 0, rerun.stderr
    assert_whole(warehouse)
    assert not list(warehouse.parent.glob("*.publishing*")), "the killed run's copy is removed"
    # The run history no longer shows the killed run as running
    assert "failed: its process ended without finishing it" in rerun.stderr
    for name, value in project.items():  # the instance's config may read them
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        statuses = [past.status for past in instance.get_runs()]
        failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
    assert dg.DagsterRunStatus.STARTED not in statuses
    assert [past.tags["sovai/pid"] for past in failed] == [str(run.pid)]
    lower = query(
        warehouse,
        "select power_watts from analytics.platform_efficiency where platform = 'x86_current'",
    )
    assert lower == [(300,)]
