"""Jobs and schedules: a full refresh, and the daily market-share refresh."""

from __future__ import annotations

import dagster as dg

MARKET_SHARES = dg.AssetKey(["raw", "market_shares"])

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Validate every seed and rebuild every warehouse table (new versions if changed).",
)

market_refresh = dg.define_asset_job(
    name="market_refresh",
    selection=dg.AssetSelection.assets(MARKET_SHARES).downstream(),
    description="Re-read market shares and rebuild the concentration and risk tables from them.",
)

daily_market_refresh = dg.ScheduleDefinition(
    name="daily_market_refresh",
    job=market_refresh,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    description="Every day at 06:00 UTC: refresh market shares and everything computed from them.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
