"""Opening the warehouse for reading, and quoting for the few statements built from names."""

from __future__ import annotations

import os
import stat
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# Written in the 1.5 storage format so the duckdb-cli shell (1.5.x) installed with the project
# can open the file; DuckDB 2.0 reads and writes it the same way.
STORAGE_CONFIG = {"storage_compatibility_version": "v1.5.0"}
# Every read-only session is sealed: DuckDB's read-only flag protects only the warehouse file,
# while COPY TO, EXPORT DATABASE, ATTACH and read_text() still reach the file system. With external
# access off and the configuration locked (so no SET can undo it), a query can read the warehouse
# and nothing else. DuckDB's own spill files (<warehouse>.tmp/) still work.
SEALED_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class WarehouseNotFoundError(FileNotFoundError):
    """Raised when a reader asks for a warehouse that has never been published."""


class WarehouseDamagedError(RuntimeError):
    """The warehouse file exists but DuckDB cannot read it; the message says how to recover."""


def previous_copy(warehouse_path: Path) -> Path:
    """The last good version of the warehouse file, kept by every publish."""
    return warehouse_path.with_name(warehouse_path.name + ".previous")


def damaged_error(warehouse_path: Path, error: Exception) -> WarehouseDamagedError:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    previous = previous_copy(warehouse_path)
    recovery = (
        f"The last good version is kept as {previous}: run `sovai restore` to put it back (the "
        "damaged file is kept beside it, renamed), then `sovai run`."
        if previous.exists()
        else "No earlier copy exists: move the damaged file aside and run `sovai run` to rebuild "
        "the warehouse from the seeds."
    )
    return WarehouseDamagedError(
        f"The warehouse file {warehouse_path} is damaged and cannot be read ({first_line}). "
        f"Nothing was changed. {recovery}"
    )


def is_corruption(error: Exception) -> bool:
    """DuckDB found a block whose checksum does not match, or a block beyond the file's end."""
    text = str(error).lower()
    return "corrupt database file" in text or "could not read enough bytes" in text


def is_lock_conflict(error: Exception) -> bool:
    """Another process holds the file read-write: busy, not damaged."""
    return "lock" in str(error).lower()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def refuse_special_file(warehouse_path: Path) -> None:
    """A FIFO, device or folder at the warehouse path would hang or confuse DuckDB: say so."""
    mode = warehouse_path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device or other special file"
        )
        raise WarehouseDamagedError(
            f"The warehouse path {warehouse_path} is {kind}, not a regular file; nothing was "
            "read or changed. Point SOVAI_WAREHOUSE at a warehouse file, or move this aside."
        )


@contextmanager
def read_only(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only session: queries cannot change the warehouse, and publishes never wait on it."""
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.exists():
        raise WarehouseNotFoundError(
            f"No warehouse at {warehouse_path}. Run `make run` (or `sovai run`) to build it, "
            "or set SOVAI_WAREHOUSE to an existing warehouse file."
        )
    refuse_special_file(warehouse_path)
    key = warehouse_path.resolve()
    if key in _kept:
        with _kept_session(key) as con:
            yield con
        return
    con = _open(warehouse_path)
    try:
        yield con
    finally:
        con.close()


def _open(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(warehouse_path), read_only=True, config=SEALED_CONFIG)
    except duckdb.Error as error:
        if is_lock_conflict(error):
            raise
        raise damaged_error(warehouse_path, error) from None


# Opening the warehouse costs DuckDB about 20-30 ms (it reads the whole catalog), and a run reads
# it dozens of times: a market run opened it 52 times for 6 publishes. Within kept_open() one
# session per version of the file serves every read_only(). A publish replaces the file (a
# rename), so the file's identity keys the session: when it changes, the old session is closed
# before the new file is opened (DuckDB would otherwise hand back the old file's instance, which
# it caches by path while any connection to it is open).
_kept: Counter[Path] = Counter()
_sessions: dict[Path, tuple[tuple[int, ...], duckdb.DuckDBPyConnection]] = {}
_sessions_lock = threading.Lock()


@contextmanager
def kept_open(warehouse_path: Path) -> Iterator[None]:
    """Keep read-only sessions on warehouse_path open until the block ends (a run's span)."""
    key = Path(warehouse_path).resolve()
    with _sessions_lock:
        _kept[key] += 1
    try:
        yield
    finally:
        with _sessions_lock:
            _kept[key] -= 1
            if _kept[key] <= 0:
                del _kept[key]
                _close_session(key)


def _identity(path: Path) -> tuple[int, ...]:
    found = os.stat(path)
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _close_session(key: Path) -> None:
    session = _sessions.pop(key, None)
    if session is not None:
        session[1].close()


@contextmanager
def _kept_session(key: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the kept session of the file now at key (a cursor: safe across threads)."""
    with _sessions_lock:
        identity = _identity(key)
        session = _sessions.get(key)
        if session is None or session[0] != identity:
            _close_session(key)
            session = (identity, _open(key))
            _sessions[key] = session
        cursor = session[1].cursor()
    try:
        yield cursor
    finally:
        cursor.close()
