"""`sovai run` builds what changed, by Dagster's data versions, and nothing when nothing did."""

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.cli.runner import no_traceback, sovai
from tests.conftest import edit


@pytest.fixture(scope="module")
def built(sovai_built, tmp_path_factory) -> dict[str, str]:
    """A copy of the session's first `sovai run`, its run history included."""
    return sovai_built.copy_to(tmp_path_factory.mktemp("changed"))


def listed(result) -> dict[str, str]:
    """The assets a run lists on stdout, with what became of each."""
    rows = [line.split(None, 1) for line in result.stdout.splitlines() if line.startswith("  ")]
    return {row[0]: row[1].strip() if len(row) > 1 else "" for row in rows}


def run(env) -> tuple:
    result = sovai("run", env=env)
    assert result.returncode == 0, result.stderr
    return result, listed(result)


def test_an_edited_seed_rebuilds_its_tables_and_their_readers_only(built):
    platforms = Path(built["SOVAI_SEEDS_DIR"]) / "platforms.csv"
    platforms.touch()  # touched, not changed: the content hash decides
    result, _ = run(built)
    assert "Up to date" in result.stderr

    platforms.write_text(
        platforms.read_text().replace("x86_current,100,350", "x86_current,100,360")
    )
    result, assets = run(built)
    assert "raw/platforms: seeds/platforms has a new data version" in result.stderr
    assert set(assets) == {
        "raw/platforms",
        "analytics/platform_efficiency",
        "reports/platform_efficiency_chart",
        "reports/index",
    }
    assert assets["raw/platforms"].endswith("new version")
    assert "Up to date" in run(built)[0].stderr


def test_a_landed_file_runs_the_market_path_once(built):
    landing = Path(built["SOVAI_LANDING_DIR"])
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "march.csv").write_text(
        "period,market,region,vendor,share,source\n"
        "2026-03-01,ai_accelerators,global,nvidia,0.80,test\n"
        "2026-03-01,ai_accelerators,global,amd,0.12,test\n"
        "2026-03-01,ai_accelerators,global,other,0.08,test\n"
    )
    result, assets = run(built)
    assert "market_refresh" in result.stderr and "refresh_all" not in result.stderr
    assert assets["raw/market_shares"].endswith("new version")
    assert "analytics/market_concentration" in assets
    assert not (landing / "march.csv").exists(), "it went in and moved to data/processed"
    # moving the file on is not a change: the next run has nothing to do
    assert "Up to date" in run(built)[0].stderr


def test_a_chart_file_or_table_gone_from_the_warehouse_is_built_again(built):
    reports = Path(built["SOVAI_WAREHOUSE"]).parent / "reports"
    for chart in reports.glob("platform_efficiency_chart-v*.png"):
        chart.unlink()
    result, assets = run(built)
    assert "its file" in result.stderr and "is gone" in result.stderr
    assert "reports/platform_efficiency_chart" in assets
    assert "raw/platforms" not in assets

    # the warehouse put back to the copy before its last publish: Dagster's records say the
    # tables are built, but the content of those the publish changed is not what runs published
    restored = sovai("restore", "--force", env=built)
    assert restored.returncode == 0, restored.stderr
    result, assets = run(built)
    assert "is not the version its last run published" in result.stderr
    assert assets and "new version" in " ".join(assets.values()), assets
    assert "Up to date" in run(built)[0].stderr


def test_a_warehouse_moved_without_its_reports_gets_its_charts_drawn_beside_it(
    sovai_built, tmp_path
):
    """The run history names the charts where the first run drew them, and they are still
    there; what counts is whether this warehouse has them."""
    moved = sovai_built.copy_to(tmp_path / "moved")
    reports = Path(moved["SOVAI_WAREHOUSE"]).parent / "reports"
    shutil.rmtree(reports)
    result, assets = run(moved)
    charts = {key for key in assets if key.startswith("reports/")}
    assert {"reports/platform_efficiency_chart", "reports/index"} <= charts
    assert not {key for key in assets if key.startswith(("raw/", "analytics/"))}, assets
    assert sorted(path.name for path in reports.glob("platform_efficiency_chart-v*.png"))
    assert "Up to date" in run(moved)[0].stderr


def table_versions(env) -> dict[str, int]:
    with duckdb.connect(env["SOVAI_WAREHOUSE"], read_only=True) as con:
        rows = con.sql("select view_name, max(version) from meta.table_versions group by 1")
        return dict(rows.fetchall())


PLAN_TABLES = {"analytics.sovereign_compute_plans", "analytics.sovereign_compute_plan_summary"}


def test_an_edited_plan_publishes_both_plan_tables_and_a_bad_field_changes_nothing(built):
    plan = Path(built["SOVAI_SEEDS_DIR"]) / "plans" / "eu-sovereign-inference.yaml"
    before = table_versions(built)
    edit(plan, "power_budget_mw: 10 ", "power_budget_mw: 12 ")
    result, assets = run(built)
    assert "raw/compute_plans: seeds/plans has a new data version" in result.stderr
    for table in ("raw/compute_plans", *(name.replace(".", "/") for name in PLAN_TABLES)):
        assert assets[table].endswith("new version"), (table, assets)
    after = table_versions(built)
    changed = {name for name in after if after[name] != before.get(name)}
    # only the plans and what reads them (the sensitivity's per-token costs may move in the last
    # bits with the count)
    readers = PLAN_TABLES | {"raw.compute_plans"}
    assert readers <= changed <= readers | {"analytics.sovereign_compute_plan_sensitivity"}
    assert all(after[name] == before[name] + 1 for name in changed)

    edit(plan, "pue: 1.2 ", "pue: 0.8 ")
    refused = sovai("run", env=built)
    assert refused.returncode != 0 and no_traceback(refused)
    assert "plans/eu-sovereign-inference.yaml, document, column 'pue': must be at least 1.0" in (
        refused.stderr
    )
    assert table_versions(built) == after, "the rest of the warehouse is untouched"
