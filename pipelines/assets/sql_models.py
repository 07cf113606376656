"""Analytics tables defined by a SQL file and a YAML file of descriptions, dbt-style.

Dependencies are read from the SQL itself (every raw.<table> and analytics.<table> it names), so
adding a model is adding two files to sql/analytics/ and one name to a domain module.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import yaml

from pipelines.assets.reporting import column_lineage, materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.metrics.lineage import sql_column_lineage
from pipelines.metrics.sql import included_paths, read_model_sql, sql_path
from pipelines.resources import WarehouseResource
from pipelines.warehouse.publish import TableToPublish

LAST_PERIOD = date(9999, 12, 31)
TABLE_REFERENCE = re.compile(r"\b(raw|analytics)\.([a-z_][a-z0-9_]*)\b")


def referenced_tables(sql: str) -> list[dg.AssetKey]:
    without_comments = re.sub(r"--[^\n]*", "", sql)
    found = {(schema, table) for schema, table in TABLE_REFERENCE.findall(without_comments)}
    return [dg.AssetKey([schema, table]) for schema, table in sorted(found)]


@dataclass(frozen=True)
class SqlModel:
    """A model's SQL and its documentation, read from sql/<layer>/<name>.sql and .yml."""

    name: str
    layer: str
    sql: str
    description: str
    columns: dict[str, str]
    checks: dict
    code_version: str
    # Partitioned: whether a run replaces only its own periods ("run_periods") or also every later
    # one ("from_first_period", for a model whose row depends on the previous period's).
    partition_scope: str = "run_periods"

    @classmethod
    def load(cls, name: str, layer: str = "analytics", sql_dir: Path | None = None) -> "SqlModel":
        model_path = sql_path(name, layer, sql_dir=sql_dir)
        doc_path = model_path.with_suffix(".yml")
        doc = yaml.safe_load(doc_path.read_text(encoding="utf-8"))
        return cls(
            name=name,
            layer=layer,
            sql=read_model_sql(model_path),
            description=doc["description"],
            columns=doc.get("columns", {}),
            checks=doc.get("checks") or {},
            code_version=code_version_of(model_path, doc_path, *included_paths(model_path)),
            partition_scope=doc.get("partition_scope", "run_periods"),
        )

    def table(
        self, periods: tuple[date, date] | None = None, incremental: bool = False
    ) -> TableToPublish:
        """The table to publish; with periods, only that range is recomputed and replaced."""
        scope: dict = {}
        if periods is not None:
            first, last = periods
            if self.partition_scope == "from_first_period":
                last = LAST_PERIOD
            elif self.partition_scope != "run_periods":
                raise ValueError(f"{self.name}: unknown partition_scope {self.partition_scope!r}")
            scope = {
                "incremental": True,
                "scope_column": "period",
                "scope_range": (first, last),
                "variables": {"period_start": first, "period_end": last},
            }
        elif incremental:
            scope = {"incremental": True}
        return TableToPublish(
            name=self.name,
            schema=self.layer,
            description=self.description,
            column_comments=self.columns,
            sql=self.sql,
            **scope,
        )


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
    model = SqlModel.load(name, layer, sql_dir=sql_dir)

    @dg.asset(
        key=[layer, name],
        deps=[key for key in referenced_tables(model.sql) if key != dg.AssetKey([layer, name])]
        + list(extra_deps),
        group_name=layer,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        kinds={"duckdb", "sql"},
        description=model.description,
        code_version=model.code_version,
        owners=["team:data-platform"],
        tags={"layer": layer},
        metadata={
            "sql_file": f"sql/{layer}/{name}.sql",
            **contract_metadata(model.checks, model.columns),
        },
    )
    def _table(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        periods = None
        if partitions_def is not None:
            # A run's partitions are one contiguous range of days (a single-run backfill range).
            keys = context.partition_keys
            context.log.info(f"Recomputing {len(keys)} periods, {keys[0]} to {keys[-1]}")
            periods = (date.fromisoformat(keys[0]), date.fromisoformat(keys[-1]))
        table = model.table(periods=periods, incremental=incremental)
        (outcome,) = warehouse.publish(
            [table], run_id=context.run.run_id, code_version=model.code_version
        )
        result = materialize_result(outcome, model.columns)
        lineage = sql_column_lineage(model.sql, warehouse.schema())
        return dg.MaterializeResult(
            metadata={**result.metadata, "dagster/column_lineage": column_lineage(lineage)}
        )

    return _table
