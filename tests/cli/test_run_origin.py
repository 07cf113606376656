"""A run the CLI starts is a run of its job in the code location `make ui` serves, so the UI
lists it under the job and in the Overview timeline (the browser test looks at the job page)."""

import uuid

import dagster as dg

from pipelines.cli.run_origin import CODE_LOCATION, REPOSITORY, execute_as_job_run


@dg.asset
def one() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 1})


def test_a_cli_run_carries_its_jobs_origin_and_repository_label():
    job = dg.Definitions(
        assets=[one], jobs=[dg.define_asset_job("j", selection=[one])]
    ).resolve_job_def("j")
    with dg.DagsterInstance.ephemeral() as instance:
        result = execute_as_job_run(job, instance, {}, {"sovai/pid": "1"}, run_id=str(uuid.uuid4()))
        assert result.success
        run = instance.get_run_by_id(result.run_id)
        label = f"{REPOSITORY}@{CODE_LOCATION}"
        assert run.remote_job_origin.repository_origin.get_label() == label
        assert run.remote_job_origin.job_name == "j"
        assert run.tags["sovai/pid"] == "1"
        under_job = instance.get_runs(
            filters=dg.RunsFilter(job_name="j", tags={".dagster/repository": label})
        )
        assert [found.run_id for found in under_job] == [result.run_id]
        assert len(result.get_asset_materialization_events()) == 1
