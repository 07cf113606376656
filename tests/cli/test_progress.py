"""The progress bar of `sovai run` follows a real Dagster run's assets, and stays out of pipes."""

import io
import uuid

import dagster as dg
from rich.console import Console

from pipelines.cli.progress import RunProgress
from pipelines.definitions import build_definitions
from tests.conftest import private_resource


def test_the_bar_counts_every_planned_asset_as_the_run_materializes_it(tmp_path, built):
    warehouse, seeds, landing = built  # the market run, on a built warehouse
    resource = private_resource(warehouse, seeds, landing)
    job = build_definitions(resource, expectations=False).resolve_job_def("market_refresh")
    terminal = io.StringIO()
    run_id = str(uuid.uuid4())
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        console = Console(file=terminal, force_terminal=True, color_system=None, width=160)
        with RunProgress(instance, run_id, "market_refresh", console=console) as progress:
            result = job.execute_in_process(instance=instance, run_id=run_id)
    assert result.success
    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert len(materialized) > 5
    assert progress.planned == progress.done == materialized
    assert f"{len(materialized)}/{len(materialized)} assets" in terminal.getvalue()


def test_the_bar_is_off_when_stderr_is_not_a_terminal_or_when_asked(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        pipe = Console(file=io.StringIO(), force_terminal=False)
        assert not RunProgress(instance, "run", "job", console=pipe).enabled
        terminal = Console(file=io.StringIO(), force_terminal=True)
        assert not RunProgress(instance, "run", "job", console=terminal, enabled=False).enabled
