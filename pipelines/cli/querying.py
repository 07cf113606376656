"""Running a person's SQL on the warehouse: one statement, a time limit, and nothing written.

The session itself is sealed (pipelines/warehouse/connection.py: external access off, settings
locked), so whatever the SQL says, it cannot write, copy, export, attach or read a file. This
module adds what a shell user needs on top: one statement per call (so a `set` or a second
statement cannot slip in unseen), a time limit that stops a runaway query with a message, result
types Polars cannot hold (INTERVAL) shown as text, and the user's own files, read here by Polars
and handed to DuckDB as in-memory tables, so reading them never opens the file system to SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import duckdb
import polars as pl

from pipelines.cli.common import UserError

DEFAULT_TIMEOUT_SECONDS = 300.0
# Result types Polars cannot take from DuckDB: shown as their text.
TEXT_TYPES = ("INTERVAL",)


def single_statement(sql: str, what: str) -> str:
    """The one statement of sql; none, several, or a parse error is the user's to fix."""
    if not sql.strip():
        raise UserError(f'{what} is empty: give a SQL statement, e.g. `sovai sql "select 1"`.')
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise UserError(failed_message(error, what)) from None
    if not statements:
        raise UserError(f"{what} holds no statement (only comments?): give a SQL statement.")
    if len(statements) != 1:
        raise UserError(
            f"{what} holds {len(statements)} statements; run one at a time "
            "(`sovai shell` runs several, one after another)."
        )
    return sql


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    what: str,
    timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> pl.DataFrame:
    """The rows of one read-only query, stopped after timeout_seconds (None: no limit)."""
    single_statement(sql, what)
    timer = None
    if timeout_seconds:
        timer = threading.Timer(timeout_seconds, con.interrupt)
        timer.daemon = True
        timer.start()
    try:
        relation = con.sql(sql)
        if relation is None:
            raise UserError(
                f"{what} returned no result: only a query that returns rows can be printed, and "
                "the warehouse is read-only here."
            )
        return _as_frame(relation)
    except duckdb.InterruptException:
        raise UserError(
            f"{what} ran longer than {timeout_seconds:g} s and was stopped. Narrow it, or allow "
            "more time with --timeout SECONDS (0 for no limit)."
        ) from None
    except duckdb.Error as error:
        raise UserError(failed_message(error, what)) from None
    finally:
        if timer is not None:
            timer.cancel()


def _as_frame(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    textual = [
        name
        for name, dtype in zip(relation.columns, relation.dtypes, strict=True)
        if str(dtype).upper().startswith(TEXT_TYPES)
    ]
    if textual:
        replaced = ", ".join(f"{_quoted(name)}::varchar as {_quoted(name)}" for name in textual)
        relation = relation.project(f"* replace ({replaced})")
    return relation.pl()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def failed_message(error: duckdb.Error, what: str) -> str:
    text = str(error)
    if "disabled by configuration" in text or "configuration has been locked" in text:
        return (
            f"{what} was refused: {text.splitlines()[0]}\n"
            "Queries here are read-only: they cannot write, copy, export or attach files, read "
            "files other than the warehouse, or change settings. To query a file of your own, "
            "name it with --file NAME=PATH and select from NAME."
        )
    if "read-only mode" in text or "Cannot execute statement of type" in text:
        return (
            f"{what} was refused: {text.splitlines()[0]}\n"
            "The warehouse is read-only here: a query can read its tables but not create, "
            "change or drop anything."
        )
    if isinstance(error, duckdb.ParserException):
        return f"{what} has a syntax error: {text}\nCheck the SQL near the place it names."
    if isinstance(error, duckdb.CatalogException | duckdb.BinderException):
        return (
            f"{what} failed: {text}\n"
            "Check the table and column names: `sovai tables` lists the tables, and "
            '`sovai sql "describe TABLE"` the columns of one.'
        )
    return f"{what} failed: {text}"


def register_files(con: duckdb.DuckDBPyConnection, specs: Iterable[str]) -> None:
    """NAME=PATH pairs: each CSV or Parquet file read by Polars, queryable as table NAME."""
    for spec in specs:
        name, separator, path_text = spec.partition("=")
        if not separator or not name.strip().isidentifier() or not path_text.strip():
            raise UserError(
                f"--file {spec!r}: give NAME=PATH, e.g. --file mine=shares.csv (NAME a plain "
                "identifier)."
            )
        path = Path(path_text.strip()).expanduser()
        con.register(name.strip(), _read_user_file(path, spec))


def _read_user_file(path: Path, spec: str) -> pl.DataFrame:
    if not path.is_file():
        raise UserError(f"--file {spec!r}: {path} is not a file.")
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        if path.suffix.lower() in (".csv", ".tsv", ".txt"):
            return pl.read_csv(path, separator="\t" if path.suffix.lower() == ".tsv" else ",")
    except (pl.exceptions.PolarsError, OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"--file {spec!r}: {path} could not be read: {first}") from None
    raise UserError(f"--file {spec!r}: only .csv, .tsv and .parquet files can be read.")
