"""The history table behind each view: every row ever published, with the versions it lived in.

A row carries _version (the version that published it) and _retired_in (the version that replaced
it; null while current). The view shows current rows; as_of() and at_version() rebuild any past
version. A snapshot table replaces all rows when anything changed, so history.<t> where
_version = v holds version v whole; an incremental table (market data, refreshed a few periods at
a time) retires and adds only the rows that changed, so history grows with the changes only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.warehouse.changes import scope_condition
from pipelines.warehouse.connection import quote_identifier, quote_literal

if TYPE_CHECKING:
    from pipelines.warehouse.publish import TableToPublish


class PublishError(RuntimeError):
    """A publish could not complete; the warehouse still holds its previous version."""


HISTORY_COLUMNS = {
    "_version": "INTEGER",
    "_run_id": "VARCHAR",
    "_published_at": "TIMESTAMP WITH TIME ZONE",
    "_retired_in": "INTEGER",
    "_row_hash": "UBIGINT",
}


class HistoryTable:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        table: TableToPublish,
        columns: list[tuple[str, str]],
    ):
        self.con = con
        self.table = table
        self.columns = columns
        self.name = f"history.{quote_identifier(table.history_table)}"

    def prepare(self) -> None:
        """Create the table, or add new columns; a changed column type is refused."""
        existing = dict(
            self.con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'history' and table_name = ?",
                [self.table.history_table],
            ).fetchall()
        )
        if not existing:
            data = ", ".join(f"{quote_identifier(n)} {t}" for n, t in self.columns)
            meta = ", ".join(f"{n} {t}" for n, t in HISTORY_COLUMNS.items())
            self.con.execute(f"create table {self.name} ({data}, {meta})")
            return
        missing = [name for name in HISTORY_COLUMNS if name not in existing]
        if missing:
            raise PublishError(
                f"{self.table.view}: the warehouse was written by an older layout (no "
                f"{', '.join(missing)} in {self.name}). "
                "Move the warehouse file aside and run again."
            )
        for name, dtype in self.columns:
            if name not in existing:
                self.con.execute(
                    f"alter table {self.name} add column {quote_identifier(name)} {dtype}"
                )
            elif existing[name] != dtype:
                raise PublishError(
                    f"{self.table.view}: column {name!r} changed type from {existing[name]} to "
                    f"{dtype}; history cannot hold both. Rename the column, or move the "
                    "warehouse file aside to start a new history."
                )

    def replace_all_rows(self, staged: str, version: int, run_id: str, at: datetime) -> None:
        self.con.execute(
            f"update {self.name} set _retired_in = ? where _retired_in is null", [version]
        )
        self._insert(f"select * from {staged}", version, run_id, at)

    def replace_changed_rows(self, staged: str, version: int, run_id: str, at: datetime) -> bool:
        """Retire current rows (in scope) that the new rows do not repeat; add the new ones."""
        scope, params = self._scope()
        if self._scope_given:  # scope_keys come from the new rows themselves
            ((outside,),) = self.con.execute(
                f"select count(*) from {staged} where not coalesce({scope}, false)", params
            ).fetchall()
            if outside:
                raise ValueError(
                    f"{self.table.view}: {outside} new rows fall outside the scope being replaced"
                )
        self.con.execute(
            f"create or replace temp table _in_scope as "
            f"select rowid as row_id, _row_hash from {self.name} "
            f"where _retired_in is null and {scope}",
            params,
        )
        ((retired,),) = self.con.execute(
            "select count(*) from _in_scope "
            f"where _row_hash not in (select _row_hash from {staged})"
        ).fetchall()
        ((added,),) = self.con.execute(
            f"select count(*) from {staged} "
            "where _row_hash not in (select _row_hash from _in_scope)"
        ).fetchall()
        if retired:
            self.con.execute(
                f"update {self.name} set _retired_in = ? where rowid in ("
                f"select row_id from _in_scope "
                f"where _row_hash not in (select _row_hash from {staged}))",
                [version],
            )
        if added:
            self._insert(
                f"select * from {staged} where _row_hash not in (select _row_hash from _in_scope)",
                version,
                run_id,
                at,
            )
        self.con.execute("drop table _in_scope")
        return bool(retired or added)

    def has_current_rows(self) -> bool:
        """Whether any current row is in the table's scope (false before the first publish)."""
        ((exists,),) = self.con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'history' and table_name = ?",
            [self.table.history_table],
        ).fetchall()
        if not exists:
            return False
        scope, params = self._scope()
        found = self.con.execute(
            f"select 1 from {self.name} where _retired_in is null and {scope} limit 1", params
        ).fetchall()
        return bool(found)

    def append(self, source: str, version: int, run_id: str, at: datetime) -> int:
        """Add every row of source as current (there are no current rows in scope to compare
        with, see has_current_rows); returns how many rows were added."""
        self._insert(
            f"select incoming.*, hash(incoming) as _row_hash from ({source}) as incoming",
            version,
            run_id,
            at,
        )
        scope, params = self._scope()
        if not self._scope_given:
            scope, params = "true", []  # all rows, or keys that come from the new rows themselves
        ((added, outside),) = self.con.execute(
            f"select count(*), count(*) filter (where not coalesce({scope}, false)) "
            f"from {self.name} where _version = ?",
            [*params, version],
        ).fetchall()
        if outside:
            raise ValueError(
                f"{self.table.view}: {outside} new rows fall outside the scope being replaced"
            )
        return added

    def preview(self, version: int, rows: int) -> pl.DataFrame:
        column_list = ", ".join(quote_identifier(name) for name, _ in self.columns)
        return self.con.sql(
            f"select {column_list} from {self.name} where _version = ? limit {int(rows)}",
            params=[version],
        ).pl()

    def current_digest(self) -> tuple[int, str]:
        return digest(self.con, self.name, self.columns, "where _retired_in is null")

    def point_view(self, version: int) -> None:
        """The view shows current rows with the columns of the latest version, and comments."""
        table = self.table
        view = f"{quote_identifier(table.schema)}.{quote_identifier(table.name)}"
        column_list = ", ".join(quote_identifier(name) for name, _ in self.columns)
        self.con.execute(f"create schema if not exists {quote_identifier(table.schema)}")
        self.con.execute(
            f"create or replace view {view} as select {column_list} "
            f"from {self.name} where _retired_in is null"
        )
        self.con.execute(
            f"comment on view {view} is {quote_literal(f'{table.description} (version {version})')}"
        )
        self.con.execute(
            f"comment on table {self.name} is "
            f"{quote_literal(f'Every published row of {table.view}. {table.description}')}"
        )
        present = {name for name, _ in self.columns}
        for name, comment in table.column_comments.items():
            if name in present:
                for relation in (view, self.name):
                    self.con.execute(
                        f"comment on column {relation}.{quote_identifier(name)} is "
                        f"{quote_literal(comment)}"
                    )

    @property
    def _scope_given(self) -> bool:
        """A scope set apart from the new rows (a column's values, or what changed upstream), so
        a new row outside it is a bug in the model's SQL, refused rather than published."""
        return self.table.scope_column is not None or self.table.changes is not None

    def _scope(self) -> tuple[str, list]:
        """The condition selecting rows in scope, over a table's or the staged rows' columns."""
        table = self.table
        if table.changes is not None:  # what changed upstream (see changes.plan_recompute)
            if table.changes.everything:
                return "true", []
            return scope_condition(table.changes.column, table.changes.later_too), []
        if table.scope_keys:  # _scope_keys: the new rows' distinct keys (see publish)
            keys = ", ".join(quote_identifier(name) for name in table.scope_keys)
            return f"({keys}) in (select {keys} from _scope_keys)", []
        if table.scope_column is None:
            return "true", []
        column = quote_identifier(table.scope_column)
        if table.scope_range is not None:
            return f"{column} between ? and ?", list(table.scope_range)
        return (
            f"cast({column} as varchar) in (select unnest(?::varchar[]))",
            [list(table.scope_values)],
        )

    def _insert(self, select: str, version: int, run_id: str, at: datetime) -> None:
        self.con.execute(
            f"insert into {self.name} by name select incoming.*, ? as _version, ? as _run_id, "
            f"?::timestamptz as _published_at, null::integer as _retired_in "
            f"from ({select}) as incoming",
            [version, run_id, at],
        )


def digest(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]], where: str = ""
) -> tuple[int, str]:
    """Order-independent digest of schema and rows, so reruns with equal results match."""
    ((row_count, row_digest),) = con.execute(
        f"select count(*), coalesce(sum(_row_hash), 0)::varchar from {relation} {where}"
    ).fetchall()
    schema_text = ",".join(f"{name}:{dtype}" for name, dtype in columns)
    digest = hashlib.sha256(f"{schema_text}|{row_count}|{row_digest}".encode()).hexdigest()
    return row_count, digest
