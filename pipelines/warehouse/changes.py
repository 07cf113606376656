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
    everything: recompute every value (asked for; also when the table's code changed)."""

    source: str
    column: str = "period"
    later_too: bool = False
    requested: tuple[date, date] | None = None
    everything: bool = False


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

    @property
    def nothing(self) -> bool:
        return not self.everything and self.count == 0

    @property
    def behind(self) -> bool:
        """The source has versions this table has not read yet."""
        return self.source_version > self.consumed_version

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
            return "every period"
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
    """Fill SCOPE_TABLE with the values to recompute: the source's rows added or retired since
    the table last read it, plus a requested range; or none at all for everything."""
    source_version = latest_version(con, scope.source)
    consumed = consumed_version(con, table, scope.source)
    column = quote_identifier(scope.column)
    source = f"history.{quote_identifier(scope.source)}"
    own = f"history.{quote_identifier(table)}"
    never_read = consumed == 0 and source_version > 0  # a new table, or one written before
    everything = scope.everything or code_changed or never_read or latest_version(con, table) == 0
    if everything:
        con.execute(f"create or replace temp table {SCOPE_TABLE} (value date)")
        return Recompute(True, 0, None, None, source_version, consumed, scope.later_too)
    parts, params = [], []
    if source_version > consumed:
        parts.append(
            f"select {column} as value from {source} where _version > ? or _retired_in > ?"
        )
        params += [consumed, consumed]
    if scope.requested is not None:
        first, last = scope.requested
        for relation in (source, own):
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
    return Recompute(False, count, first, last, source_version, consumed, scope.later_too)


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
    source_version: int,
    run_id: str,
) -> None:
    """The source version this version of the table was computed from (the next run's start)."""
    con.execute(
        "insert into meta.table_inputs values (?, ?, ?, ?, ?, now())",
        [table, version, source, source_version, run_id],
    )


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, name = relation.partition(".")
    found = con.execute(
        "select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, name.strip('"')],
    ).fetchall()
    return bool(found)
