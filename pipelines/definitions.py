"""The code location: every domain's assets, their checks, the jobs and the schedule, in one
Definitions."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.hardware import HARDWARE_ASSETS
from pipelines.assets.infrastructure import INFRASTRUCTURE_ASSETS
from pipelines.assets.market import MARKET_ASSETS
from pipelines.assets.plans import PLAN_ASSETS
from pipelines.assets.platforms import platform_efficiency
from pipelines.assets.policy import POLICY_ASSETS
from pipelines.assets.raw import RAW_ASSETS
from pipelines.assets.reports import REPORT_ASSETS
from pipelines.assets.sources import SOURCE_ASSETS
from pipelines.assets.strategy import STRATEGY_ASSETS
from pipelines.checks.asset_checks import build_table_checks
from pipelines.checks.expectations import build_expectation_checks
from pipelines.checks.freshness import market_freshness_policy, with_freshness
from pipelines.jobs import build_jobs
from pipelines.resources import WarehouseResource
from pipelines.settings import get_settings


def build_definitions(
    warehouse: WarehouseResource | None = None, expectations: bool | None = None
) -> dg.Definitions:
    """expectations=False leaves out the Great Expectations checks (default: on unless
    SOVAI_EXPECTATIONS=off); the generic table checks always run."""
    if expectations is None:
        expectations = get_settings().expectations
    assets = [
        *RAW_ASSETS,
        platform_efficiency,
        *with_freshness(MARKET_ASSETS, market_freshness_policy(get_settings().seeds_dir)),
        *STRATEGY_ASSETS,
        *POLICY_ASSETS,
        *INFRASTRUCTURE_ASSETS,
        *HARDWARE_ASSETS,
        *PLAN_ASSETS,
    ]
    quality = build_expectation_checks(assets) if expectations else None
    jobs = build_jobs(quality, SOURCE_ASSETS)
    return dg.Definitions(
        assets=[*SOURCE_ASSETS, *assets, *REPORT_ASSETS],
        asset_checks=[build_table_checks(assets), *([quality] if quality else [])],
        jobs=jobs.jobs,
        schedules=jobs.schedules,
        sensors=jobs.sensors,
        resources={"warehouse": warehouse or WarehouseResource()},
        # Each step in its own process re-imports everything (~3 s per step on 2 cores); these
        # steps are small and DuckDB-bound, so one process runs a full refresh several times faster.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
