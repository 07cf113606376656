"""Loading the SQL models in sql/, and running one on given frames (for tests and notebooks)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import get_settings
from pipelines.warehouse.connection import quote_identifier


def sql_path(name: str, layer: str = "analytics", sql_dir: Path | None = None) -> Path:
    return (sql_dir or get_settings().sql_dir) / layer / f"{name}.sql"


def run_model_sql(
    name: str,
    inputs: Mapping[str, pl.DataFrame],
    variables: Mapping[str, object] | None = None,
    layer: str = "analytics",
) -> pl.DataFrame:
    """Run sql/analytics/<name>.sql in a throwaway DuckDB whose tables are the given frames.

    inputs maps "schema.table" (e.g. "raw.market_shares") to a frame.
    """
    con = duckdb.connect()
    try:
        for qualified, frame in inputs.items():
            schema, table = qualified.split(".", 1)
            con.execute(f"create schema if not exists {quote_identifier(schema)}")
            con.register("_input_frame", frame)
            con.execute(
                f"create table {quote_identifier(schema)}.{quote_identifier(table)} "
                "as select * from _input_frame"
            )
            con.unregister("_input_frame")
        for variable, value in (variables or {}).items():
            con.execute(f"set variable {variable} = ?", [value])
        return con.sql(sql_path(name, layer).read_text(encoding="utf-8")).pl()
    finally:
        con.close()
