"""The generic table checks as one Dagster multi-asset check over every published asset.

One op checks every asset a run materialized (it is subset to them), with one read-only
connection: a step per asset would cost more in Dagster bookkeeping than the checks themselves.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from pipelines.checks.contracts import TableContract, contract_of
from pipelines.checks.table_checks import CHECKS, Evaluation, applicable_checks, evaluate
from pipelines.resources import WarehouseResource
from pipelines.warehouse.connection import read_only

WARN_ONLY = {"column_schema_unchanged", "rows_usual"}
COLUMN_SCHEMA = "dagster/column_schema"


def failures_table(frame: pl.DataFrame) -> dg.TableMetadataValue:
    """A sample of failing rows as a table in the UI; every value shown as text."""
    records = [
        dg.TableRecord({name: None if value is None else str(value) for name, value in row.items()})
        for row in frame.iter_rows(named=True)
    ]
    schema = dg.TableSchema(columns=[dg.TableColumn(name, "string") for name in frame.columns])
    return dg.MetadataValue.table(records=records, schema=schema)


def check_result(
    key: dg.AssetCheckKey, evaluation: Evaluation, severity: dg.AssetCheckSeverity
) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = dict(evaluation.metadata)
    if evaluation.failures is not None and evaluation.failures.height:
        metadata["failures"] = failures_table(evaluation.failures)
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=evaluation.passed,
        severity=severity,
        description=evaluation.description,
        metadata=metadata,
    )


def contracts_of(assets: Iterable[dg.AssetsDefinition]) -> dict[dg.AssetKey, TableContract]:
    return {spec.key: contract_of(spec.key) for asset in assets for spec in asset.specs}


def build_table_checks(assets: Sequence[dg.AssetsDefinition]) -> dg.AssetChecksDefinition:
    """Checks for every asset, from the contract each declared with its definition."""
    contracts = contracts_of(assets)
    specs = [
        dg.AssetCheckSpec(name, asset=key, description=CHECKS[name])
        for key, contract in contracts.items()
        for name in applicable_checks(contract)
    ]

    @dg.multi_asset_check(
        specs=specs,
        can_subset=True,
        name="warehouse_table_checks",
        description="Row count, keys, shares, HHI range, finite metrics and column schema of "
        "each published table, read through a read-only connection.",
    )
    def warehouse_table_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ):
        selected = sorted(context.selected_asset_check_keys, key=lambda k: k.to_user_string())
        previous = {
            key.asset_key: previous_columns(context, key.asset_key)
            for key in selected
            if key.name == "column_schema_unchanged"
        }
        with read_only(warehouse.path) as con:
            for key in selected:
                schema, table = key.asset_key.path
                try:
                    evaluation = evaluate(
                        con,
                        schema,
                        table,
                        contracts[key.asset_key],
                        key.name,
                        previous.get(key.asset_key),
                    )
                except duckdb.Error as error:
                    evaluation = Evaluation(False, f"The check could not run: {error}")
                severity = (
                    dg.AssetCheckSeverity.WARN
                    if key.name in WARN_ONLY
                    else dg.AssetCheckSeverity.ERROR
                )
                yield check_result(key, evaluation, severity)

    return warehouse_table_checks


def previous_columns(
    context: dg.AssetCheckExecutionContext, asset_key: dg.AssetKey
) -> list[tuple[str, str]] | None:
    """The column schema of the asset's last materialization before this run, if any."""
    run = context.instance.get_run_record_by_id(context.run.run_id)
    before = run.create_timestamp.timestamp() if run is not None else None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset_key, before_timestamp=before), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    return schema_columns(records[0].asset_materialization.metadata)


def schema_columns(metadata: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    value = metadata.get(COLUMN_SCHEMA)
    schema = getattr(value, "schema", None)
    if schema is None:
        return None
    return [(column.name, column.type) for column in schema.columns]
