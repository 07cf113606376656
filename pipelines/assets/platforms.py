"""Platform efficiency, computed in Polars from raw.platforms and raw.assumptions."""

from pathlib import Path

import dagster as dg

from pipelines.assets.reporting import column_lineage, materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.metrics import efficiency
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource
from pipelines.warehouse.publish import TableToPublish

CODE_VERSION = code_version_of(Path(efficiency.__file__))


@dg.asset(
    key=["analytics", "platform_efficiency"],
    deps=[dg.AssetKey(["raw", "platforms"]), dg.AssetKey(["raw", "assumptions"])],
    group_name="analytics",
    kinds={"polars", "duckdb"},
    description=efficiency.DESCRIPTION,
    code_version=CODE_VERSION,
    owners=["team:data-platform"],
    pool=WAREHOUSE_POOL,
    tags={"layer": "analytics"},
    metadata=contract_metadata(
        ["analytics", "platform_efficiency"],
        {"keys": list(efficiency.KEYS)},
        efficiency.COLUMN_DESCRIPTIONS,
    ),
)
def platform_efficiency(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    platforms = warehouse.query("select * from raw.platforms")
    assumptions = warehouse.query("select * from raw.assumptions").row(0, named=True)
    frame = efficiency.platform_efficiency(platforms, assumptions)
    table = TableToPublish(
        name="platform_efficiency",
        schema="analytics",
        description=efficiency.DESCRIPTION,
        column_comments=efficiency.COLUMN_DESCRIPTIONS,
        frame=frame,
    )
    (outcome,) = warehouse.publish([table], run_id=context.run.run_id, code_version=CODE_VERSION)
    result = materialize_result(outcome, efficiency.COLUMN_DESCRIPTIONS)
    lineage = column_lineage(efficiency.column_lineage_sources())
    return dg.MaterializeResult(
        metadata={**result.metadata, "dagster/column_lineage": lineage},
        data_version=result.data_version,
    )
