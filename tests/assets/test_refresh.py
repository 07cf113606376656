"""Real Dagster runs of the whole pipeline into a private warehouse."""

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import build_definitions
from tests.conftest import run_job

ANALYTICS_TABLES = {
    "platform_efficiency",
    "market_concentration",
    "market_concentration_history",
    "concentration_scenarios",
    "vendor_risk",
    "switching_costs",
    "strategy_benefits",
    "strategy_position",
    "policy_instruments",
    "export_control_thresholds",
    "ai_act_risk_categories",
    "policy_effectiveness",
    "infrastructure_deployments",
    "accelerators",
    "accelerator_matches",
    "accelerator_match_summary",
    "benchmark_results",
    "accelerator_efficiency",
    "export_control_screening",
    "hardware_vendor_shares",
    "hardware_vendor_concentration",
    "sovereign_compute_plans",
    "sovereign_compute_plan_sensitivity",
    "sovereign_compute_plan_summary",
}


def query(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def versions(path) -> dict[str, int]:
    return dict(query(path, "select table_name, max(version) from meta.table_versions group by 1"))


@pytest.fixture(scope="module")
def first_build(sovai_built, tmp_path_factory):
    """The user's first `sovai run` (a copy of the session's), for the tests that only read its
    tables or what its run history holds: its warehouse, seeds and each asset's materialization
    as the UI shows it."""
    env = sovai_built.copy_to(tmp_path_factory.mktemp("first-build"))
    graph = build_definitions(expectations=False).resolve_asset_graph()
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        materializations = [
            instance.get_latest_materialization_event(key).get_dagster_event()
            for key in graph.materializable_asset_keys
        ]
    return Path(env["SOVAI_WAREHOUSE"]), Path(env["SOVAI_SEEDS_DIR"]), materializations


@pytest.fixture
def refreshed(built):
    """A built warehouse of the test's own to change (a copy of the session's build)."""
    return built


def test_a_full_refresh_publishes_every_analytics_table(first_build):
    warehouse, _, _ = first_build
    views = {
        name
        for (name,) in query(
            warehouse, "select view_name from duckdb_views() where schema_name = 'analytics'"
        )
    }
    assert views == ANALYTICS_TABLES
    assert set(versions(warehouse).values()) == {1}


def test_the_warehouse_holds_the_article_figures(first_build):
    warehouse, _, _ = first_build
    assert query(
        warehouse,
        "select platform, round(tco_usd, 1) from analytics.platform_efficiency order by 1",
    ) == [("grace_cpu", 8603.8), ("projected_vera", 7985.5), ("x86_current", 9379.7)]
    assert query(
        warehouse, "select round(hhi), class_2010, class_2023 from analytics.market_concentration"
    ) == [(7338.0, "highly_concentrated", "highly_concentrated")]
    assert query(
        warehouse,
        "select round(immediate_benefit, 2), round(long_term_risk, 2) "
        "from analytics.strategy_position",
    ) == [(1.55, 7.34)]
    effectiveness = dict(
        query(
            warehouse,
            "select metric, coalesce(current_over_target, current) "
            "from analytics.policy_effectiveness",
        )
    )
    assert round(effectiveness["private_investment_leverage"], 2) == 4.04
    assert effectiveness["trained_workers"] == pytest.approx(0.425)
    density = query(
        warehouse,
        "select value, matches_article from analytics.export_control_thresholds "
        "where parameter = 'performance_density'",
    )
    assert density == [(5.92, False)]
    components = query(
        warehouse,
        "select model, deployment_start_year, deployment_end_year "
        "from analytics.infrastructure_deployments where component = 'gpu' order by 1",
    )
    assert components == [("gb300", 2026, 2027), ("r100", 2027, 2028)]


def test_every_materialization_reports_row_count_schema_and_preview(first_build):
    _, _, events = first_build
    assert len(events) >= 25
    for event in events:
        metadata = event.event_specific_data.materialization.metadata
        assert metadata["dagster/row_count"].value > 0
        assert metadata["dagster/column_schema"].schema.columns
        assert "|" in metadata["preview"].value  # a Markdown table


def test_a_rerun_publishes_no_new_version(refreshed):
    warehouse, seeds, _ = refreshed
    before = versions(warehouse)
    assert run_job(warehouse, seeds).success
    assert versions(warehouse) == before


def test_a_changed_seed_publishes_version_2_and_as_of_returns_version_1(refreshed):
    warehouse, seeds, _ = refreshed
    between = datetime.now(UTC)
    time.sleep(0.01)
    platforms = seeds / "platforms.csv"
    platforms.write_text(
        platforms.read_text().replace("grace_cpu,145,280,7500", "grace_cpu,145,280,6500")
    )
    assert run_job(warehouse, seeds).success

    after = versions(warehouse)
    assert after["platform_efficiency"] == 2
    assert after["raw_platforms"] == 2
    assert after["market_concentration"] == 1  # untouched by the change
    assert query(
        warehouse, "select tco_usd from analytics.platform_efficiency where platform = 'grace_cpu'"
    ) == [(pytest.approx(7603.76),)]
    assert query(
        warehouse,
        "select round(tco_usd, 2) from as_of('platform_efficiency', ?) "
        "where platform = 'grace_cpu'",
        [between],
    ) == [(8603.76,)]


def steps(result, kind: str) -> set[str]:
    return {event.step_key for event in result.all_events if event.event_type_value == kind}


def test_a_bad_seed_fails_its_own_ingest_and_what_reads_it_and_nothing_else(refreshed):
    warehouse, seeds, _ = refreshed
    before = versions(warehouse)
    (seeds / "platforms.csv").write_text(
        (seeds / "platforms.csv").read_text().replace("x86_current,100,350", "x86_current,100,-350")
    )

    (result,) = run_job(warehouse, seeds).results
    assert not result.success
    assert steps(result, "STEP_FAILURE") == {"ingest_platforms"}
    failure = next(event for event in result.all_events if event.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert "platforms.csv, line 2, column 'power_watts'" in description
    assert "Traceback" not in description
    problems = failure.step_failure_data.user_failure_data.metadata["problems"].value
    assert {record.data["column"] for record in problems.records} == {"power_watts"}
    readers = {"analytics__platform_efficiency", "reports__platform_efficiency_chart"}
    assert not readers & steps(result, "STEP_START"), "what reads the bad seed must not run"
    events = result.get_asset_materialization_events()
    built = {event.asset_key.to_user_string() for event in events}
    assert "raw/platforms" not in built
    # every other source and what it feeds went in
    assert {"raw/vendors", "raw/policy_instruments", "analytics/benchmark_results"} <= built
    assert {"analytics/accelerator_efficiency", "reports/platform_efficiency_chart"} - built == {
        "reports/platform_efficiency_chart"
    }
    assert versions(warehouse) == before, "the bad seed's table keeps its version; others are equal"


BAD_SEEDS = {
    "non-numeric watts": ("platforms.csv", "x86_current,100,350", "x86_current,100,lots"),
    "bad enumeration": ("vendors.yaml", "geopolitical_risk: low", "geopolitical_risk: extreme"),
    "malformed yaml": ("policy/us.yaml", "targeted_countries: [China,", "targeted_countries: [["),
    "benefit above one": ("strategy/meta-nvidia.yaml", "value: 0.35", "value: 3.5"),
}
INGEST_STEP = {
    "platforms.csv": "ingest_platforms",
    "vendors.yaml": "ingest_vendors",
    "policy/us.yaml": "ingest_policy",
    "strategy/meta-nvidia.yaml": "ingest_strategy",
}


def test_each_kind_of_bad_seed_fails_its_ingest_step_and_keeps_the_warehouse(refreshed):
    """One run with every kind broken, each in a file of its own: each file's ingest step fails
    on its own problems, and no table gets a new version."""
    warehouse, seeds, _ = refreshed
    before = versions(warehouse)
    for file, good, bad in BAD_SEEDS.values():
        text = (seeds / file).read_text()
        assert good in text
        (seeds / file).write_text(text.replace(good, bad, 1))

    result = run_job(warehouse, seeds)
    assert not result.success
    failures = {event.step_key: event for event in result.all_events if event.is_step_failure}
    assert set(failures) == set(INGEST_STEP.values())
    for file, step in INGEST_STEP.items():
        problems = failures[step].step_failure_data.user_failure_data.metadata["problems"]
        records = problems.value.records
        assert records and all(record.data["file"].endswith(file) for record in records), step
        assert all(record.data["row"] and record.data["rule"] for record in records)
    assert versions(warehouse) == before


def test_a_seed_share_file_naming_an_unknown_vendor_is_refused_by_the_market_path(refreshed):
    warehouse, seeds, _ = refreshed
    before = versions(warehouse)
    shares = next((seeds / "market_shares").glob("*.csv"))
    shares.write_text(shares.read_text().replace(",intel,", ",acme,", 1))

    runs = run_job(warehouse, seeds, job="market_refresh")  # the path that reads share files
    checks = [
        event.event_specific_data
        for event in runs.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.event_specific_data.check_name == "landing_files_valid"
    ]
    assert checks and not checks[-1].passed
    assert "acme" in checks[-1].description
    assert versions(warehouse) == before, "the refused file changed no table"
    assert shares.exists(), "a seed file is never moved or deleted"


def column_deps(materializations, table: str) -> dict[str, set[tuple[str, str]]]:
    (event,) = [event for event in materializations if event.asset_key.path == ["analytics", table]]
    lineage = event.event_specific_data.materialization.metadata["dagster/column_lineage"]
    return {
        column: {("/".join(dep.asset_key.path), dep.column_name) for dep in sources}
        for column, sources in lineage.column_lineage.deps_by_column.items()
    }


def test_sql_models_report_column_lineage_from_their_sql(first_build):
    _, _, materializations = first_build
    deps = column_deps(materializations, "market_concentration_history")
    # the vendor whose share moved most, named only where the series has a previous period
    assert deps["top_mover"] == {
        ("raw/market_shares", "vendor"),
        ("raw/market_shares", "share"),
        ("analytics/market_concentration", "period"),
    }
    assert deps["delta_hhi"] == {("analytics/market_concentration", "hhi")}
    # Followed in one walk per model: market_concentration's columns, which sqlglot lost when
    # each column was followed on its own, have their lineage too
    shares = {("raw/market_shares", "share"), ("raw/market_shares", "vendor")}
    concentration = column_deps(materializations, "market_concentration")
    assert concentration["hhi"] == shares
    assert concentration["period"] == {("raw/market_shares", "period")}
