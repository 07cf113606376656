"""Asset checks in real Dagster runs: every asset gets its checks after a full run, pandera
failures show as failed checks with a table of file, row, column, rule and value, and a table
that breaks its contract fails the check that guards the broken rule."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import yaml

from pipelines.definitions import build_definitions
from pipelines.warehouse.publish import TableToPublish, publish
from tests.conftest import edit, run_job, run_selection, run_with_upstream

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONCENTRATION = dg.AssetKey(["analytics", "market_concentration"])


def evaluations(runs) -> dict[dg.AssetCheckKey, object]:
    return {
        dg.AssetCheckKey(e.event_specific_data.asset_key, e.event_specific_data.check_name): (
            e.event_specific_data
        )
        for e in runs.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def table_records(metadata_value) -> list[dict]:
    return [record.data for record in metadata_value.records]


def run_checks_only(warehouse: Path, seeds: Path, keys, instance, expectations=False):
    selection = dg.AssetSelection.checks_for_assets(*keys)
    return run_selection(warehouse, seeds, selection, instance=instance, expectations=expectations)


def break_market_concentration(warehouse: Path) -> None:
    """Publish a version with a repeated key, an HHI over 10000 and a NaN metric."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        current = con.sql("select * from analytics.market_concentration").pl()
    broken = current.head(1).with_columns(
        pl.lit(12000.0).alias("hhi"), pl.lit(float("nan")).alias("cr4")
    )
    table = TableToPublish(
        name="market_concentration",
        schema="analytics",
        description="broken on purpose",
        frame=pl.concat([current, broken]),
    )
    publish(warehouse, [table], run_id="vandal", code_version="test")


def recorded_evaluations(instance: dg.DagsterInstance) -> dict[dg.AssetCheckKey, object]:
    """Every check evaluation in an instance's run history, the latest per check."""
    found = {}
    for run in reversed(instance.get_runs()):  # oldest first: a later evaluation wins
        for entry in instance.all_logs(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ):
            evaluation = entry.get_dagster_event().event_specific_data
            found[dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)] = evaluation
    return found


def test_after_a_full_run_every_asset_shows_every_one_of_its_checks_passed(sovai_built, tmp_path):
    """The user's first `sovai run` (the session's, Great Expectations on): its run history, as
    the UI reads it, holds a passed evaluation of every check of every asset."""
    env = sovai_built.copy_to(tmp_path / "project")
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        found = recorded_evaluations(instance)
    defs = build_definitions(expectations=True)
    expected = set(defs.resolve_asset_graph().asset_check_keys)
    assert set(found) == expected
    failed = {key.to_user_string(): e.description for key, e in found.items() if not e.passed}
    assert failed == {}
    graph = defs.resolve_asset_graph()
    assets = set(graph.materializable_asset_keys)  # the input files are observed, not checked
    checked = {key.asset_key for key in found}
    assert checked == assets, "every asset has checks"
    for asset in assets:
        if asset.path[0] == "reports":  # files, not tables: their own checks
            chart = dg.AssetCheckKey(asset, "chart_drawn")
            assert chart in found or dg.AssetCheckKey(asset, "report_complete") in found
            continue
        assert dg.AssetCheckKey(asset, "row_count_nonzero") in found
        assert dg.AssetCheckKey(asset, "column_schema_unchanged") in found


def test_a_bad_seed_fails_its_tables_pandera_check_with_a_table_of_the_failing_cells(
    warehouse, seeds
):
    edit(seeds / "platforms.csv", "145,280,", "145,lots,")
    runs = run_job(warehouse, seeds, job="refresh_all")
    assert not runs.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select view_name from meta.table_versions").fetchall()
    views = {name for (name,) in rows}
    assert "raw.platforms" not in views, "the bad source published nothing"
    assert "raw.vendors" in views, "the other sources went in"
    found = evaluations(runs)
    platforms = found[dg.AssetCheckKey(dg.AssetKey(["raw", "platforms"]), "pandera_contract")]
    assert not platforms.passed
    records = table_records(platforms.metadata["failures"])
    assert records == [
        {
            "file": records[0]["file"],
            "row": "line 3",
            "column": "power_watts",
            "rule": "must be a finite number",
            "value": "lots",
        }
    ]
    assert records[0]["file"].endswith("platforms.csv")
    vendors = found[dg.AssetCheckKey(dg.AssetKey(["raw", "vendors"]), "pandera_contract")]
    assert vendors.passed and "Nothing was published" not in vendors.description


