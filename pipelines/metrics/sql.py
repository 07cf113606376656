"""Loading the SQL models in sql/, and running one on given frames (for tests and notebooks)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import get_settings
from pipelines.warehouse.connection import quote_identifier

INCLUDE = re.compile(r"^-- include: ([a-z_]+)\s*$", re.MULTILINE)


def sql_path(name: str, layer: str = "analytics", sql_dir: Path | None = None) -> Path:
    return (sql_dir or get_settings().sql_dir) / layer / f"{name}.sql"


def included_paths(path: Path) -> list[Path]:
    """The shared pieces a model includes (sql/shared/<name>.sql), for its code version."""
    shared = path.parent.parent / "shared"
    return [shared / f"{name}.sql" for name in INCLUDE.findall(path.read_text(encoding="utf-8"))]


def read_model_sql(path: Path) -> str:
    """A model's SQL with each `-- include: <name>` line replaced by sql/shared/<name>.sql, so
    two models that compute the same measure share one text of it."""
    shared = path.parent.parent / "shared"

    def include(match: re.Match) -> str:
        return (shared / f"{match.group(1)}.sql").read_text(encoding="utf-8")

    return INCLUDE.sub(include, path.read_text(encoding="utf-8"))


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
        return con.sql(read_model_sql(sql_path(name, layer))).pl()
    finally:
        con.close()
