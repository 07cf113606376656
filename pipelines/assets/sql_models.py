"""Analytics tables defined by a SQL file and a YAML file of descriptions, dbt-style.

Dependencies are read from the SQL itself (every raw.<table> and analytics.<table> it names), so
adding a model is adding two files to sql/analytics/ and one name to a domain module.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml

from pipelines.assets.recompute import RecomputeRequest, RecomputeTagError, recompute_request
from pipelines.assets.reporting import column_lineage, materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_metadata
from pipelines.metrics.lineage import WarehouseSchema, lineage_fingerprint, sql_column_lineage
from pipelines.metrics.sql import included_paths, read_model_sql, sql_path
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource
from pipelines.warehouse.changes import ChangeScope
from pipelines.warehouse.publish import TableToPublish, history_table_name

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
    # Market tables: recompute only what changed in this source (a view name) since the table
    # last read it; later_too: and every later period (see pipelines/warehouse/changes.py).
    recompute: dict | None = None

    @classmethod
    def load(cls, name: str, layer: str = "analytics", sql_dir: Path | None = None) -> "SqlModel":
        model_path = sql_path(name, layer, sql_dir=sql_dir)
        doc_path = model_path.with_suffix(".yml")
        # libyaml's safe loader: the same documents, read about 9 times faster than by PyYAML's
        # own, and every process that loads the definitions reads every model's file
        doc = yaml.load(doc_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        return cls(
            name=name,
            layer=layer,
            sql=read_model_sql(model_path),
            description=doc["description"],
            columns=doc.get("columns", {}),
            checks=doc.get("checks") or {},
            code_version=code_version_of(model_path, doc_path, *included_paths(model_path)),
            recompute=doc.get("recompute"),
        )

    def changes(self, request: RecomputeRequest | None = None) -> ChangeScope | None:
        """How a run scopes the table: what changed in its source, plus what the run asks for."""
        if self.recompute is None:
            return None
        schema, _, source = str(self.recompute["source"]).partition(".")
        source_table = history_table_name(schema, source)
        request = request or RecomputeRequest()
        return ChangeScope(
            source=source_table,
            later_too=bool(self.recompute.get("later_too", False)),
            requested=request.requested,
            everything=request.everything,
            also_reads=tuple(
                name
                for key in referenced_tables(self.sql)
                if key.path != [self.layer, self.name]
                and (name := history_table_name(*key.path)) != source_table
            ),
        )

    def table(
        self, request: RecomputeRequest | None = None, incremental: bool = False
    ) -> TableToPublish:
        return TableToPublish(
            name=self.name,
            schema=self.layer,
            description=self.description,
            column_comments=self.columns,
            sql=self.sql,
            incremental=incremental or self.recompute is not None,
            changes=self.changes(request),
        )


def sql_table_asset(
    name: str,
    layer: str = "analytics",
    incremental: bool = False,
    extra_deps: tuple[dg.AssetKey, ...] = (),
    sql_dir: Path | None = None,
) -> dg.AssetsDefinition:
    """A table from sql/<layer>/<name>.sql. With `recompute:` in its .yml it recomputes only the
    periods its source changed since it last read them (the SQL reads them as period_start,
    period_end and scope_periods) and replaces only their rows."""
    model = SqlModel.load(name, layer, sql_dir=sql_dir)

    @dg.asset(
        key=[layer, name],
        deps=[key for key in referenced_tables(model.sql) if key != dg.AssetKey([layer, name])]
        + list(extra_deps),
        group_name=layer,
        kinds={"duckdb", "sql"},
        description=model.description,
        code_version=model.code_version,
        owners=["team:data-platform"],
        pool=WAREHOUSE_POOL,
        tags={"layer": layer},
        metadata={
            "sql_file": f"sql/{layer}/{name}.sql",
            **contract_metadata([layer, name], model.checks, model.columns),
        },
    )
    def _table(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        try:
            request = recompute_request(context.run.tags)
        except RecomputeTagError as error:
            raise dg.Failure(description=str(error)) from None
        table = model.table(request=request, incremental=incremental)
        (outcome,) = warehouse.publish(
            [table], run_id=context.run.run_id, code_version=model.code_version
        )
        result = materialize_result(outcome, model.columns)
        metadata = dict(result.metadata)
        if outcome.recomputed is not None:
            context.log.info(f"Recomputed {outcome.recomputed.describe()}")
            metadata["recomputed"] = outcome.recomputed.describe()
        metadata |= _lineage_metadata(context, model.sql, warehouse.schema())
        return dg.MaterializeResult(metadata=metadata, data_version=result.data_version)

    return _table


LINEAGE_KEY = "sovai/lineage_fingerprint"


def _lineage_metadata(
    context: dg.AssetExecutionContext, sql: str, schema: WarehouseSchema
) -> dict[str, object]:
    """Column lineage for the UI: the last materialization's when the SQL and the tables it reads
    are unchanged (the usual daily run), else followed afresh with sqlglot."""
    read = {(key.path[0], key.path[1]) for key in referenced_tables(sql)}
    schema = {
        layer: {table: columns for table, columns in tables.items() if (layer, table) in read}
        for layer, tables in schema.items()
    }
    fingerprint = lineage_fingerprint(sql, schema)
    previous = context.instance.get_latest_materialization_event(context.asset_key)
    earlier = previous.asset_materialization.metadata if previous is not None else {}
    if (
        LINEAGE_KEY in earlier
        and earlier[LINEAGE_KEY].value == fingerprint
        and "dagster/column_lineage" in earlier
    ):
        return {
            "dagster/column_lineage": earlier["dagster/column_lineage"],
            LINEAGE_KEY: fingerprint,
        }
    lineage = column_lineage(sql_column_lineage(sql, schema))
    return {"dagster/column_lineage": lineage, LINEAGE_KEY: fingerprint}
