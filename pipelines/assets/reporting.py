"""What every materialization reports: row count, column schema, a preview and its version."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
import polars as pl

from pipelines.warehouse.publish import PublishOutcome

PREVIEW_ROWS = 10
# The UI's preview pop-up shows some 130 characters side by side (80% of a 1,400-pixel window in
# a 14-pixel monospace font). A table wider than that, or than PREVIEW_COLUMNS columns, is
# previewed on its side: one line per column, one column per row, so that every column shows.
PREVIEW_COLUMNS = 8
PREVIEW_WIDTH = 130
RECORD_ROWS = 3
CELL_CHARS = 48
RECORD_CELL_CHARS = 28  # three rows of these beside a column name fit PREVIEW_WIDTH


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
    """The first rows as a Markdown table, or as a record view when they would not fit."""
    lines = [[_cell(value, CELL_CHARS) for value in row] for row in frame.head(rows).iter_rows()]
    if frame.width <= PREVIEW_COLUMNS and _width([frame.columns, *lines]) <= PREVIEW_WIDTH:
        return _markdown_table(frame.columns, lines)
    head = frame.head(RECORD_ROWS)
    header = ["column", *(f"row {number}" for number in range(1, head.height + 1))]
    lines = [
        [name, *(_cell(value, RECORD_CELL_CHARS) for value in head.get_column(name).to_list())]
        for name in frame.columns
    ]
    first = "the first row" if head.height == 1 else f"the first {head.height} rows"
    note = f"All {frame.width} columns, one per line, for {first}:"
    return f"{note}\n\n{_markdown_table(header, lines)}"


def _width(rows: list[list[str]]) -> int:
    """Characters a table of these rows takes side by side (each cell padded by 3)."""
    return sum(max(len(cell) for cell in column) + 3 for column in zip(*rows, strict=True))


def _cell(value: object, chars: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):  # six significant digits; millions and up in full
        text = f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:.6g}"
    elif isinstance(value, list):
        text = ", ".join(_cell(item, chars) for item in value[:4]) + (", …" * (len(value) > 4))
        text = f"[{text}]"
    else:
        text = str(value)
    if len(text) > chars:
        text = text[: chars - 1] + "…"
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_table(header: list[str], lines: list[list[str]]) -> str:
    rows = [header, ["---"] * len(header), *lines]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


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
