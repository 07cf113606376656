"""Opening the warehouse for reading, and quoting for the few statements built from names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# Written in the 1.5 storage format so the duckdb-cli shell (1.5.x) installed with the project
# can open the file; DuckDB 2.0 reads and writes it the same way.
STORAGE_CONFIG = {"storage_compatibility_version": "v1.5.0"}


class WarehouseNotFoundError(FileNotFoundError):
    """Raised when a reader asks for a warehouse that has never been published."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def read_only(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only session: queries cannot change the warehouse, and publishes never wait on it."""
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.exists():
        raise WarehouseNotFoundError(
            f"No warehouse at {warehouse_path}. Run `make run` (or `sovai run`) to build it, "
            "or set SOVAI_WAREHOUSE to an existing warehouse file."
        )
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        yield con
    finally:
        con.close()
