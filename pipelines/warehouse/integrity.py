"""A damaged warehouse file is detected, never written over, and the last good copy restorable.

Every publish keeps the file it replaces as warehouse.duckdb.previous (a hard link, so it costs
no copy), after checking that the live file reads (through its working copy, the same bytes). A
file that does not read (a disk fault, a half-copied backup, a stray write) stops every run with a
message naming the recovery: `sovai restore` puts the previous copy back and keeps the damaged
file beside it, renamed.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.warehouse.connection import (
    WarehouseDamagedError,
    damaged_error,
    is_corruption,
    previous_copy,
    read_only,
)
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.locking import writer_lock


def verify(warehouse_path: Path) -> None:
    """Open the file read-only and read its catalog and version log, or raise
    WarehouseDamagedError. Damage inside a data block (or a file cut short) is caught when a
    query reads that block, by DuckDB's block checksums, and reported the same way."""
    with read_only(warehouse_path) as con:
        probe(con, warehouse_path)


def probe(con: duckdb.DuckDBPyConnection, warehouse_path: Path) -> None:
    """Read the catalog and the version log through con (the warehouse file, or a byte-for-byte
    copy of it), or raise WarehouseDamagedError naming warehouse_path."""
    try:
        con.execute("select count(*) from duckdb_columns()").fetchall()
        has_log = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'meta' and table_name = 'table_versions'"
        ).fetchall()[0][0]
        if has_log:
            con.execute("select count(*), max(version) from meta.table_versions").fetchall()
    except duckdb.Error as error:
        raise damaged_error(warehouse_path, error) from None


def keep_previous(warehouse_path: Path) -> None:
    """Keep the live file, about to be replaced, as the previous copy."""
    if not warehouse_path.exists():
        return
    staging = warehouse_path.with_name(warehouse_path.name + ".previous.tmp")
    staging.unlink(missing_ok=True)
    try:
        os.link(warehouse_path, staging)
    except OSError:  # a file system without hard links
        shutil.copyfile(warehouse_path, staging)
    os.replace(staging, previous_copy(warehouse_path))


def publish_error(warehouse_path: Path, error: Exception) -> Exception:
    """What a publish that could not write reports: damage, or a folder or disk problem."""
    if is_corruption(error):
        return damaged_error(warehouse_path, error)
    return PublishError(
        f"Could not write a new version next to {warehouse_path}: {error}. "
        "The warehouse keeps its previous version."
    )


class NothingToRestoreError(RuntimeError):
    pass


def restore(warehouse_path: Path, force: bool = False) -> Path | None:
    """Put the previous copy back as the live file; returns where the replaced file was kept.

    Refuses when the live file reads fine, unless force (that would roll back a good version)."""
    previous = previous_copy(warehouse_path)
    with writer_lock(warehouse_path):
        if not previous.exists():
            raise NothingToRestoreError(
                f"No previous copy at {previous}: a copy is kept from the second publish on. "
                "Move the damaged file aside and run `sovai run` to rebuild from the seeds."
            )
        verify(previous)
        damaged = True
        if warehouse_path.exists():
            try:
                verify(warehouse_path)
                damaged = False
            except WarehouseDamagedError:
                pass
        if not damaged and not force:
            raise NothingToRestoreError(
                f"{warehouse_path} reads fine, so nothing was restored. `sovai restore "
                "--force` rolls it back to the previous version anyway."
            )
        kept = None
        if warehouse_path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            label = "damaged" if damaged else "replaced"
            kept = warehouse_path.with_name(f"{warehouse_path.name}.{label}-{stamp}")
            os.link(warehouse_path, kept)
        staging = warehouse_path.with_name(warehouse_path.name + ".restoring.tmp")
        shutil.copyfile(previous, staging)
        os.replace(staging, warehouse_path)
    return kept
