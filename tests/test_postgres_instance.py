"""The production instance (deploy/dagster.yaml) against a real PostgreSQL server: `sovai run` and
`sovai refresh` keep their runs and events in PostgreSQL, and with a real `dagster-daemon`, two
market refreshes submitted at once and the schedule's run wait in the queue and run one after the
other (the warehouse pool's limit of 1), and the landing sensor ticks. The run fault tests of
tests/warehouse/test_run_faults.py where Dagster's instance plays a part (a reader holding the file
through a run, two runs at once, a run killed mid-publish) run here too, on this instance: the
same functions, with this module's `project`. One build from nothing serves the module; each test
works on a copy of its folder and of its database."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest

from pipelines.resources import WAREHOUSE_POOL
from tests.cli.runner import PROJECT_ROOT, no_traceback, private_env, sovai, stop_process_group
from tests.conftest import copy_project
from tests.postgres import (  # noqa: F401  (the fixture)
    DATABASE,
    dagster_url,
    deploy_home,
    new_database,
    postgres_url,
)
from tests.warehouse.test_run_faults import (  # noqa: F401  (collected here with this `project`)
    test_a_reader_session_open_for_a_whole_run_keeps_its_view_and_the_run_succeeds,
    test_a_sovai_run_killed_mid_publish_leaves_a_whole_warehouse_and_the_next_run_completes,
    test_two_sovai_runs_started_together_both_finish_with_consecutive_whole_versions,
)


def on_postgres(env: dict[str, str], folder: Path, database_url: str) -> dict[str, str]:
    """env with the production instance (deploy/dagster.yaml) on the database database_url."""
    return env | {
        "DAGSTER_HOME": str(deploy_home(folder)),
        "DAGSTER_POSTGRES_URL": dagster_url(database_url),
        "TEST_POSTGRES_URL": database_url,
    }


@pytest.fixture(scope="module")
def built_on_postgres(tmp_path_factory, postgres_url):  # noqa: F811
    """One `sovai run` from nothing with the production instance on the module's server: the
    first test reads what it recorded; the others work on copies of its folder and database."""
    folder = tmp_path_factory.mktemp("deploy")
    result = sovai("run", env=on_postgres(private_env(folder), folder, postgres_url))
    assert result.returncode == 0, result.stderr
    assert no_traceback(result)
    return folder, result


@pytest.fixture
def project(built_on_postgres, postgres_url, tmp_path) -> dict[str, str]:  # noqa: F811
    """`sovai`'s environment on a copy of that build and of its database (CREATE DATABASE ...
    TEMPLATE), so a test starts from a built warehouse whose run history is in PostgreSQL."""
    folder, _ = built_on_postgres
    env = copy_project(folder, tmp_path / "project")
    database = new_database(postgres_url, f"copy_{uuid.uuid4().hex[:12]}", template=DATABASE)
    return on_postgres(env, tmp_path / "project", database)


VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
QUEUE_TIMEOUT_S = 240


def rows(url: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql, params or None).fetchall()


def test_sovai_run_and_refresh_keep_their_runs_and_events_in_postgres(
    built_on_postgres,
    postgres_url,  # noqa: F811
    project,
):
    _, first_run = built_on_postgres
    assert "refresh_all" in first_run.stderr and "market_refresh" in first_run.stderr
    refresh = sovai("refresh", env=project)
    assert refresh.returncode == 0, refresh.stderr
    assert no_traceback(refresh)

    url = project["TEST_POSTGRES_URL"]  # the build's runs, and the refresh's, in the copy
    # The refresh kept its connections open (pipelines/postgres_storage.py): dagster-postgres's
    # own storage opened one per statement, 509 for this refresh, each a server process.
    ((sessions,),) = rows(
        url, "select sessions from pg_stat_database where datname = current_database()"
    )
    assert sessions <= 20, f"{sessions} connections to the database for one refresh"
    runs = rows(url, "select run_id, pipeline_name, status from runs order by create_timestamp")
    jobs = [job for _, job, _ in runs]
    assert all(status == "SUCCESS" for *_, status in runs), runs
    assert jobs.count("refresh_all") == 1 and jobs.count("market_refresh") == 2, jobs
    events = dict(
        rows(
            url,
            "select run_id, count(*) from event_logs where dagster_event_type = %s group by run_id",
            "ASSET_MATERIALIZATION",
        )
    )
    built = {job: events.get(run_id, 0) for run_id, job, _ in runs}
    assert built["refresh_all"] >= 40, built  # every seed table and analytics table
    assert built["market_refresh"] >= 1, built
    before = rows(postgres_url, "select pipeline_name from runs order by create_timestamp")
    assert [job for (job,) in before] == jobs[:-1], "the build's database is left as it was"


def dagster(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "dagster"), *args, "-m", "pipelines.definitions"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
    )


def wait_for(what: str, seconds: float, found):
    deadline = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return result


def share_file(landing: Path, name: str, period: str) -> Path:
    """A market file of one new period, written under another name and renamed when whole, as a
    careful copier does (the landing sensor and the refreshes never see it half-written)."""
    path = landing / name
    partial = path.with_name(name + ".partial")
    partial.write_text(
        "period,market,region,vendor,share,source\n"
        f"{period},ai_accelerators,global,nvidia,0.8,queue test\n"
        f"{period},ai_accelerators,global,amd,0.2,queue test\n"
    )
    partial.rename(path)
    return path


def test_queued_market_refreshes_and_the_schedule_run_one_after_the_other_through_the_daemon(
    project,
):
    """Two market_refresh runs launched at once and the daily schedule (set to every minute by
    SOVAI_REFRESH_CRON) all go through the daemon's queue and the warehouse pool: no two overlap,
    all succeed. The first run takes a landed file; a second file lands while that run is still
    busy and the others wait, so the next run takes it: the warehouse ends with two new,
    consecutive versions of raw.market_shares, one per file."""
    env = project | {"SOVAI_REFRESH_CRON": "* * * * *"}  # a built warehouse and its history
    url = env["TEST_POSTGRES_URL"]
    before = {run_id for (run_id,) in rows(url, "select run_id from runs")}
    versions_before = market_versions(env)
    landing = Path(env["SOVAI_LANDING_DIR"])
    landing.mkdir(parents=True, exist_ok=True)
    # The daemon applies pools' default_limit only from its second pass over a pool it has not
    # seen (it reads the configured pools before it adds the new one), so two runs queued before
    # the pool exists are both started; setting the pool's limit once, as the deployment does
    # (docs/operations.md), closes that gap.
    pool = subprocess.run(
        [str(VENV_BIN / "dagster"), "instance", "concurrency", "set", WAREHOUSE_POOL, "1"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
    )
    assert pool.returncode == 0, pool.stderr
    assert rows(url, 'select concurrency_key, "limit" from concurrency_limits') == [
        (WAREHOUSE_POOL, 1)
    ]
    first_file = share_file(landing, "queue-a.csv", "2026-07-01")
    daemon = subprocess.Popen(
        [str(VENV_BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        start_new_session=True,  # its code server and run workers are stopped with it
    )
    try:
        launches = [dagster("job", "launch", "-j", "market_refresh", env=env) for _ in "ab"]
        for launch in launches:
            _, errors = launch.communicate(timeout=120)
            assert launch.returncode == 0, errors
        launched = {run_id for (run_id,) in rows(url, "select run_id from runs")} - before

        # The first run to start takes queue-a.csv; while it is still publishing, and the other
        # waits in the queue, queue-b.csv lands for the next.
        wait_for("a run to take queue-a.csv", QUEUE_TIMEOUT_S, lambda: not first_file.exists())
        share_file(landing, "queue-b.csv", "2026-08-01")

        def finished():
            found = rows(
                url,
                "select runs.run_id, status, start_time, end_time, "
                "tags.value is not null as scheduled from runs left join run_tags tags "
                "on tags.run_id = runs.run_id and tags.key = 'dagster/schedule_name' "
                "where pipeline_name = 'market_refresh' order by start_time",
            )
            new = [row for row in found if row[0] not in before]
            done = all(row[1] in ("SUCCESS", "FAILURE", "CANCELED") for row in new)
            ours = launched <= {row[0] for row in new} and any(row[4] for row in new)
            return new if ours and done and not (landing / "queue-b.csv").exists() else None

        new = wait_for("the launched and the scheduled runs to finish", QUEUE_TIMEOUT_S, finished)
        assert {status for _, status, *_ in new} == {"SUCCESS"}, new
        for earlier, later in pairwise(new):
            assert later[2] >= earlier[3], f"{later[0]} started before {earlier[0]} had finished"
        queued = rows(
            url,
            "select count(distinct run_id) from event_logs "
            "where dagster_event_type = 'PIPELINE_ENQUEUED' and run_id = any(%s)",
            [row[0] for row in new],
        )
        assert queued == [(len(new),)], "every run went through the queue"

        versions = market_versions(env)
        assert versions == list(range(1, len(versions) + 1)), versions
        assert len(versions) == len(versions_before) + 2, "one new version per landed file"
        taken = sorted(
            path.name.split("-", 1)[1]
            for path in (landing.parent / "processed").glob("*-queue-*.csv")
        )
        assert taken == ["queue-a.csv", "queue-b.csv"]

        # The landing sensor (running by default) ticked through the daemon too.
        sensor_ticks = (
            "select 1 from job_ticks where type = 'SENSOR' and tick_body like '%landing_sensor%'"
        )
        wait_for("a landing_sensor tick", 60, lambda: rows(url, sensor_ticks))
    finally:
        stop_process_group(daemon)


def market_versions(env: dict[str, str]) -> list[int]:
    versions = sovai("versions", "raw.market_shares", "--format", "json", env=env)
    assert versions.returncode == 0, versions.stderr
    return sorted(row["version"] for row in json.loads(versions.stdout))
