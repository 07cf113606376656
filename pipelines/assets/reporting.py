"""What every materialization reports: row count, column schema, a preview and its version."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
import polars as pl

from pipelines.warehouse.publish import PublishOutcome

PREVIEW_ROWS = 10


def column_schema(
    columns: list[tuple[str, str]], descriptions: Mapping[str, str]
) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=dtype, description=descriptions.get(name))
            for name, dtype in columns
        ]
    )


def markdown_preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> str:
    with pl.Config(
        tbl_formatting="MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_rows=rows,
        tbl_cols=-1,
        fmt_str_lengths=48,
        fmt_table_cell_list_len=4,
        tbl_width_chars=10_000,
    ):
        return str(frame.head(rows))


def materialize_result(
    outcome: PublishOutcome,
    descriptions: Mapping[str, str],
    asset_key: dg.AssetKey | None = None,
) -> dg.MaterializeResult:
    # what a reader of the UI wants to know; a bare `published: false` read like a failure
    state = "new version" if outcome.published else f"unchanged since v{outcome.version}"
    return dg.MaterializeResult(
        asset_key=asset_key,
        # the table's content: downstream assets are stale only when what they read changed
        data_version=dg.DataVersion(outcome.content_hash),
        metadata={
            "dagster/row_count": outcome.row_count,
            "dagster/column_schema": column_schema(outcome.columns, descriptions),
            "dagster/table_name": outcome.view,
            "preview": dg.MetadataValue.md(markdown_preview(outcome.preview)),
            "version": outcome.version,
            "status": state,
            "history_table": f"history.{outcome.history_table}",
            "content_hash": outcome.content_hash,
        },
    )


def column_lineage(
    sources_by_column: Mapping[str, list[tuple[str, str, str]]],
) -> dg.TableColumnLineage:
    """Dagster's column lineage from output column -> (schema, table, column) sources."""
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=dg.AssetKey([schema, table]), column_name=source)
                for schema, table, source in sources
            ]
            for column, sources in sources_by_column.items()
            if sources
        }
    )
