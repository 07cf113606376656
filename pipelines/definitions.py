"""The code location: every domain's assets, the jobs and the schedule, in one Definitions."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.hardware import HARDWARE_ASSETS
from pipelines.assets.infrastructure import INFRASTRUCTURE_ASSETS
from pipelines.assets.market import MARKET_ASSETS
from pipelines.assets.platforms import platform_efficiency
from pipelines.assets.policy import POLICY_ASSETS
from pipelines.assets.raw import raw_seeds
from pipelines.assets.reports import REPORT_ASSETS
from pipelines.assets.strategy import STRATEGY_ASSETS
from pipelines.jobs import daily_market_refresh, landing_sensor, market_refresh, refresh_all
from pipelines.resources import WarehouseResource


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            raw_seeds,
            platform_efficiency,
            *MARKET_ASSETS,
            *STRATEGY_ASSETS,
            *POLICY_ASSETS,
            *INFRASTRUCTURE_ASSETS,
            *HARDWARE_ASSETS,
            *REPORT_ASSETS,
        ],
        jobs=[refresh_all, market_refresh],
        schedules=[daily_market_refresh],
        sensors=[landing_sensor],
        resources={"warehouse": warehouse or WarehouseResource()},
        # Each step in its own process re-imports everything (~3 s per step on 2 cores); these
        # steps are small and DuckDB-bound, so one process runs a full refresh several times faster.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
