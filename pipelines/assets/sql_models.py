"""Analytics tables defined by a SQL file and a YAML file of descriptions, dbt-style.

Dependencies are read from the SQL itself (every raw.<table> and analytics.<table> it names), so
adding a model is adding two files to sql/analytics/ and one name to a domain module.
"""

import re
from pathlib import Path

import dagster as dg
import yaml

from pipelines.assets.reporting import materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.metrics.sql import sql_path
from pipelines.resources import WarehouseResource
from pipelines.warehouse.publish import TableToPublish

TABLE_REFERENCE = re.compile(r"\b(raw|analytics)\.([a-z_][a-z0-9_]*)\b")


def referenced_tables(sql: str) -> list[dg.AssetKey]:
    without_comments = re.sub(r"--[^\n]*", "", sql)
    found = {(schema, table) for schema, table in TABLE_REFERENCE.findall(without_comments)}
    return [dg.AssetKey([schema, table]) for schema, table in sorted(found)]


def sql_table_asset(name: str, sql_dir: Path | None = None) -> dg.AssetsDefinition:
    model_path = sql_path(name, sql_dir=sql_dir)
    doc_path = model_path.with_suffix(".yml")
    sql = model_path.read_text(encoding="utf-8")
    doc = yaml.safe_load(doc_path.read_text(encoding="utf-8"))
    descriptions: dict[str, str] = doc.get("columns", {})
    code_version = code_version_of(model_path, doc_path)

    @dg.asset(
        key=["analytics", name],
        deps=referenced_tables(sql),
        group_name="analytics",
        kinds={"duckdb", "sql"},
        description=doc["description"],
        code_version=code_version,
        owners=["team:data-platform"],
        tags={"layer": "analytics"},
        metadata={"sql_file": f"sql/analytics/{name}.sql"},
    )
    def _table(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        table = TableToPublish(
            name=name,
            schema="analytics",
            description=doc["description"],
            column_comments=descriptions,
            sql=sql,
        )
        (outcome,) = warehouse.publish(
            [table], run_id=context.run.run_id, code_version=code_version
        )
        return materialize_result(outcome, descriptions)

    return _table
