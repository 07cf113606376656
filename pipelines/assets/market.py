"""Market data: landing files in, shares per period, concentration (HHI) over time, vendor risk.

The share and concentration tables are partitioned by period (one daily partition per period
date), so a refresh recomputes only the periods its files touch, and a backfill of any range runs
as one run.
"""

from datetime import UTC, date, datetime

import dagster as dg
import polars as pl
import yaml

from models.market_periods import period_bounds
from pipelines.assets.reporting import materialize_result
from pipelines.assets.sql_models import sql_table_asset
from pipelines.checks.contracts import contract_metadata
from pipelines.checks.validation import landing_check_result, landing_check_spec
from pipelines.ingest.market_refresh import (
    IngestOutcome,
    ingest_new_files,
    settle,
    submission_rows,
)
from pipelines.resources import WarehouseResource
from pipelines.settings import get_settings
from pipelines.warehouse.publish import TableToPublish

SUBMISSIONS = dg.AssetKey(["raw", "market_share_submissions"])

SUBMISSION_COLUMNS = {
    "period": "Start of the period the share describes (ISO date)",
    "market": "Market key",
    "region": "Region key",
    "vendor": "Vendor key; 'other' is an unallocated remainder",
    "share": "Vendor's share [fraction 0-1]; derived as quantity / group total for record files",
    "source": "Where the figure comes from",
    "file_name": "File the row came in",
    "file_sha256": "SHA-256 of that file's content",
    "origin": "seeds or landing",
    "ingested_at": "When the file was ingested (UTC)",
    "submission_index": "Order of the file within its ingest run",
}
EMPTY_SUBMISSIONS = pl.DataFrame(
    schema={
        "period": pl.Date,
        "market": pl.String,
        "region": pl.String,
        "vendor": pl.String,
        "share": pl.Float64,
        "source": pl.String,
        "file_name": pl.String,
        "file_sha256": pl.String,
        "origin": pl.String,
        "ingested_at": pl.Datetime("us", "UTC"),
        "submission_index": pl.Int32,
    }
)


def market_periods() -> dg.DailyPartitionsDefinition:
    """Daily partitions, one per period date; bounds from seeds/assumptions.yaml."""
    try:
        assumptions = yaml.safe_load((get_settings().seeds_dir / "assumptions.yaml").read_text())
        start = str(assumptions.get("market_period_start", "2000-01-01"))
        days_ahead = int(assumptions.get("market_period_days_ahead", 400))
        date.fromisoformat(start)
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError):
        start, days_ahead = "2000-01-01", 400  # the run's validation reports the broken file
    return dg.DailyPartitionsDefinition(start_date=start, end_offset=days_ahead)


MARKET_PERIODS = market_periods()


def submissions_table(outcome: IngestOutcome) -> TableToPublish:
    """The accepted files' rows; only those files' rows are in scope, so earlier ones stay."""
    rows = submission_rows(outcome, datetime.now(UTC))
    return TableToPublish(
        name="market_share_submissions",
        schema="raw",
        description="Every accepted market file's shares, with the file's name and hash",
        column_comments=SUBMISSION_COLUMNS,
        frame=rows if rows is not None else EMPTY_SUBMISSIONS,
        incremental=True,
        scope_column="file_sha256",
        scope_values=[file.sha256 for file, _ in outcome.accepted],
    )


@dg.asset(
    key=SUBMISSIONS,
    deps=[dg.AssetKey(["raw", "vendors"])],
    group_name="raw",
    kinds={"polars", "pandera", "duckdb"},
    description=(
        "Every market file ever accepted (seeds/market_shares and the landing folder), one row "
        "per derived share, with the file's name and SHA-256. New files are validated one by "
        "one: good ones go in and move to data/processed/, bad ones move to data/quarantine/ "
        "beside a .errors.json."
    ),
    code_version="1",
    owners=["team:data-platform"],
    tags={"layer": "raw"},
    metadata=contract_metadata(
        {
            "keys": ["file_sha256", "period", "market", "region", "vendor"],
            "shares": {"column": "share", "per": ["file_sha256", "period", "market", "region"]},
        },
        SUBMISSION_COLUMNS,
    ),
    check_specs=[landing_check_spec(SUBMISSIONS)],
)
def market_share_submissions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    known_vendors = set(warehouse.query("select vendor from raw.vendors")["vendor"].to_list())
    bounds = period_bounds(warehouse.query("select * from raw.assumptions").row(0, named=True))
    outcome, already_ingested = ingest_new_files(settings, known_vendors, bounds)
    table = submissions_table(outcome)
    (published,) = warehouse.publish([table], run_id=context.run.run_id, code_version="1")
    settle(settings, outcome, already_ingested)
    for file, problems in outcome.rejected:
        context.log.warning(
            f"Quarantined {file.path.name}: {len(problems)} problems, first: {problems[0]}"
        )
    result = materialize_result(published, SUBMISSION_COLUMNS)
    return dg.MaterializeResult(
        metadata={
            **result.metadata,
            "files_accepted": [file.path.name for file, _ in outcome.accepted],
            "files_quarantined": [file.path.name for file, _ in outcome.rejected],
            "periods_touched": sorted(
                {
                    period.isoformat()
                    for _, shares in outcome.accepted
                    for period in shares.get_column("period").unique().to_list()
                }
            )[:1000],
        },
        check_results=[landing_check_result(SUBMISSIONS, outcome, settings.quarantine_dir)],
    )


market_shares = sql_table_asset("market_shares", layer="raw", partitions_def=MARKET_PERIODS)
market_concentration = sql_table_asset("market_concentration", partitions_def=MARKET_PERIODS)
market_concentration_history = sql_table_asset(
    "market_concentration_history", partitions_def=MARKET_PERIODS
)
vendor_risk = sql_table_asset("vendor_risk")
concentration_scenarios = sql_table_asset("concentration_scenarios")

MARKET_ASSETS = [
    market_share_submissions,
    market_shares,
    market_concentration,
    market_concentration_history,
    vendor_risk,
    concentration_scenarios,
]
