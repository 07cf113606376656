"""The code location loads, and every asset tells a user what it is."""

import re
import time

import dagster as dg

from pipelines.definitions import defs
from pipelines.resources import WAREHOUSE_POOL

SOURCE_PREFIXES = {"seeds", "landing"}  # the input files, observed, not built


def all_asset_specs() -> list[dg.AssetSpec]:
    """The assets the pipeline builds (tables and reports)."""
    return [
        spec for spec in defs.resolve_all_asset_specs() if spec.key.path[0] not in SOURCE_PREFIXES
    ]


def source_specs() -> list[dg.AssetSpec]:
    return [spec for spec in defs.resolve_all_asset_specs() if spec.key.path[0] in SOURCE_PREFIXES]


def test_definitions_load_as_dagster_would_load_them():
    dg.Definitions.validate_loadable(defs)
    assert len(all_asset_specs()) >= 23


def test_asset_keys_mirror_warehouse_schemas_and_groups_mirror_layers():
    for spec in all_asset_specs():
        schema = spec.key.path[0]
        assert schema in {"raw", "analytics", "reports"}, spec.key
        assert spec.group_name == schema, spec.key
        assert len(spec.key.path) == 2, spec.key


def test_the_input_files_are_observable_sources_each_raw_table_depends_on():
    sources = {spec.key.to_user_string(): spec for spec in source_specs()}
    assert "landing/market_files" in sources and "seeds/platforms" in sources
    assert all(spec.group_name == "sources" and spec.description for spec in sources.values())
    graph = defs.resolve_asset_graph()
    assert all(graph.get(spec.key).is_observable for spec in sources.values())
    for spec in all_asset_specs():
        if spec.key.path[0] == "raw":
            deps = {dep.asset_key.path[0] for dep in spec.deps}
            assert deps & SOURCE_PREFIXES, f"{spec.key} reads no observed input"


def test_every_asset_has_a_description_kinds_owner_and_code_version():
    for spec in all_asset_specs():
        assert spec.description and len(spec.description) > 20, spec.key
        assert spec.kinds, spec.key
        assert spec.code_version, spec.key
        assert spec.owners, spec.key


def test_every_code_version_is_a_content_hash_of_the_same_shape():
    """One convention (pipelines/assets/versioning.py): no hand-numbered versions beside hashes."""
    for spec in all_asset_specs():
        assert re.fullmatch(r"[0-9a-f]{12}", spec.code_version or ""), (spec.key, spec.code_version)


def test_sql_assets_depend_on_the_tables_their_sql_reads():
    specs = {spec.key.to_user_string(): spec for spec in all_asset_specs()}
    deps = {dep.asset_key.to_user_string() for dep in specs["analytics/strategy_position"].deps}
    assert {
        "raw/strategies",
        "raw/strategy_benefits",
        "raw/market_shares",
        "raw/assumptions",
        "analytics/market_concentration",
    } <= deps


def test_every_asset_that_publishes_to_the_warehouse_is_in_its_pool_and_reports_are_not():
    # Tables (raw, analytics) are published to the warehouse; reports only read it and write files.
    pools = {
        node.key: node.assets_def.op.pool
        for node in defs.resolve_asset_graph().asset_nodes
        if node.key.path[0] not in SOURCE_PREFIXES
    }
    assert {key for key, pool in pools.items() if pool == WAREHOUSE_POOL} == {
        key for key in pools if key.path[0] != "reports"
    }
    assert {pool for key, pool in pools.items() if key.path[0] == "reports"} == {None}


def test_the_daily_market_refresh_runs_the_market_path_at_six_utc():
    schedule = defs.resolve_schedule_def("daily_market_refresh")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "UTC"
    job = defs.resolve_job_def("market_refresh")
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {
        "raw/market_shares",
        "analytics/market_concentration",
        "analytics/market_concentration_history",
        "analytics/vendor_risk",
    } <= keys
    assert "analytics/platform_efficiency" not in keys


def test_the_default_executor_runs_in_process():
    assert defs.resolve_job_def("refresh_all").executor_def.name == "in_process"


def check_names(job_name: str) -> set[str]:
    job = defs.resolve_job_def(job_name)
    return {key.name for key in job.asset_layer.asset_graph.asset_check_keys}


def test_great_expectations_run_in_a_job_of_their_own_and_not_in_the_builds():
    assert check_names("data_quality") == {"great_expectations"}
    for build in ("refresh_all", "market_refresh"):
        names = check_names(build)
        assert "great_expectations" not in names and "keys_unique" in names, build


def quality_request(job_name: str, built: list[dg.AssetKey]):
    """What the quality sensor asks for after a successful run that materialized built."""
    from dagster._core.events import DagsterEventType, StepMaterializationData
    from dagster._core.events.log import EventLogEntry

    sensor = defs.resolve_sensor_def("quality_after_build")
    run = dg.DagsterRun(job_name=job_name, run_id=f"run-{job_name}-{len(built)}")
    with dg.instance_for_test() as instance:
        for key in built:
            event = dg.DagsterEvent(
                DagsterEventType.ASSET_MATERIALIZATION.value,
                job_name,
                event_specific_data=StepMaterializationData(dg.AssetMaterialization(key)),
            )
            instance.handle_new_event(
                EventLogEntry(
                    error_info=None,
                    level="debug",
                    user_message="",
                    run_id=run.run_id,
                    timestamp=time.time(),
                    dagster_event=event,
                )
            )
        context = dg.build_run_status_sensor_context(
            sensor_name="quality_after_build",
            dagster_event=dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name=job_name),
            dagster_instance=instance,
            dagster_run=run,
        )
        return sensor(context)


def test_the_quality_sensor_runs_the_suites_of_the_tables_a_build_rebuilt():
    assert defs.resolve_sensor_def("quality_after_build").job_name == "data_quality"
    concentration = dg.AssetKey(["analytics", "market_concentration"])
    request = quality_request("market_refresh", [concentration, dg.AssetKey(["raw", "vendors"])])
    assert isinstance(request, dg.RunRequest)
    assert request.asset_check_keys == [dg.AssetCheckKey(concentration, "great_expectations")]
    assert isinstance(quality_request("market_refresh", []), dg.SkipReason), "nothing rebuilt"
    assert isinstance(quality_request("data_quality", [concentration]), dg.SkipReason)
