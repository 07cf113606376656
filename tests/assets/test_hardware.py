"""Real Dagster runs of the hardware path: every table from the real files, the match rate in
the metadata, the three queries of docs/hardware.md, an environment override and a bad file."""

import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, run_with_upstream
from tests.ingest.test_hardware_sources import KEPT_CHIPS, small_catalog

HARDWARE_TABLES = {
    "accelerators": 170,
    "accelerator_matches": 20,
    "accelerator_match_summary": 1,
    "benchmark_results": 786,
    "export_control_screening": 170,
    "hardware_vendor_concentration": 2,
}


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def versions(path: Path) -> dict[str, int]:
    return dict(query(path, "select table_name, max(version) from meta.table_versions group by 1"))


@pytest.fixture(scope="module")
def built(sovai_built):
    """The session's full run (`sovai run` on the shipped seeds, the real hardware files): its
    warehouse and seeds, read only, and the build, whose run history holds the metadata."""
    return sovai_built.warehouse, sovai_built.root / "seeds", sovai_built


def test_a_full_run_ingests_both_real_files_and_publishes_every_hardware_table(built):
    warehouse, _, _ = built
    for table, rows in HARDWARE_TABLES.items():
        assert query(warehouse, f"select count(*) from analytics.{table}") == [(rows,)], table
    assert query(warehouse, "select count(*) from raw.hardware_catalog") == [(170,)]
    assert query(warehouse, "select count(*) from raw.mlperf_results") == [(937,)]
    assert query(warehouse, "select count(*) from analytics.accelerator_efficiency")[0][0] > 50
    assert query(
        warehouse,
        "select vendor from analytics.hardware_vendor_shares where market = 'catalog_chip_models'",
    )
    # Manufacturers not in vendors.yaml did not disturb the market path.
    assert query(warehouse, "select round(hhi) from analytics.market_concentration") == [(7338.0,)]


def test_a_full_run_settles_no_chip_on_a_missing_input_and_shows_why_consumer_cards_are_out(
    built,
):
    warehouse, _, _ = built
    screening = "analytics.export_control_screening"
    assert query(
        warehouse,
        f"select count(*) from {screening} where verdict_2023 = 'not_controlled' "
        "and (tpp is null or matrix_throughput_missing)",
    ) == [(0,)]
    excluded = query(
        warehouse,
        f"select hardware_name, verdict_2023_before_notes, excluded_by_2023 from {screening} "
        "where verdict_2023 = 'not_controlled' and designed_for_datacenter = false "
        "and verdict_2023_before_notes <> 'not_controlled' order by hardware_name",
    )
    assert ("NVIDIA GeForce RTX 4080", "3A090.a", "Note 2 to 3A090") in excluded
    assert {row[2] for row in excluded} == {"Note 2 to 3A090"}


def test_the_match_rate_and_unmatched_names_are_in_the_metadata(built, tmp_path):
    _, _, build = built
    home = build.copy_to(tmp_path / "copy")["DAGSTER_HOME"]  # the build's own is not opened
    with dg.DagsterInstance.from_config(home) as instance:
        event = instance.get_latest_materialization_event(
            dg.AssetKey(["analytics", "accelerator_matches"])
        )
    metadata = event.asset_materialization.metadata
    assert metadata["name_match_rate"].value == pytest.approx(0.8)
    assert metadata["result_match_rate"].value == pytest.approx(700 / 827)
    assert "NVIDIA L40S" in metadata["unmatched_names"].value