def test_a_refused_landing_file_fails_the_landing_check_and_the_good_file_goes_in(built):
    warehouse, seeds, landing = built  # a built warehouse: the market path runs alone
    (landing / "good.csv").write_text(
        "period,market,region,vendor,share,source\n2026-03-01,gpus,eu,nvidia,1.0,x\n"
    )
    (landing / "bad.csv").write_text(
        "period,market,region,vendor,share,source\n2026-03-01,gpus,us,nvidia,1.5,x\n"
    )
    runs = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert runs.success  # not blocking: the good file and the tables after it go on
    key = dg.AssetCheckKey(dg.AssetKey(["raw", "market_shares"]), "landing_files_valid")
    check = evaluations(runs)[key]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    shares = [e for e in runs.get_asset_materialization_events() if e.asset_key == key.asset_key]
    assert shares and "good.csv" in shares[-1].materialization.metadata["files_accepted"].value
    assert check.description.startswith("Refused market file 'bad.csv': line 2, column 'share'")
    records = table_records(check.metadata["failures"])
    assert {(r["row"], r["column"], r["value"]) for r in records} == {
        ("line 2", "share", "1.5"),  # above 1
        ("line 2", "share", "1.5"),  # and so its group adds up to more than 1
    }


def test_a_published_table_that_breaks_its_contract_fails_the_checks_that_guard_it(built):
    warehouse, seeds, _ = built  # a copy of the session's build: every table whole
    instance = dg.DagsterInstance.ephemeral()
    break_market_concentration(warehouse)

    result = run_checks_only(warehouse, seeds, [CONCENTRATION], instance)

    found = {key.name: e for key, e in evaluations(result).items()}
    assert not found["keys_unique"].passed
    assert table_records(found["keys_unique"].metadata["failures"])[0]["copies"] == "2"
    assert not found["hhi_in_range"].passed
    assert table_records(found["hhi_in_range"].metadata["failures"])[0]["value"] == "12000.0"
    assert not found["metrics_finite"].passed
    assert found["row_count_nonzero"].passed


def test_a_changed_column_schema_warns_against_the_previous_materialization(built):
    warehouse, seeds, _ = built
    instance = dg.DagsterInstance.ephemeral()
    efficiency = dg.AssetKey(["analytics", "platform_efficiency"])
    earlier = dg.TableSchema(
        columns=[dg.TableColumn("platform", "VARCHAR"), dg.TableColumn("tco_usd", "BIGINT")]
    )
    instance.report_runless_asset_event(
        dg.AssetMaterialization(efficiency, metadata={"dagster/column_schema": earlier})
    )

    runs = run_with_upstream(warehouse, seeds, efficiency, instance=instance)

    check = evaluations(runs)[dg.AssetCheckKey(efficiency, "column_schema_unchanged")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    changes = {(r["column"], r["change"]) for r in table_records(check.metadata["failures"])}
    assert ("tco_usd", "type") in changes and ("co2_vs_baseline", "added") in changes


def hours(window) -> float:
    return timedelta(days=window.days, seconds=window.seconds).total_seconds() / 3600


def test_market_assets_warn_after_a_day_without_a_refresh_and_fail_after_three():
    defs = build_definitions(expectations=False)
    policies = {spec.key: spec.freshness_policy for spec in defs.resolve_all_asset_specs()}
    market = {
        key
        for key in policies
        if key.path[0] != "landing" and key.path[1].startswith(("market", "vendor_risk"))
    }
    market |= {dg.AssetKey(["analytics", "concentration_scenarios"])}
    assert len(market) == 5
    for key in market:
        assert hours(policies[key].warn_window) == 24, key
        assert hours(policies[key].fail_window) == 72, key
    assert policies[dg.AssetKey(["analytics", "platform_efficiency"])] is None
    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    assert config["freshness"] == {"enabled": True}, "the UI shows freshness only when enabled"


def test_loading_the_definitions_does_not_import_great_expectations():
    probe = "import sys, pipelines.definitions; print('great_expectations' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.stdout.strip() == "False", result.stderr


def test_every_sql_model_declares_its_key():
    for path in sorted((PROJECT_ROOT / "sql").glob("*/*.yml")):
        checks = yaml.safe_load(path.read_text(encoding="utf-8")).get("checks") or {}
        one_row = {"type": "expect_table_row_count_to_equal", "value": 1}
        if one_row in (checks.get("expectations") or []):
            continue  # a one-row summary needs no key; it is held to exactly one row instead
        assert checks.get("keys"), f"{path.name} declares no keys under checks:"
