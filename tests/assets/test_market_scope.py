"""What a market run recomputes: what changed upstream, a requested range, and no more; what it
stores in Dagster does not grow with the periods; a run cut short is completed by the next."""

import importlib.util
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.assets.recompute import RECOMPUTE_FROM, RECOMPUTE_TO
from pipelines.definitions import build_definitions
from tests.conftest import private_resource, run_job
from tests.warehouse.test_kill_trials import kill_trials

_spec = importlib.util.spec_from_file_location(
    "generate_monthly_shares",
    Path(__file__).resolve().parents[2] / "scripts" / "generate_monthly_shares.py",
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

SHARES = dg.AssetKey(["raw", "market_shares"])


def query(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def recomputed_by_asset(result) -> dict[str, str]:
    """What each market table of a run recomputed, as its materialization says."""
    return {
        event.asset_key.to_user_string(): event.materialization.metadata["recomputed"].value
        for event in result.get_asset_materialization_events()
        if "recomputed" in event.materialization.metadata
    }


def land_series(landing: Path, start: date, months: int, name: str = "series.csv") -> dict:
    series = generator.monthly_shares(start, months)
    (landing / name).write_text(generator.csv_text(series))
    return series


def test_a_long_monthly_series_with_gaps_goes_in_with_hand_computed_hhi(built):
    """40 months with intel vanishing now and then and two months wholly 'other' (a survey
    gap): every month's HHI is the hand-computed one; a gap is HHI 0 with upper bound 10000,
    and a warning, not a failed run."""
    warehouse, seeds, landing = built
    series = land_series(landing, date(2008, 1, 1), 40)
    runs = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert runs.success
    (usual,) = [
        event.event_specific_data
        for event in runs.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.event_specific_data.check_name == "rows_usual"
    ]
    assert (usual.passed, usual.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert "2 row(s) where n_vendors = 0" in usual.description
    published = dict(
        query(
            warehouse,
            "select period, hhi from analytics.market_concentration where market = 'gpus'",
        )
    )
    assert published == {period: pytest.approx(generator.hhi(s)) for period, s in series.items()}
    gap = generator.month(date(2008, 1, 1), 36)
    assert query(
        warehouse,
        "select hhi, hhi_upper, n_vendors from analytics.market_concentration where period = ?",
        [gap],
    ) == [(0.0, 10000.0, 0)]
    assert query(
        warehouse,
        "select count(*) from analytics.market_concentration_history where market = 'gpus'",
    ) == [(40,)]


def test_a_run_recomputes_only_the_periods_whose_shares_changed(built):
    warehouse, seeds, landing = built
    land_series(landing, date(2010, 1, 1), 12)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    # A revision of one month: only that month's concentration gets a new row
    (landing / "revision.csv").write_text(
        "period,market,region,vendor,share,source\n"
        "2010-06-01,gpus,global,nvidia,0.9,revision\n"
        "2010-06-01,gpus,global,amd,0.1,revision\n"
    )
    result = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert result.success
    recomputed = recomputed_by_asset(result)
    assert (
        recomputed["analytics/market_concentration"] == "1 period(s) from 2010-06-01 to 2010-06-01"
    )
    assert recomputed["analytics/market_concentration_history"] == (
        "1 period(s) from 2010-06-01 to 2010-06-01 and every later period"
    )
    changed = query(
        warehouse,
        "select period from history.market_concentration where market = 'gpus' "
        "and _version = (select max(_version) from history.market_concentration)",
    )
    assert changed == [(date(2010, 6, 1),)]
    # July's delta is measured against the revised June
    (july,) = query(
        warehouse,
        "select delta_hhi from analytics.market_concentration_history "
        "where market = 'gpus' and period = '2010-07-01'",
    )
    june_hhi = 90**2 + 10**2
    july_shares = generator.monthly_shares(date(2010, 1, 1), 12)[date(2010, 7, 1)]
    assert july[0] == pytest.approx(generator.hhi(july_shares) - june_hhi)


def test_a_run_with_nothing_new_recomputes_nothing_and_publishes_nothing(built):
    warehouse, seeds, landing = built
    before = query(warehouse, "select count(*) from meta.table_versions")
    result = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert result.success
    assert query(warehouse, "select count(*) from meta.table_versions") == before
    recomputed = [
        event.materialization.metadata["recomputed"].value
        for event in result.get_asset_materialization_events()
        if "recomputed" in event.materialization.metadata
    ]
    assert recomputed == ["nothing (no change upstream)"] * 2


def test_a_changed_threshold_in_the_assumptions_reclassifies_every_period(built):
    """The market tables scope a run by their shares' changes, but also read the assumptions:
    a new 2023 threshold there reclassifies every period, as it does the tables that read the
    assumptions afresh (concentration_scenarios), instead of leaving the old classes."""
    warehouse, seeds, landing = built
    land_series(landing, date(2010, 1, 1), 12)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    misclassified = (
        "select count(*) from analytics.market_concentration where class_2023 <> case "
        "when hhi < 9000 then 'unconcentrated' when hhi <= 9500 then 'moderately_concentrated' "
        "else 'highly_concentrated' end"
    )
    assert query(warehouse, misclassified) != [(0,)]  # the seeds' thresholds classify otherwise
    assumptions = seeds / "assumptions.yaml"
    text = assumptions.read_text()
    for old, new in (
        ("hhi_2023_moderate_from: 1000", "hhi_2023_moderate_from: 9000"),
        ("hhi_2023_high_above: 1800", "hhi_2023_high_above: 9500"),
    ):
        assert old in text
        text = text.replace(old, new)
    assumptions.write_text(text)

    # The new assumptions, published as refresh_all's asset publishes them; then the market run
    definitions = build_definitions(private_resource(warehouse, seeds, landing))
    assumptions_run = definitions.get_implicit_global_asset_job_def().execute_in_process(
        asset_selection=[dg.AssetKey(["raw", "assumptions"])],
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert assumptions_run.success
    result = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert result.success
    recomputed = recomputed_by_asset(result)
    assert recomputed["analytics/market_concentration"] == "every period (raw_assumptions changed)"
    assert query(warehouse, misclassified) == [(0,)]
    # Read once, the new version is not read again: the next run recomputes nothing
    again = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert recomputed_by_asset(again) == {
        "analytics/market_concentration": "nothing (no change upstream)",
        "analytics/market_concentration_history": "nothing (no change upstream)",
    }


def test_a_requested_range_is_recomputed_in_one_run(built):
    warehouse, seeds, landing = built
    land_series(landing, date(2000, 1, 1), 240)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    result = run_job(
        warehouse,
        seeds,
        job="market_refresh",
        landing=landing,
        tags={RECOMPUTE_FROM: "2005-01-01", RECOMPUTE_TO: "2014-12-31"},
    )
    assert result.success and len(result.results) == 1
    (recomputed,) = [
        event.materialization.metadata["recomputed"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(["analytics", "market_concentration"])
    ]
    assert recomputed == "120 period(s) from 2005-01-01 to 2014-12-01"


def test_a_bad_recompute_tag_fails_the_step_with_a_clear_message(built):
    warehouse, seeds, landing = built
    result = run_job(
        warehouse, seeds, job="market_refresh", landing=landing, tags={RECOMPUTE_FROM: "2005-13"}
    )
    assert not result.success
    failures = [
        event.step_failure_data.user_failure_data.description
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data.user_failure_data
    ]
    assert any("sovai/recompute_from='2005-13' is not a date" in text for text in failures)


def _market_run_events(tmp_path: Path, built_template: Path, seeds: Path, months: int) -> int:
    """Event-log entries Dagster stores for a market run of `months` monthly periods."""
    warehouse = tmp_path / f"w{months}" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(built_template, warehouse)
    landing = tmp_path / f"landing{months}"
    landing.mkdir()
    land_series(landing, date(2000, 1, 1), months)
    instance = dg.DagsterInstance.ephemeral()
    runs = run_job(warehouse, seeds, job="market_refresh", landing=landing, instance=instance)
    assert runs.success
    assert query(warehouse, "select count(distinct period) from raw.market_shares") == [
        (months + 1,)  # and the seed file's period
    ]
    (result,) = runs.results
    return len(instance.all_logs(result.run_id))


def test_the_events_a_market_run_stores_do_not_grow_with_the_periods(
    tmp_path, built_template, seeds
):
    """Dagster stores events per asset and check, not per period: 12 and 240 monthly periods
    give the same number (partitions by date gave one event per period per asset)."""
    many = _market_run_events(tmp_path, built_template, seeds, 240)
    few = _market_run_events(tmp_path, built_template, seeds, 12)
    assert few > 50 and many - few == 0


def test_a_run_cut_short_after_the_shares_is_completed_by_the_next_run(built):
    """The shares went in, then the run died: the next run, with a later file, still brings the
    concentration and its history up to the shares (they lag behind, and catch up)."""
    warehouse, seeds, landing = built
    land_series(landing, date(2012, 1, 1), 6)
    resource = private_resource(warehouse, seeds, landing)
    shares_only = dg.materialize(
        [
            asset
            for asset in build_definitions(resource).assets
            if isinstance(asset, dg.AssetsDefinition) and SHARES in asset.keys
        ],
        resources={"warehouse": resource},
        selection=[SHARES],
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert shares_only.success
    assert query(
        warehouse, "select count(*) from analytics.market_concentration where market = 'gpus'"
    ) == [(0,)]
    land_series(landing, date(2012, 7, 1), 3, name="later.csv")  # the next file, after the gap
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    assert query(
        warehouse,
        "select count(*) from analytics.market_concentration_history where market = 'gpus'",
    ) == [(9,)]
    # every period covered, each delta against the period just before it (issue 13's symptom
    # was July measured against the last period the history had seen before the cut)
    assert kill_trials.coverage_problems(warehouse) == []


def test_the_market_assets_have_no_partitions(seeds):
    """What the UI shows per partition cannot disagree with the rows: there are none."""
    graph = build_definitions(expectations=False).resolve_asset_graph()
    market = [key for key in graph.get_all_asset_keys() if key.path[-1].startswith("market")]
    assert market and all(graph.get(key).partitions_def is None for key in market)


def test_a_second_run_reuses_the_column_lineage_instead_of_following_the_sql_again(
    built, monkeypatch
):
    warehouse, seeds, landing = built
    instance = dg.DagsterInstance.ephemeral()
    first = run_job(warehouse, seeds, job="market_refresh", landing=landing, instance=instance)

    def must_not_follow(sql, schema):
        raise AssertionError("the lineage of unchanged SQL was followed again")

    monkeypatch.setattr("pipelines.assets.sql_models.sql_column_lineage", must_not_follow)
    second = run_job(warehouse, seeds, job="market_refresh", landing=landing, instance=instance)
    assert second.success

    def lineage(runs):
        return {
            event.asset_key.to_user_string(): event.materialization.metadata[
                "dagster/column_lineage"
            ]
            for event in runs.get_asset_materialization_events()
            if "dagster/column_lineage" in event.materialization.metadata
        }

    assert lineage(second) == lineage(first) and len(lineage(first)) == 5
