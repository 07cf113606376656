"""Market data: landing files in, shares per period, concentration (HHI) over time, vendor risk.

The share and concentration tables are partitioned by period (one daily partition per period
date), so a refresh recomputes only the periods its files touch, and a backfill of any range runs
as one run.
"""

from datetime import date

import dagster as dg
import polars as pl
import yaml

from models.market_periods import period_bounds
from pipelines.assets.reporting import materialize_result
from pipelines.assets.sql_models import sql_table_asset
from pipelines.checks.contracts import contract_metadata
from pipelines.checks.validation import landing_check_result, landing_check_spec
from pipelines.ingest.landing import MarketFile
from pipelines.ingest.market_refresh import IngestOutcome, file_columns, ingest_new_files, settle
from pipelines.resources import WarehouseResource
from pipelines.settings import get_settings
from pipelines.warehouse.publish import TableToPublish

SHARES = dg.AssetKey(["raw", "market_shares"])
SHARES_CODE_VERSION = "2"  # 2: the shares' only store, one version per file (was submissions)
GROUP_COLUMNS = ["period", "market", "region"]  # a later file replaces the figures of a group

SHARE_COLUMNS = {
    "period": "Start of the period the share describes (ISO date)",
    "market": "Market key",
    "region": "Region key",
    "vendor": "Vendor key; 'other' is an unallocated remainder, not a firm",
    "share": "Vendor's share of the market [fraction 0-1]; quantity / group total for record files",
    "source": "Where the figure comes from",
    "file_name": "File the figure came in",
    "file_sha256": "SHA-256 of that file's content",
}
EMPTY_SHARES = pl.DataFrame(
    schema={
        "period": pl.Date,
        "market": pl.String,
        "region": pl.String,
        "vendor": pl.String,
        "share": pl.Float64,
        "source": pl.String,
        "file_name": pl.String,
        "file_sha256": pl.String,
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


def ingest(
    warehouse: WarehouseResource, run_periods: tuple[date, date] | None = None
) -> tuple[IngestOutcome, list[MarketFile]]:
    """The new market files, validated against the warehouse's vendors and period bounds (see
    ingest_new_files); the asset's first step, and the benchmark's."""
    known_vendors = set(warehouse.query("select vendor from raw.vendors")["vendor"].to_list())
    bounds = period_bounds(warehouse.query("select * from raw.assumptions").row(0, named=True))
    return ingest_new_files(warehouse.settings(), known_vendors, bounds, run_periods)


def shares_tables(outcome: IngestOutcome) -> list[TableToPublish]:
    """One version of raw.market_shares per accepted file, in order, published together: a file
    replaces the figures of the groups (period, market, region) it gives, other groups keep
    theirs, and replaced figures stay in history, even those a later file of the same run
    replaced."""
    given = [(shares, file_columns(file)) for file, shares in outcome.accepted]
    return [
        TableToPublish(
            name="market_shares",
            schema="raw",
            description=(
                "Vendor shares in force per period, market and region, each from the latest "
                "file that gave that period, market and region"
            ),
            column_comments=SHARE_COLUMNS,
            frame=frame,
            constants=constants,
            incremental=True,
            scope_keys=GROUP_COLUMNS,
        )
        for frame, constants in given or [(EMPTY_SHARES, {})]
    ]


@dg.asset(
    key=SHARES,
    deps=[dg.AssetKey(["raw", "vendors"]), dg.AssetKey(["raw", "assumptions"])],
    group_name="raw",
    partitions_def=MARKET_PERIODS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"polars", "pandera", "duckdb"},
    description=(
        "Vendor shares in force per period, market and region, from the market files "
        "(seeds/market_shares and the landing folder). New files are validated one by one: good "
        "ones replace the figures of the periods, markets and regions they give (earlier figures "
        "stay in history, with the file that gave them) and move to data/processed/; bad ones "
        "move to data/quarantine/ beside a .errors.json. A valid file with periods outside the "
        "run's partitions waits in the landing folder for a run that covers them."
    ),
    code_version=SHARES_CODE_VERSION,
    owners=["team:data-platform"],
    tags={"layer": "raw"},
    metadata=contract_metadata(
        {
            "keys": ["period", "market", "region", "vendor"],
            "shares": {"column": "share", "per": GROUP_COLUMNS},
        },
        SHARE_COLUMNS,
    ),
    check_specs=[landing_check_spec(SHARES)],
)
def market_shares(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    keys = context.partition_keys
    run_periods = (date.fromisoformat(keys[0]), date.fromisoformat(keys[-1]))
    outcome, already_ingested = ingest(warehouse, run_periods)
    *_, published = warehouse.publish(
        shares_tables(outcome), run_id=context.run.run_id, code_version=SHARES_CODE_VERSION
    )
    settle(settings, outcome, already_ingested)
    for file, problems in outcome.rejected:
        context.log.warning(
            f"Quarantined {file.path.name}: {len(problems)} problems, first: {problems[0]}"
        )
    for file, (first, last) in outcome.deferred:
        context.log.warning(
            f"Left {file.path.name} in the landing folder: its periods ({first} to {last}) reach "
            f"outside this run's partitions ({keys[0]} to {keys[-1]}). The landing sensor's next "
            "run, or `sovai refresh`, covers them."
        )
    result = materialize_result(published, SHARE_COLUMNS)
    return dg.MaterializeResult(
        metadata={
            **result.metadata,
            "files_accepted": [file.path.name for file, _ in outcome.accepted],
            "files_quarantined": [file.path.name for file, _ in outcome.rejected],
            "files_deferred": [file.path.name for file, _ in outcome.deferred],
            "periods_touched": sorted(
                {
                    period.isoformat()
                    for _, shares in outcome.accepted
                    for period in shares.get_column("period").unique().to_list()
                }
            )[:1000],
        },
        check_results=[landing_check_result(SHARES, outcome, settings.quarantine_dir)],
    )


market_concentration = sql_table_asset("market_concentration", partitions_def=MARKET_PERIODS)
market_concentration_history = sql_table_asset(
    "market_concentration_history", partitions_def=MARKET_PERIODS
)
vendor_risk = sql_table_asset("vendor_risk")
concentration_scenarios = sql_table_asset("concentration_scenarios")

MARKET_ASSETS = [
    market_shares,
    market_concentration,
    market_concentration_history,
    vendor_risk,
    concentration_scenarios,
]
