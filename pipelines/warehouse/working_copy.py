"""The working copy a publish writes into, and the atomic rename that makes it the live file.

DuckDB lets one process hold a file read-write or many processes hold it read-only, and a
read-only reader blocks a writer, so a publish never opens the live file for writing: it copies
it, writes into the copy, fsyncs, and renames the copy over the live file. A copy a killed
publish leaves behind is removed by the next one, under the writer lock.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.warehouse.connection import STORAGE_CONFIG, damaged_error, is_lock_conflict
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.integrity import publish_error

TEMP_SUFFIX = ".publishing"


def make_warehouse_folder(warehouse_path: Path) -> None:
    """The warehouse's folder, made if missing; a PublishError saying what to set if it cannot
    be (`sovai run` checks this before it starts a run, so the user hears it once, at once)."""
    try:
        Path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(
            f"Cannot create the warehouse folder {Path(warehouse_path).parent}: "
            f"{error.strerror}. Set SOVAI_WAREHOUSE to a writable location."
        ) from error


@contextmanager
def working_copy(warehouse_path: Path) -> Iterator[Path]:
    copy_path = warehouse_path.with_name(f"{warehouse_path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        if warehouse_path.exists():
            shutil.copyfile(warehouse_path, copy_path)
        yield copy_path
    except (OSError, duckdb.IOException) as error:  # disk full, folder not writable, damage
        raise publish_error(warehouse_path, error) from error
    finally:
        for leftover in (copy_path, copy_path.with_name(copy_path.name + ".wal")):
            leftover.unlink(missing_ok=True)


def open_copy(copy_path: Path, warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """The copy holds the live file's bytes, so a copy that does not open is a damaged file."""
    try:
        return duckdb.connect(str(copy_path), config=STORAGE_CONFIG)
    except duckdb.Error as error:
        if copy_path.exists() and copy_path.stat().st_size and not is_lock_conflict(error):
            raise damaged_error(warehouse_path, error) from None
        raise


def remove_stale_copies(warehouse_path: Path) -> None:
    """Copies left by a killed publish; safe to remove because we hold the writer lock."""
    for stale in warehouse_path.parent.glob(f"{warehouse_path.name}.*{TEMP_SUFFIX}*"):
        stale.unlink(missing_ok=True)


def replace_atomically(copy_path: Path, warehouse_path: Path) -> None:
    with open(copy_path, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(copy_path, warehouse_path)
    directory = os.open(warehouse_path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
