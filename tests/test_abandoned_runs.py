"""A run whose process died is reported failed, not shown as running for ever; a run whose
process is alive (another terminal) is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun

from pipelines.abandoned_runs import (
    HOST_TAG,
    PID_TAG,
    STARTED_TAG,
    mark_abandoned_runs,
    process_tags,
)
from pipelines.resources import WarehouseResource


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run_id = str(uuid.uuid4())
    instance.run_storage.add_run(
        DagsterRun(
            job_name="market_refresh", run_id=run_id, status=dg.DagsterRunStatus.STARTED, tags=tags
        )
    )
    return run_id


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_started_run_whose_process_is_gone_is_reported_failed_and_a_live_one_is_not():
    with dg.DagsterInstance.ephemeral() as instance:
        dead = _started_run(instance, {HOST_TAG: socket.gethostname(), PID_TAG: str(_dead_pid())})
        alive = _started_run(instance, process_tags())
        reused = _started_run(instance, {**process_tags(), STARTED_TAG: "1"})  # pid reused since
        elsewhere = _started_run(instance, {HOST_TAG: "another-host", PID_TAG: str(_dead_pid())})
        untagged = _started_run(instance, {})

        assert sorted(mark_abandoned_runs(instance)) == sorted([dead, reused])

        status = {
            run_id: instance.get_run_by_id(run_id).status
            for run_id in (dead, alive, reused, elsewhere, untagged)
        }
        assert status[dead] == status[reused] == dg.DagsterRunStatus.FAILURE
        assert status[alive] == status[elsewhere] == status[untagged] == dg.DagsterRunStatus.STARTED
        failure = instance.all_logs(dead, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        assert "ended without finishing it" in failure.dagster_event.message
        assert mark_abandoned_runs(instance) == []  # once is enough


def test_a_run_started_without_the_cli_is_tagged_with_its_process_by_the_warehouse_resource(
    tmp_path,
):
    @dg.asset
    def uses_the_warehouse(warehouse: WarehouseResource) -> None:
        pass

    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "w.duckdb"), allow_outside_project=True
    )
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [uses_the_warehouse], resources={"warehouse": warehouse}, instance=instance
        )
        tags = instance.get_run_by_id(result.run_id).tags
    assert tags[PID_TAG] == str(os.getpid())
    assert tags[HOST_TAG] == socket.gethostname()