def readme_queries() -> list[str]:
    """The three queries of docs/hardware.md (they were the README's before it moved there)."""
    text = (PROJECT_ROOT / "docs" / "hardware.md").read_text(encoding="utf-8")
    section = text.split("## Three questions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r'^(?:\$ )?\.venv/bin/sovai sql "(.+)"$', section, flags=re.MULTILINE)


def test_the_readme_queries_return_sensible_rows(built):
    warehouse, _, _ = built
    top_per_watt, controlled_2023_only, unmatched = readme_queries()

    rows = query(warehouse, top_per_watt)
    assert len(rows) == 5
    per_watt = [row[3] for row in rows]
    assert per_watt == sorted(per_watt, reverse=True) and all(0 < v < 100 for v in per_watt)
    # The 1000 W H200 CTS is its own variant, at its own power, below the 700 W H200.
    variants = [(row[0], row[1]) for row in rows]
    cts = variants.index(("NVIDIA H200 SXM", 1000.0))
    assert variants.index(("NVIDIA H200 SXM", 700.0)) < cts and rows[cts][3] == 4.49

    rows = query(warehouse, controlled_2023_only)
    names = {row[0] for row in rows}
    assert {"Biren BR100", "Huawei Ascend 910B", "Google TPU v6e Trillium"} <= names
    # The A800 and H800 are 2022-indeterminate (interconnect missing), so not claimed here;
    # consumer cards below TPP 4800 are outside 3A090 (Note 2).
    assert not names & {"NVIDIA A800 SXM", "NVIDIA H800 SXM5", "NVIDIA A100", "NVIDIA HGX H20"}
    assert not names & {"NVIDIA GeForce RTX 4080", "NVIDIA GeForce RTX 4070"}
    assert {row[5] for row in rows} == {"not_controlled"}
    assert {row[4] for row in rows} <= {"3A090.a", "3A090.b"}

    rows = query(warehouse, unmatched)
    assert rows[0][:2] == ("NVIDIA L40S", "unmatched")
    assert {row[0] for row in rows} == {
        "NVIDIA L40S",
        "NVIDIA Jetson AGX Orin 64G",
        "UntetherAI speedAI240 Slim",
        "UntetherAI speedAI240 Preview",
    }


def test_environment_variables_point_the_run_at_newer_files(
    tmp_path, seeds, warehouse, monkeypatch
):
    catalog = small_catalog(tmp_path / "ml_hardware.csv", a100_tdp="450.0")
    records = json.loads((seeds / "hardware/mlperf_inference_v4.1_summary.json").read_text())
    results = tmp_path / "summary_results.json"
    results.write_text(json.dumps(records[:40]), encoding="utf-8")
    monkeypatch.setenv("SOVAI_HARDWARE_CATALOG", str(catalog))
    monkeypatch.setenv("SOVAI_MLPERF_RESULTS", str(results))

    # the hardware path only: the tables read from those files and what they feed
    read = [["analytics", "accelerators"], ["raw", "mlperf_results"], ["raw", "hardware_sources"]]
    assert run_with_upstream(warehouse, seeds, *map(dg.AssetKey, read)).success
    assert query(warehouse, "select count(*) from analytics.accelerators") == [(len(KEPT_CHIPS),)]
    assert query(
        warehouse,
        "select tdp_w from analytics.accelerators where hardware_name = 'NVIDIA A100 SXM4 80 GB'",
    ) == [(450.0,)]
    assert query(warehouse, "select count(*) from raw.mlperf_results") == [(40,)]
    assert sorted(
        query(warehouse, "select kind, path_from, resolved_path from raw.hardware_sources")
    ) == [
        ("benchmark_results", "environment", str(results)),
        ("hardware_catalog", "environment", str(catalog)),
    ]


def test_a_bad_hardware_file_stops_the_run_at_ingest_and_publishes_nothing(built, tmp_path):
    built_warehouse, built_seeds, _ = built
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    seeds = tmp_path / "seeds"
    shutil.copytree(built_seeds, seeds)
    before = versions(warehouse)
    path = seeds / "hardware/mlperf_inference_v4.1_summary.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["Power_Units"], records[0]["Power_Result"] = "kilowatt-hours", 3.0
    path.write_text(json.dumps(records), encoding="utf-8")

    # the hardware path beside another source's: the one stops at ingest, the other goes in
    read = [["analytics", "benchmark_results"], ["analytics", "platform_efficiency"]]
    result = run_with_upstream(warehouse, seeds, *map(dg.AssetKey, read))
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert failure.step_key == "ingest_hardware"
    description = failure.step_failure_data.user_failure_data.description
    assert "record 1, column 'power_units'" in description
    assert "kilowatt-hours" in description
    built = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    assert "mlperf_results" not in built and "benchmark_results" not in built
    assert "platform_efficiency" in built, "sources other than the hardware seeds still go in"
    assert versions(warehouse) == before


def test_the_hardware_assets_are_in_refresh_all_with_their_sql_dependencies():
    from pipelines.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {
        "raw/hardware_catalog",
        "raw/mlperf_results",
        "raw/accelerator_aliases",
        "raw/export_control_clauses",
        "analytics/accelerator_matches",
        "analytics/export_control_screening",
        "analytics/hardware_vendor_concentration",
    } <= keys
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    deps = {dep.asset_key.to_user_string() for dep in specs["analytics/benchmark_results"].deps}
    assert deps == {
        "raw/mlperf_results",
        "raw/assumptions",
        "raw/accelerator_power_overrides",
        "raw/hardware_price_bases",
        "analytics/accelerator_matches",
        "analytics/accelerators",
    }
    deps = {d.asset_key.to_user_string() for d in specs["analytics/accelerator_efficiency"].deps}
    assert deps == {"analytics/benchmark_results", "raw/assumptions"}
