"""Recompute what changed upstream: a table's scope comes from its source's history.

Why: the market tables used to be partitioned by period in Dagster, and Dagster stores events per
partition, so a run's bookkeeping grew with the number of dates a file spans (20 minutes for 15
years of monthly shares). Instead, each derived market table records, in the same atomic publish
as its rows, which version of its source it was computed from (meta.table_inputs). The next
publish recomputes only the periods whose source rows were added or retired since then, read from
the source's history. What a run costs grows with what changed, not with the dates spanned or the
size of the warehouse; and a run killed between two publishes leaves the source ahead of its
readers, so the next run, whatever starts it, catches up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from pipelines.warehouse.connection import quote_identifier

SCOPE_TABLE = "_changed_scope"  # temp table: the values of the scope column to recompute
SCOPE_VARIABLE = "scope_periods"  # the same values as a list, for the model's SQL


@dataclass(frozen=True)
class ChangeScope:
    """How a table is scoped by its source's changes.

    source: the source's history table name (raw_market_shares for raw.market_shares).
    column: the column both tables share whose changed values are recomputed (period).
    later_too: recompute from the first changed value on (a row compared with the previous
      period's changes when that one changes).
    requested: a range asked for explicitly (a backfill), recomputed as well.
    everything: recompute every value (asked for; also when the table's code changed).
    also_reads: the other tables the SQL reads (history table names). One with the column adds
      the values its own changes touch, as the source does; one without it (the assumptions,
      whose thresholds classify every period) has every value recomputed when it has a version
      the table has not read. Without these, a changed threshold left the market tables on the
      old one while the tables that read it afresh moved on."""

    source: str
    column: str = "period"
    later_too: bool = False
    requested: tuple[date, date] | None = None
    everything: bool = False
    also_reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputRead:
    """One table a publish reads: its latest version, and the one the table last read."""

    table: str
    latest: int
    consumed: int

    @property
    def behind(self) -> bool:
        return self.latest > self.consumed


@dataclass(frozen=True)
class Recompute:
    """What one publish recomputes: everything, or the values in SCOPE_TABLE (maybe none)."""

    everything: bool
    count: int  # values in SCOPE_TABLE (0 with everything: no restriction)
    first: date | None
    last: date | None
    source_version: int
    consumed_version: int  # the source version the table was last computed from
    later_too: bool = False
    also_read: tuple[InputRead, ...] = ()  # the other tables it reads (ChangeScope.also_reads)
    reason: str = ""  # why everything: asked for, new code, an input read for the first time...

    @property
    def nothing(self) -> bool:
        return not self.everything and self.count == 0

    @property
    def behind(self) -> bool:
        """A source has versions this table has not read yet."""
        return self.source_version > self.consumed_version or any(
            read.behind for read in self.also_read
        )

    def variables(self) -> dict[str, object]:
        """The range the model's SQL reads (period_start, period_end); the exact values are in
        the list variable scope_periods (see SCOPE_VARIABLE)."""
        if self.everything:
            return {}
        if self.later_too:
            return {"period_start": self.first}
        return {"period_start": self.first, "period_end": self.last}

    def describe(self) -> str:
        if self.everything:
            return f"every period ({self.reason})" if self.reason else "every period"
        if self.nothing:
            return "nothing (no change upstream)"
        tail = " and every later period" if self.later_too else ""
        return f"{self.count} period(s) from {self.first} to {self.last}{tail}"


def consumed_version(con: duckdb.DuckDBPyConnection, table: str, source: str) -> int:
    ((found,),) = con.execute(
        "select coalesce(max(source_version), 0) from meta.table_inputs "
        "where table_name = ? and source_table = ?",
        [table, source],
    ).fetchall()
    return int(found)


def latest_version(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((found,),) = con.execute(
        "select coalesce(max(version), 0) from meta.table_versions where table_name = ?", [table]
    ).fetchall()
    return int(found)


def plan_recompute(
    con: duckdb.DuckDBPyConnection,
    table: str,
    scope: ChangeScope,
    code_changed: bool,
) -> Recompute:
    """Fill SCOPE_TABLE with the values to recompute: the rows of its sources added or retired
    since the table last read them, plus a requested range; or none at all for everything."""
    source_version = latest_version(con, scope.source)
    consumed = consumed_version(con, table, scope.source)
    also_read = tuple(
        InputRead(other, latest_version(con, other), consumed_version(con, table, other))
        for other in scope.also_reads
    )
    column = quote_identifier(scope.column)
    own = f"history.{quote_identifier(table)}"
    source_read = InputRead(scope.source, source_version, consumed)
    scoped = [source_read] + [
        read for read in also_read if _has_column(con, read.table, scope.column)
    ]
    reason = _everything_because(con, table, scope, code_changed, (source_read, *also_read), scoped)
    if reason is not None:
        con.execute(f"create or replace temp table {SCOPE_TABLE} (value date)")
        return Recompute(
            True, 0, None, None, source_version, consumed, scope.later_too, also_read, reason
        )
    parts, params = [], []
    for read in scoped:
        if read.behind:
            parts.append(
                f"select {column} as value from history.{quote_identifier(read.table)} "
                "where _version > ? or _retired_in > ?"
            )
            params += [read.consumed, read.consumed]
    if scope.requested is not None:
        first, last = scope.requested
        for relation in (f"history.{quote_identifier(scope.source)}", own):
            if _exists(con, relation):
                parts.append(
                    f"select {column} as value from {relation} "
                    f"where _retired_in is null and {column} between ? and ?"
                )
                params += [first, last]
    union = " union ".join(parts) or "select null::date as value where false"
    con.execute(
        f"create or replace temp table {SCOPE_TABLE} as select distinct * from ({union})", params
    )
    ((count, first, last),) = con.execute(
        f"select count(*), min(value), max(value) from {SCOPE_TABLE}"
    ).fetchall()
    return Recompute(
        False, count, first, last, source_version, consumed, scope.later_too, also_read
    )


def _everything_because(
    con: duckdb.DuckDBPyConnection,
    table: str,
    scope: ChangeScope,
    code_changed: bool,
    reads: tuple[InputRead, ...],
    scoped: list[InputRead],
) -> str | None:
    """Why every value is recomputed, or None when the changes of the scoped inputs give the
    scope."""
    if scope.everything:
        return "asked for"
    if latest_version(con, table) == 0:
        return "first version"
    if code_changed:
        return "its code changed"
    never_read = [read.table for read in reads if read.consumed == 0 and read.latest > 0]
    if never_read:  # a new table, or one written before its inputs were recorded
        return f"first read of {', '.join(never_read)}"
    whole = [read.table for read in reads if read.behind and read not in scoped]
    if whole:
        return f"{', '.join(whole)} changed"
    return None


def scope_condition(column: str, later_too: bool) -> str:
    """The rows of the table in scope, given a filled SCOPE_TABLE."""
    quoted = quote_identifier(column)
    if later_too:
        return f"{quoted} >= (select min(value) from {SCOPE_TABLE})"
    return f"{quoted} in (select value from {SCOPE_TABLE})"


def record_inputs(
    con: duckdb.DuckDBPyConnection,
    table: str,
    version: int,
    source: str,
    recompute: Recompute,
    run_id: str,
) -> None:
    """The version of each input this version of the table was computed from (the next run's
    start): the source's, and those of the other tables it reads."""
    reads = [(source, recompute.source_version)]
    reads += [(read.table, read.latest) for read in recompute.also_read]
    for input_table, input_version in reads:
        con.execute(
            "insert into meta.table_inputs values (?, ?, ?, ?, ?, now())",
            [table, version, input_table, input_version, run_id],
        )


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        "select 1 from duckdb_columns() where schema_name = 'history' and table_name = ? "
        "and column_name = ?",
        [table, column],
    ).fetchall()
    return bool(found)


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, name = relation.partition(".")
    found = con.execute(
        "select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, name.strip('"')],
    ).fetchall()
    return bool(found)
