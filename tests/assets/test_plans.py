"""The plans' assets in the Dagster code location: an ingest of their own, the three tables
reading what the method needs, and each table with its table checks and its Great Expectations
suite."""

import dagster as dg

from pipelines.checks.validation import SEED_CHECK
from pipelines.definitions import build_definitions

TABLES = [
    "analytics/sovereign_compute_plans",
    "analytics/sovereign_compute_plan_sensitivity",
    "analytics/sovereign_compute_plan_summary",
]


def test_the_plans_are_assets_with_an_ingest_of_their_own_reading_the_hardware_tables():
    defs = build_definitions(expectations=True)
    graph = defs.resolve_asset_graph()
    parents = {
        key: {
            parent.to_user_string()
            for parent in graph.get(dg.AssetKey.from_user_string(key)).parent_keys
        }
        for key in TABLES
    }
    assert {
        "raw/compute_plans",
        "raw/assumptions",
        "raw/export_control_destinations",
        "raw/export_control_licence_requirements",
        "analytics/accelerator_efficiency",
        "analytics/export_control_screening",
    } <= parents["analytics/sovereign_compute_plans"]
    assert "analytics/sovereign_compute_plan_sensitivity" in parents[TABLES[2]]
    raw = graph.get(dg.AssetKey(["raw", "compute_plans"]))
    assert raw.assets_def.op.name == "ingest_plans"
    assert {parent.to_user_string() for parent in raw.parent_keys} == {"seeds/plans"}
    chart = graph.get(dg.AssetKey(["reports", "sovereign_compute_plans_chart"]))
    assert dg.AssetKey.from_user_string(TABLES[0]) in chart.parent_keys


def test_each_plan_table_has_its_table_checks_and_a_great_expectations_suite():
    defs = build_definitions(expectations=True)
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for checks in defs.asset_checks
        for key in checks.check_keys
    }
    for table in TABLES:
        assert {(table, "keys_unique"), (table, "great_expectations")} <= checks, table
    assert ("analytics/sovereign_compute_plan_summary", "hhi_in_range") in checks
    # the plan seeds' pandera model, a blocking check of their ingest
    ingest = defs.resolve_asset_graph().get(dg.AssetKey(["raw", "compute_plans"])).assets_def
    assert {key.name for key in ingest.check_keys} == {SEED_CHECK}
