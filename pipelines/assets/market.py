"""Market data: landing files in, shares per period, concentration (HHI) over time, vendor risk.

No Dagster partitions: each run ingests the new files, and the concentration tables recompute
only the periods whose shares changed since they last read them (pipelines/warehouse/changes.py),
so what a run stores and costs grows with the files and the changes, not with the dates spanned.
"""

from pathlib import Path

import dagster as dg
import polars as pl

import models
from models.market_periods import period_bounds
from pipelines.assets.reporting import materialize_result
from pipelines.assets.sources import MARKET_FILES
from pipelines.assets.sql_models import sql_table_asset
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.checks.validation import landing_check_result, landing_check_spec
from pipelines.ingest.landing import MarketFile
from pipelines.ingest.market_refresh import IngestOutcome, file_columns, ingest_new_files, settle
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource
from pipelines.warehouse.publish import TableToPublish

SHARES = dg.AssetKey(["raw", "market_shares"])
# The shares' code: this module, the market-file contracts and the ingest of landing files
SHARES_CODE_VERSION = code_version_of(
    Path(__file__),
    *Path(models.__file__).parent.glob("market_*.py"),
    *(Path(__file__).parent.parent / "ingest").glob("*.py"),
)
GROUP_COLUMNS = ["period", "market", "region"]  # a later file replaces the figures of a group
# Metadata of the shares' materialization that `sovai refresh` prints, one line each
LEFT_IN_LANDING = "files_left_in_landing"
IGNORED_IN_LANDING = "landing_entries_ignored"

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


def ingest(warehouse: WarehouseResource) -> tuple[IngestOutcome, list[MarketFile]]:
    """The new market files, validated against the warehouse's vendors and period bounds (see
    ingest_new_files); the asset's first step, and the benchmark's."""
    known_vendors = set(warehouse.query("select vendor from raw.vendors")["vendor"].to_list())
    bounds = period_bounds(warehouse.query("select * from raw.assumptions").row(0, named=True))
    return ingest_new_files(warehouse.settings(), known_vendors, bounds)


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


def periods_touched(outcome: IngestOutcome) -> dict[str, object]:
    """How many periods the accepted files give, and the first and last (for the UI)."""
    periods = pl.concat(
        [shares.select("period") for _, shares in outcome.accepted]
        or [pl.DataFrame({"period": []}, schema={"period": pl.Date})]
    ).get_column("period")
    found = {"periods_touched": periods.n_unique()}
    if periods.len():
        found |= {"first_period": str(periods.min()), "last_period": str(periods.max())}
    return found


@dg.asset(
    key=SHARES,
    deps=[dg.AssetKey(["raw", "vendors"]), dg.AssetKey(["raw", "assumptions"]), MARKET_FILES],
    group_name="raw",
    kinds={"polars", "pandera", "duckdb"},
    description=(
        "Vendor shares in force per period, market and region, from the market files "
        "(seeds/market_shares and the landing folder). New files are validated one by one: good "
        "ones replace the figures of the periods, markets and regions they give (earlier figures "
        "stay in history, with the file that gave them) and move to data/processed/; bad ones "
        "move to data/quarantine/ beside a .errors.json."
    ),
    code_version=SHARES_CODE_VERSION,
    owners=["team:data-platform"],
    pool=WAREHOUSE_POOL,
    tags={"layer": "raw"},
    metadata=contract_metadata(
        SHARES,
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
    outcome, already_ingested = ingest(warehouse)
    *_, published = warehouse.publish(
        shares_tables(outcome), run_id=context.run.run_id, code_version=SHARES_CODE_VERSION
    )
    settle(settings, outcome, already_ingested)
    for file, problems in outcome.rejected:
        context.log.warning(
            f"Quarantined {file.path.name}: {len(problems)} problems, first: {problems[0]}"
        )
    for name, why in outcome.left:
        context.log.warning(f"Left {name} in the landing folder: {why}")
    for name, why in outcome.ignored:
        context.log.warning(f"Ignored {name} in the landing folder: {why}")
    result = materialize_result(published, SHARE_COLUMNS)
    return dg.MaterializeResult(
        data_version=result.data_version,
        metadata={
            **result.metadata,
            "files_accepted": [file.path.name for file, _ in outcome.accepted],
            "files_quarantined": [file.path.name for file, _ in outcome.rejected],
            LEFT_IN_LANDING: [f"{name}: {why}" for name, why in outcome.left],
            IGNORED_IN_LANDING: [f"{name}: {why}" for name, why in outcome.ignored],
            **periods_touched(outcome),
        },
        check_results=[landing_check_result(SHARES, outcome, settings)],
    )


market_concentration = sql_table_asset("market_concentration")
market_concentration_history = sql_table_asset("market_concentration_history")
vendor_risk = sql_table_asset("vendor_risk")
concentration_scenarios = sql_table_asset("concentration_scenarios")

MARKET_ASSETS = [
    market_shares,
    market_concentration,
    market_concentration_history,
    vendor_risk,
    concentration_scenarios,
]
