"""The new rows of a table, staged in a temporary table of the session with a hash per row,
so a publish can tell unchanged rows (and unchanged tables) from changed ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.warehouse.connection import quote_identifier, quote_literal

if TYPE_CHECKING:
    from pipelines.warehouse.publish import TableToPublish

PREVIEW_ROWS = 10


@contextmanager
def incoming(con: duckdb.DuckDBPyConnection, table: TableToPublish) -> Iterator[str]:
    """The query giving the table's new rows, with its frame or variables in place meanwhile."""
    if (table.frame is None) == (table.sql is None):
        raise ValueError(f"{table.view}: give exactly one of frame or sql")
    for name, value in table.variables.items():
        if not name.isidentifier():
            raise ValueError(f"{table.view}: variable name {name!r} is not an identifier")
        con.execute(f"set variable {name} = ?", [value])
    if table.frame is not None:
        con.register("_incoming_frame", table.frame)
    constants = "".join(
        f", {quote_literal(value)} as {quote_identifier(name)}"
        for name, value in table.constants.items()
    )
    try:
        yield f"select *{constants} from _incoming_frame" if table.frame is not None else table.sql
    finally:
        if table.frame is not None:
            con.unregister("_incoming_frame")
        for name in table.variables:
            con.execute(f"reset variable {name}")


def stage(con: duckdb.DuckDBPyConnection, source: str, staged: str, schema_only: bool) -> None:
    """The new rows, each with a hash of its values so unchanged rows can be recognized;
    schema_only: just the columns and their types, for rows that go straight into history."""
    con.execute(
        f"create temp table {staged} as "
        f"select incoming.*, hash(incoming) as _row_hash from ({source}) as incoming"
        + (" limit 0" if schema_only else "")
    )


def staged_columns(con: duckdb.DuckDBPyConnection, staged: str) -> list[tuple[str, str]]:
    """The columns of a temporary table stage() made, without its row hash."""
    return [
        (name, dtype)
        for name, dtype in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where table_name = ? and database_name = 'temp' order by column_index",
            [staged],
        ).fetchall()
        if name != "_row_hash"
    ]


def staged_preview(con: duckdb.DuckDBPyConnection, staged: str) -> pl.DataFrame:
    return con.sql(
        f"select * exclude (_row_hash) from {quote_identifier(staged)} limit {PREVIEW_ROWS}"
    ).pl()
