"""Jobs, the daily schedule and the landing sensor.

refresh_all rebuilds everything that is not market data; market_refresh ingests new market files
and recomputes the periods whose shares changed (one run, whatever the span). `sovai run` runs
both.
"""

from __future__ import annotations

import dagster as dg

from pipelines.assets.market import SHARES
from pipelines.ingest.market_refresh import plan_refresh
from pipelines.resources import WarehouseResource

MARKET_PATH = dg.AssetSelection.assets(SHARES).downstream()

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all() - MARKET_PATH,
    description="Validate every seed and rebuild every table that is not market data.",
)

market_refresh = dg.define_asset_job(
    name="market_refresh",
    selection=MARKET_PATH,
    description=(
        "Ingest new market files (seeds/market_shares, data/landing) and recompute the periods "
        "whose shares changed: shares, concentration, its history, vendor risk and strategy "
        "position. Run tags sovai/recompute_from and sovai/recompute_to (YYYY-MM-DD), or "
        "sovai/recompute_all=true, recompute a range or everything as well."
    ),
)


NOT_BUILT = (
    "The warehouse is not built yet, so new market files cannot be checked against its vendors: "
    "materialize the other assets first (job refresh_all, 'Materialize all', or `sovai run`)."
)


def _request(warehouse: WarehouseResource, new_files_only: bool) -> dg.RunRequest | dg.SkipReason:
    """The schedule runs every day, new files or not (a run with nothing new is quick, and it
    completes what an interrupted run left); the sensor only starts a run for new files, keyed
    by their hashes so the same files never start two runs."""
    if not warehouse.path.exists():
        return dg.SkipReason(NOT_BUILT)
    if not new_files_only:
        return dg.RunRequest()
    plan = plan_refresh(warehouse.settings())
    if not plan.new_files:
        return dg.SkipReason("No new files in the landing folder.")
    return dg.RunRequest(run_key=",".join(sorted(file.sha256[:16] for file in plan.new_files)))


@dg.schedule(
    name="daily_market_refresh",
    job=market_refresh,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    description="Every day at 06:00 UTC: ingest new market files and recompute what they touch.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_market_refresh(context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource):
    return _request(warehouse, new_files_only=False)


@dg.sensor(
    name="landing_sensor",
    job=market_refresh,
    minimum_interval_seconds=60,
    description="Starts a market refresh when a new or changed file (by content hash) lands.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    return _request(warehouse, new_files_only=True)
