"""Runs the CLI starts, recorded as runs of their job in the code location the UI loads.

`execute_in_process` creates a run without a job origin, so the Dagster UI lists it under Runs
but not under its job, nor in the Overview timeline (both place a run by the code location and
repository it came from). This does what execute_in_process does (dagster 1.13: plan, run
record, in-process execution), with the run record carrying the origin of the job in the code
location `make ui` serves (`dagster dev -m pipelines.definitions`: location
`pipelines.definitions`, repository `__repository__`). Private Dagster APIs are used here and
only here; tests/cli/test_run_origin.py fails if a Dagster upgrade changes them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

import dagster as dg
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.execution.api import (
    ExecuteRunWithPlanIterable,
    create_execution_plan,
    job_execution_iterator,
)
from dagster._core.execution.context_creation_job import (
    PlanOrchestrationContextManager,
    orchestration_context_event_generator,
)
from dagster._core.execution.execute_in_process_result import ExecuteInProcessResult
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from pipelines.settings import PROJECT_ROOT

CODE_LOCATION = "pipelines.definitions"  # what `dagster dev -m pipelines.definitions` names it
REPOSITORY = "__repository__"  # the repository a Definitions object becomes


def job_origin(job_name: str) -> RemoteJobOrigin:
    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(
            executable_path=sys.executable,
            module_name=CODE_LOCATION,
            working_directory=str(PROJECT_ROOT),
        ),
        location_name=CODE_LOCATION,
    )
    return RemoteRepositoryOrigin(location, REPOSITORY).get_job_origin(job_name)


def execute_as_job_run(
    job_def: dg.JobDefinition,
    instance: dg.DagsterInstance,
    run_config: Mapping[str, object],
    tags: Mapping[str, str],
    run_id: str,
    asset_selection: AbstractSet[dg.AssetKey] = frozenset(),
    asset_check_selection: AbstractSet[dg.AssetCheckKey] | None = None,
) -> ExecuteInProcessResult:
    """Execute job_def in this process, as a run of its job in the code location; with a
    selection, only those assets (with their checks) or those checks."""
    job_def = job_def.as_ephemeral_job(resource_defs={}, input_values={})  # in-process executor
    selected = job_def
    if asset_selection or asset_check_selection:
        selected = job_def.get_subset(
            asset_selection=set(asset_selection), asset_check_selection=asset_check_selection
        )
    job = InMemoryJob(job_def=selected)
    reference = instance.get_ref() if instance.is_persistent else None
    plan = create_execution_plan(job, run_config=run_config, instance_ref=reference)
    run = instance.create_run_for_job(
        job_def=job_def,
        run_config=run_config,
        tags={**job_def.run_tags, **tags},
        run_id=run_id,
        execution_plan=plan,
        remote_job_origin=job_origin(job_def.name),
        asset_selection=set(asset_selection) or None,
    )
    events = list(
        ExecuteRunWithPlanIterable(
            execution_plan=plan,
            iterator=job_execution_iterator,
            execution_context_manager=PlanOrchestrationContextManager(
                context_event_generator=orchestration_context_event_generator,
                job=job,
                execution_plan=plan,
                dagster_run=run,
                instance=instance,
                run_config=run_config,
                executor_defs=None,
                output_capture=None,
                raise_on_error=False,
            ),
        )
    )
    return ExecuteInProcessResult(
        job_def=selected,
        event_list=events,
        dagster_run=instance.get_run_by_id(run.run_id),
        output_capture={},
    )
