"""Real hardware: Epoch AI's accelerator catalog, MLPerf results matched to it, measured
efficiency, export-control screening and manufacturer concentration.

Matching runs in Polars (pipelines/metrics/matching.py, a pure function); everything else is SQL
in sql/analytics/. The match rate and the unmatched names go into the materialization metadata.
"""

from pathlib import Path

import dagster as dg

from pipelines.assets.reporting import materialize_result
from pipelines.assets.sql_models import sql_table_asset
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.metrics import matching
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource
from pipelines.warehouse.publish import TableToPublish

CODE_VERSION = code_version_of(Path(matching.__file__))
DESCRIPTION = (
    "Each accelerator name in the MLPerf results mapped to a chip of the hardware catalog: by "
    "seeds/accelerator_aliases.csv, else by a normalizing rule that refuses when two chips fit. "
    "Lists the unmatched and ambiguous names."
)


@dg.asset(
    key=["analytics", "accelerator_matches"],
    deps=[
        dg.AssetKey(["raw", "mlperf_results"]),
        dg.AssetKey(["raw", "hardware_catalog"]),
        dg.AssetKey(["raw", "accelerator_aliases"]),
    ],
    group_name="analytics",
    kinds={"polars", "duckdb"},
    description=DESCRIPTION,
    code_version=CODE_VERSION,
    owners=["team:data-platform"],
    pool=WAREHOUSE_POOL,
    tags={"layer": "analytics"},
    metadata=contract_metadata(
        ["analytics", "accelerator_matches"],
        {"keys": list(matching.KEYS)},
        matching.COLUMN_DESCRIPTIONS,
    ),
)
def accelerator_matches(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    frame = matching.match_accelerators(
        warehouse.query("select accelerator from raw.mlperf_results"),
        warehouse.query("select hardware_name, manufacturer from raw.hardware_catalog"),
        warehouse.query("select * from raw.accelerator_aliases"),
    )
    table = TableToPublish(
        name="accelerator_matches",
        schema="analytics",
        description=DESCRIPTION,
        column_comments=matching.COLUMN_DESCRIPTIONS,
        frame=frame,
    )
    (outcome,) = warehouse.publish([table], run_id=context.run.run_id, code_version=CODE_VERSION)
    rates = matching.match_rates(frame)
    if rates["unmatched_names"]:
        context.log.info(f"Unmatched accelerator names: {rates['unmatched_names']}")
    result = materialize_result(outcome, matching.COLUMN_DESCRIPTIONS)
    return dg.MaterializeResult(
        data_version=result.data_version,
        metadata={
            **result.metadata,
            "name_match_rate": dg.MetadataValue.float(rates["name_match_rate"]),
            "result_match_rate": dg.MetadataValue.float(rates["result_match_rate"]),
            "matched_names": rates["matched_names"],
            "accelerator_names": rates["accelerator_names"],
            "unmatched_names": dg.MetadataValue.json(rates["unmatched_names"]),
        },
    )


HARDWARE_ASSETS = [
    accelerator_matches,
    sql_table_asset("accelerators"),
    sql_table_asset("benchmark_results"),
    sql_table_asset("accelerator_match_summary"),
    sql_table_asset("accelerator_efficiency"),
    sql_table_asset("export_control_screening"),
    sql_table_asset("hardware_vendor_shares"),
    sql_table_asset("hardware_vendor_concentration"),
]
