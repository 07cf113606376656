"""Jobs, the daily schedule, the landing sensor, and the quality run that follows each build.

refresh_all rebuilds everything that is not market data; market_refresh ingests new market files
and recomputes the periods whose shares changed (one run, whatever the span). Both run the
blocking pandera checks and the table checks (keys, shares, HHI ranges: wrong data fails them).
data_quality runs the Great Expectations suites and writes Data Docs; it follows every successful
build on its own (the quality_after_build sensor), so the refresh itself does not wait for GX,
whose import alone (about 4 s) costs twice the bare query of a 10M-row refresh. `sovai run` runs
all three; `sovai check` runs data_quality.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from pipelines.abandoned_runs import mark_abandoned_runs
from pipelines.assets.market import SHARES
from pipelines.ingest.landing_folder import LandingFolderError
from pipelines.ingest.market_refresh import plan_refresh
from pipelines.resources import WarehouseResource
from pipelines.settings import DEFAULT_REFRESH_CRON, checked_refresh_cron, get_settings

MARKET_PATH = dg.AssetSelection.assets(SHARES).downstream()
# The sensor leaves a landing file alone until it has not changed for this long (a copy in
# progress); `sovai refresh` and the schedule take what is there.
SETTLE_SECONDS = 10.0
BUILD_JOBS = ("refresh_all", "market_refresh")
QUALITY_JOB = "data_quality"
OBSERVE_JOB = "observe_sources"


@dataclass(frozen=True)
class Jobs:
    jobs: list
    schedules: list
    sensors: list


def build_jobs(
    quality_checks: dg.AssetChecksDefinition | None, sources: Sequence[dg.SourceAsset] = ()
) -> Jobs:
    """The jobs; with quality checks (the Great Expectations suites), they get a job of their
    own, left out of the build jobs, and a sensor that runs it after each successful build.
    observe_sources records the input files' data versions, so Dagster can tell what is stale."""
    quality = dg.AssetSelection.checks(quality_checks) if quality_checks else None

    def without_quality(selection: dg.AssetSelection) -> dg.AssetSelection:
        return selection - quality if quality is not None else selection

    refresh_all = dg.define_asset_job(
        name="refresh_all",
        selection=without_quality(dg.AssetSelection.all() - MARKET_PATH),
        description="Validate every seed and rebuild every table that is not market data.",
    )
    market_refresh = dg.define_asset_job(
        name="market_refresh",
        selection=without_quality(MARKET_PATH),
        description=(
            "Ingest new market files (seeds/market_shares, data/landing) and recompute the periods "
            "whose shares changed: shares, concentration, its history, vendor risk and strategy "
            "position. Run tags sovai/recompute_from and sovai/recompute_to (YYYY-MM-DD), or "
            "sovai/recompute_all=true, recompute a range or everything as well."
        ),
    )
    observe_sources = dg.define_asset_job(
        name=OBSERVE_JOB,
        selection=dg.AssetSelection.assets(*(source.key for source in sources)),
        description="Observe the seed files and the market files: a data version for each, from "
        "their content, so Dagster marks the tables that read a changed input as stale. `sovai "
        "run` starts with it and then builds only what is stale.",
    )
    jobs = Jobs(
        [refresh_all, market_refresh, observe_sources],
        [daily_market_refresh(checked_refresh_cron(get_settings()))],
        [landing_sensor],
    )
    if quality is None:
        return jobs
    data_quality = dg.define_asset_job(
        name=QUALITY_JOB,
        selection=quality,
        description=(
            "Great Expectations suites of every analytics table, with Data Docs in data_docs/ "
            "beside the warehouse. Runs after each successful refresh_all or market_refresh."
        ),
    )

    @dg.run_status_sensor(
        name="quality_after_build",
        run_status=dg.DagsterRunStatus.SUCCESS,
        request_job=data_quality,
        minimum_interval_seconds=30,
        description="Runs data_quality (the Great Expectations suites) after each successful "
        "refresh_all or market_refresh run.",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def quality_after_build(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if run.job_name not in BUILD_JOBS:
            return dg.SkipReason(f"{run.job_name} builds no table.")
        built = {
            record.event_log_entry.dagster_event.asset_key
            for record in context.instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
        }
        checks = [key for key in quality_checks.check_keys if key.asset_key in built]
        if not checks:  # a run that rebuilt no analytics table leaves their suites' results true
            return dg.SkipReason(f"Run {run.run_id} rebuilt no table with a suite.")
        return dg.RunRequest(run_key=f"quality-after-{run.run_id}", asset_check_keys=checks)

    return Jobs([*jobs.jobs, data_quality], jobs.schedules, [*jobs.sensors, quality_after_build])


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
    try:
        plan = plan_refresh(warehouse.settings())
    except LandingFolderError as error:
        return dg.SkipReason(str(error))
    if not plan.new_files:
        waiting = "".join(f" {name}: {why}." for name, why in plan.waiting)
        return dg.SkipReason(f"No new files in the landing folder.{waiting}")
    now = time.time()
    growing = [
        file.path.name
        for file in plan.new_files
        if file.origin == "landing"
        and file.path.exists()
        and now - file.path.stat().st_mtime < SETTLE_SECONDS
    ]
    if growing:  # a file still being copied in would be read half-written, and refused
        return dg.SkipReason(
            f"Waiting for {', '.join(growing)} to stay unchanged for {SETTLE_SECONDS:g} s "
            "(still being written?); the next tick looks again."
        )
    return dg.RunRequest(run_key=",".join(sorted(file.sha256[:16] for file in plan.new_files)))


def daily_market_refresh(cron: str) -> dg.ScheduleDefinition:
    """The daily refresh, at the hour a deployment chose (SOVAI_REFRESH_CRON; 06:00 UTC)."""
    when = "Every day at 06:00 UTC" if cron == DEFAULT_REFRESH_CRON else f"On cron {cron!r} (UTC)"

    @dg.schedule(
        name="daily_market_refresh",
        job_name="market_refresh",
        cron_schedule=cron,
        execution_timezone="UTC",
        description=f"{when}: ingest new market files and recompute what they touch "
        "(SOVAI_REFRESH_CRON sets when).",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def schedule(context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource):
        return _request(warehouse, new_files_only=False)

    return schedule


@dg.sensor(
    name="landing_sensor",
    job_name="market_refresh",
    minimum_interval_seconds=60,
    description="Starts a market refresh when a new or changed file (by content hash) lands.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # evaluated without an instance (a test, a preview)
        instance = None
    for run_id in mark_abandoned_runs(instance) if instance is not None else []:
        context.log.warning(f"Marked run {run_id} failed: its process ended without finishing it.")
    return _request(warehouse, new_files_only=True)
