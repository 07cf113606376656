"""The production instance (deploy/dagster.yaml) against a real PostgreSQL server: `sovai run` and
`sovai refresh` keep their runs and events in PostgreSQL, and with a real `dagster-daemon`, two
market refreshes submitted at once wait in the queue and run one after the other (the warehouse
pool's limit of 1), and the landing sensor ticks."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from pipelines.resources import WAREHOUSE_POOL
from tests.cli.runner import PROJECT_ROOT, no_traceback, private_env, sovai, stop_process_group
from tests.postgres import postgres_url  # noqa: F401  (the fixture)

DEPLOY_CONFIG = PROJECT_ROOT / "deploy" / "dagster.yaml"


def deploy_home(folder: Path) -> Path:
    """A Dagster home holding deploy/dagster.yaml, its local folders (relative to the project root
    there) moved under folder so a test leaves nothing in the project."""
    home = folder / "deploy_home"
    home.mkdir(exist_ok=True)
    config = DEPLOY_CONFIG.read_text().replace("base_dir: .dagster", f"base_dir: {folder}/.dagster")
    (home / "dagster.yaml").write_text(config)
    return home


@pytest.fixture(scope="module")
def deploy_env(tmp_path_factory, postgres_url) -> dict[str, str]:  # noqa: F811
    folder = tmp_path_factory.mktemp("deploy")
    env = private_env(folder)
    env["DAGSTER_HOME"] = str(deploy_home(folder))
    # dagster-postgres 0.29.27 sends `NOTIFY run_events, :notify_id`, which only psycopg2 (it fills
    # parameters in on the client) accepts; SQLAlchemy 2.1 picks psycopg 3 for a plain
    # postgresql:// URL, and the first event of a run fails with a syntax error.
    env["DAGSTER_POSTGRES_URL"] = postgres_url.replace("postgresql://", "postgresql+psycopg2://")
    env["TEST_POSTGRES_URL"] = postgres_url
    return env


VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
QUEUE_TIMEOUT_S = 240


def rows(url: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql, params or None).fetchall()


def test_sovai_run_and_refresh_keep_their_runs_and_events_in_postgres(deploy_env):
    url = deploy_env["TEST_POSTGRES_URL"]
    for command in ("run", "refresh"):
        result = sovai(command, env=deploy_env)
        assert result.returncode == 0, result.stderr
        assert no_traceback(result)

    runs = rows(url, "select run_id, pipeline_name, status from runs order by create_timestamp")
    jobs = [(job, status) for _, job, status in runs]
    assert ("refresh_all", "SUCCESS") in jobs
    assert ("market_refresh", "SUCCESS") in jobs
    assert all(status == "SUCCESS" for _, status in jobs), jobs
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


def test_two_market_refreshes_submitted_at_once_run_one_after_the_other_through_the_daemon(
    deploy_env,
):
    url = deploy_env["TEST_POSTGRES_URL"]
    if not rows(url, "select 1 from runs where pipeline_name = 'refresh_all'"):
        assert sovai("run", env=deploy_env).returncode == 0  # the tables market_refresh reads
    before = {run_id for (run_id,) in rows(url, "select run_id from runs")}
    # The daemon applies pools' default_limit only from its second pass over a pool it has not
    # seen (it reads the configured pools before it adds the new one), so two runs queued before
    # the pool exists are both started; setting the pool's limit once, as the deployment does
    # (docs/operations.md), closes that gap.
    pool = subprocess.run(
        [str(VENV_BIN / "dagster"), "instance", "concurrency", "set", WAREHOUSE_POOL, "1"],
        capture_output=True,
        text=True,
        env={**os.environ, **deploy_env},
        cwd=PROJECT_ROOT,
    )
    assert pool.returncode == 0, pool.stderr
    assert rows(url, 'select concurrency_key, "limit" from concurrency_limits') == [
        (WAREHOUSE_POOL, 1)
    ]
    daemon = subprocess.Popen(
        [str(VENV_BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **deploy_env},
        cwd=PROJECT_ROOT,
        start_new_session=True,  # its code server and run workers are stopped with it
    )
    try:
        launches = [dagster("job", "launch", "-j", "market_refresh", env=deploy_env) for _ in "ab"]
        for launch in launches:
            _, errors = launch.communicate(timeout=120)
            assert launch.returncode == 0, errors

        def finished():
            found = rows(
                url,
                "select run_id, status, start_time, end_time from runs "
                "where pipeline_name = 'market_refresh' order by start_time",
            )
            new = [row for row in found if row[0] not in before]
            done = len(new) == 2 and all(row[1] in ("SUCCESS", "FAILURE") for row in new)
            return new if done else None

        first, second = wait_for("both queued runs to finish", QUEUE_TIMEOUT_S, finished)
        assert [first[1], second[1]] == ["SUCCESS", "SUCCESS"]
        assert second[2] >= first[3], "the second run started before the first had finished"
        queued = rows(
            url,
            "select count(distinct run_id) from event_logs "
            "where dagster_event_type = 'PIPELINE_ENQUEUED' and run_id in (%s, %s)",
            first[0],
            second[0],
        )
        assert queued == [(2,)], "both runs went through the queue"

        versions = sovai("versions", "raw.market_shares", "--format", "json", env=deploy_env)
        assert versions.returncode == 0, versions.stderr
        numbers = [row["version"] for row in json.loads(versions.stdout)]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), numbers

        # The landing sensor (running by default) ticked through the daemon.
        sensor_ticks = (
            "select 1 from job_ticks where type = 'SENSOR' and tick_body like '%landing_sensor%'"
        )
        wait_for("a landing_sensor tick", 60, lambda: rows(url, sensor_ticks))
    finally:
        stop_process_group(daemon)
