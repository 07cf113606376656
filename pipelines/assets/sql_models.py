"""Analytics tables defined by a SQL file and a YAML file of descriptions, dbt-style.

Dependencies are read from the SQL itself (every raw.<table> and analytics.<table> it names), so
adding a model is adding two files to sql/analytics/ and one name to a domain module.
"""

import re
from datetime import date
from pathlib import Path

import dagster as dg
import yaml

from pipelines.assets.reporting import materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.metrics.sql import sql_path
from pipelines.resources import WarehouseResource
from pipelines.warehouse.publish import TableToPublish

TABLE_REFERENCE = re.compile(r"\b(raw|analytics)\.([a-z_][a-z0-9_]*)\b")


def referenced_tables(sql: str) -> list[dg.AssetKey]:
    without_comments = re.sub(r"--[^\n]*", "", sql)
    found = {(schema, table) for schema, table in TABLE_REFERENCE.findall(without_comments)}
    return [dg.AssetKey([schema, table]) for schema, table in sorted(found)]


def sql_table_asset(
    name: str,
    layer: str = "analytics",
    partitions_def: dg.PartitionsDefinition | None = None,
    incremental: bool = False,
    extra_deps: tuple[dg.AssetKey, ...] = (),
    sql_dir: Path | None = None,
) -> dg.AssetsDefinition:
    """A table from sql/<layer>/<name>.sql. Partitioned by period, it recomputes only the periods
    of its run (the SQL reads them as period_start/period_end) and replaces only their rows."""
    model_path = sql_path(name, layer, sql_dir=sql_dir)
    doc_path = model_path.with_suffix(".yml")
    sql = model_path.read_text(encoding="utf-8")
    doc = yaml.safe_load(doc_path.read_text(encoding="utf-8"))
    descriptions: dict[str, str] = doc.get("columns", {})
    code_version = code_version_of(model_path, doc_path)

    @dg.asset(
        key=[layer, name],
        deps=[key for key in referenced_tables(sql) if key != dg.AssetKey([layer, name])]
        + list(extra_deps),
        group_name=layer,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        kinds={"duckdb", "sql"},
        description=doc["description"],
        code_version=code_version,
        owners=["team:data-platform"],
        tags={"layer": layer},
        metadata={
            "sql_file": f"sql/{layer}/{name}.sql",
            **contract_metadata(doc.get("checks"), descriptions),
        },
    )
    def _table(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        scope: dict = {}
        if partitions_def is not None:
            keys = context.partition_keys
            context.log.info(f"Recomputing {len(keys)} periods, {keys[0]} to {keys[-1]}")
            scope = {
                "incremental": True,
                "scope_column": "period",
                "scope_values": keys,
                "variables": {
                    "period_start": date.fromisoformat(keys[0]),
                    "period_end": date.fromisoformat(keys[-1]),
                },
            }
        elif incremental:
            scope = {"incremental": True}
        table = TableToPublish(
            name=name,
            schema=layer,
            description=doc["description"],
            column_comments=descriptions,
            sql=sql,
            **scope,
        )
        (outcome,) = warehouse.publish(
            [table], run_id=context.run.run_id, code_version=code_version
        )
        return materialize_result(outcome, descriptions)

    return _table
