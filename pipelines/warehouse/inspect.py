"""Reading the version history back: which tables exist, each version's log, and version diffs.

Every name a user types is checked against meta.table_versions before it reaches SQL, and only
names from the warehouse's own catalog are quoted into statements; values go in as parameters.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.warehouse.connection import quote_identifier
from pipelines.warehouse.history import HISTORY_COLUMNS


class LookupProblem(LookupError):
    """A table or version the warehouse does not have; the message says what exists."""


@dataclass(frozen=True)
class TableRef:
    view: str  # the view users query, e.g. analytics.platform_efficiency
    history_table: str  # its table in the history schema, e.g. platform_efficiency
    versions: tuple[int, ...]

    @property
    def history_relation(self) -> str:
        return f"history.{quote_identifier(self.history_table)}"

    def check_version(self, version: int) -> None:
        if version not in self.versions:
            raise LookupProblem(
                f"{self.view} has no version {version}; it has "
                f"{_ranges(self.versions)}. `sovai versions {self.view}` lists them."
            )


def resolve_table(con: duckdb.DuckDBPyConnection, name: str) -> TableRef:
    """`analytics.x`, `raw.x` or a bare analytics name, as a table the warehouse has published."""
    try:
        rows = con.execute(
            "select view_name, table_name, list(version order by version) "
            "from meta.table_versions group by view_name, table_name"
        ).fetchall()
    except duckdb.CatalogException as error:
        raise LookupProblem(
            "this file has no meta.table_versions, so it is not a warehouse sovai built. "
            "Point SOVAI_WAREHOUSE at one, or run `sovai run` to build it."
        ) from error
    tables = {view: TableRef(view, table, tuple(versions)) for view, table, versions in rows}
    wanted = name.strip().lower()
    if "." not in wanted:
        wanted = f"analytics.{wanted}"
    if wanted in tables:
        return tables[wanted]
    close = _close_matches(wanted, list(tables))
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise LookupProblem(
        f"no table {name!r} in the warehouse.{hint} `sovai tables` lists every table "
        "(write raw.<name> for raw tables; a bare name means analytics.<name>)."
    )


VERSION_LOG = """
with added as (
    select _version as version, _row_hash from {history}
),
retired as (
    select _retired_in as version, _row_hash from {history} where _retired_in is not null
),
-- a snapshot table re-adds unchanged rows in each version; only rows that differ count
net_added as (select * from added except all select * from retired),
net_retired as (select * from retired except all select * from added),
added_counts as (select version, count(*) as n from net_added group by version),
retired_counts as (select version, count(*) as n from net_retired group by version)
select
    log.version,
    strftime(log.published_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S') as published_at_utc,
    log.run_id,
    log.row_count as "rows",
    coalesce(added_counts.n, 0) as rows_added,
    coalesce(retired_counts.n, 0) as rows_retired,
    log.code_version
from meta.table_versions as log
left join added_counts using (version)
left join retired_counts using (version)
where log.table_name = ?
order by log.version
"""


def version_log(con: duckdb.DuckDBPyConnection, table: TableRef) -> pl.DataFrame:
    """One row per version, with the rows it added and retired compared to the version before."""
    return con.sql(
        VERSION_LOG.format(history=table.history_relation), params=[table.history_table]
    ).pl()


@dataclass(frozen=True)
class VersionDiff:
    table: TableRef
    before: int
    after: int
    keys: tuple[str, ...]  # empty when rows are compared whole
    note: str | None  # why a changed row cannot be told from a removed and an added one
    added: pl.DataFrame
    removed: pl.DataFrame
    changed: pl.DataFrame  # one line per changed value: keys, column, before, after
    n_added: int
    n_removed: int
    n_changed: int  # rows, not values


def diff_versions(
    con: duckdb.DuckDBPyConnection,
    table: TableRef,
    before: int,
    after: int,
    keys: tuple[str, ...] | None,
    limit: int | None = None,
) -> VersionDiff:
    """Rows added, removed and (by key) changed from version `before` to version `after`.

    Counts are always complete; `limit` caps only the rows returned for each part.
    """
    table.check_version(before)
    table.check_version(after)
    columns = _data_columns(con, table)
    for temp, version in (("_diff_before", before), ("_diff_after", after)):
        con.execute(
            f"create or replace temp table {temp} as "
            "select row_number() over () as _row, * from at_version(?, ?)",
            [table.history_table, version],
        )
    keys, note = _usable_keys(con, table, columns, keys)
    cap = "" if limit is None else f"limit {int(limit)}"
    if keys:
        on = " and ".join(f"b.{k} is not distinct from a.{k}" for k in map(quote_identifier, keys))
        added_sql = (
            "select a.* exclude (_row) from _diff_after as a anti join _diff_before as b "
            f"on {on} order by {_key_order('a', keys)}"
        )
        removed_sql = (
            "select b.* exclude (_row) from _diff_before as b anti join _diff_after as a "
            f"on {on} order by {_key_order('b', keys)}"
        )
        n_changed, changed = _changed(con, columns, keys, on, cap)
    else:
        added_sql = (
            "select * exclude (_row) from _diff_after except all "
            "select * exclude (_row) from _diff_before order by all"
        )
        removed_sql = (
            "select * exclude (_row) from _diff_before except all "
            "select * exclude (_row) from _diff_after order by all"
        )
        n_changed, changed = 0, pl.DataFrame()
    n_added, added = _count_and_rows(con, added_sql, cap)
    n_removed, removed = _count_and_rows(con, removed_sql, cap)
    con.execute("drop table _diff_before; drop table _diff_after")
    return VersionDiff(
        table, before, after, keys, note, added, removed, changed, n_added, n_removed, n_changed
    )


def _data_columns(con: duckdb.DuckDBPyConnection, table: TableRef) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() "
        "where schema_name = 'history' and table_name = ? order by column_index",
        [table.history_table],
    ).fetchall()
    return [name for (name,) in rows if name not in HISTORY_COLUMNS]


def _usable_keys(
    con: duckdb.DuckDBPyConnection,
    table: TableRef,
    columns: list[str],
    keys: tuple[str, ...] | None,
) -> tuple[tuple[str, ...], str | None]:
    """The declared keys if they identify rows in both versions; otherwise none, and why."""
    if not keys:
        return (), (
            f"{table.view} declares no key columns, so a changed row shows as one removed and "
            "one added (declare `keys:` in its sql/<layer>/<name>.yml to see changes)."
        )
    missing = [key for key in keys if key not in columns]
    if missing:
        return (), (
            f"the declared keys of {table.view} ({', '.join(missing)}) are not among its columns; "
            "rows are compared whole."
        )
    key_list = ", ".join(map(quote_identifier, keys))
    for temp in ("_diff_before", "_diff_after"):
        ((repeated,),) = con.execute(
            f"select count(*) from (select {key_list} from {temp} "
            f"group by {key_list} having count(*) > 1)"
        ).fetchall()
        if repeated:
            return (), (
                f"the keys of {table.view} ({', '.join(keys)}) repeat in a version, so rows are "
                "compared whole."
            )
    return tuple(keys), None


def _changed(
    con: duckdb.DuckDBPyConnection,
    columns: list[str],
    keys: tuple[str, ...],
    on: str,
    cap: str,
) -> tuple[int, pl.DataFrame]:
    """Rows present in both versions whose other values differ, one line per changed value."""
    order = _key_order("b", keys)
    values = [column for column in columns if column not in keys]
    differs = (
        " or ".join(f"b.{c} is distinct from a.{c}" for c in map(quote_identifier, values))
        or "false"
    )
    pairs = f"from _diff_before as b join _diff_after as a on {on} where {differs}"
    ((n_changed,),) = con.execute(f"select count(*) {pairs}").fetchall()
    con.execute(
        "create or replace temp table _diff_shown as select b._row as before_row, "
        f"a._row as after_row, row_number() over (order by {order}) as shown {pairs} "
        f"order by {order} {cap}"
    )
    key_list = ", ".join(f"b.{quote_identifier(k)}" for k in keys)
    lines = [
        f"select {key_list}, ? as "
        '"column", '
        f"cast(b.{c} as varchar) as before, cast(a.{c} as varchar) as after, "
        f"shown.shown as _shown, {position} as _position "
        "from _diff_shown as shown "
        "join _diff_before as b on b._row = shown.before_row "
        "join _diff_after as a on a._row = shown.after_row "
        f"where b.{c} is distinct from a.{c}"
        for position, c in enumerate(map(quote_identifier, values))
    ]
    changed = (
        con.sql(" union all ".join(lines) + " order by _shown, _position", params=values).pl()
        if lines
        else pl.DataFrame()
    )
    con.execute("drop table _diff_shown")
    return n_changed, changed.drop("_shown", "_position") if lines else changed


def _count_and_rows(con: duckdb.DuckDBPyConnection, sql: str, cap: str) -> tuple[int, pl.DataFrame]:
    ((count,),) = con.execute(f"select count(*) from ({sql})").fetchall()
    return count, con.sql(f"{sql} {cap}").pl()


def _close_matches(wanted: str, views: list[str]) -> list[str]:
    """Views whose name (without the schema) is close to the name asked for."""
    by_name: dict[str, list[str]] = {}
    for view in views:
        by_name.setdefault(view.partition(".")[2], []).append(view)
    names = difflib.get_close_matches(wanted.partition(".")[2], list(by_name), n=2, cutoff=0.7)
    return [view for name in names for view in by_name[name]]


def _key_order(alias: str, keys: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{quote_identifier(key)}" for key in keys)


def _ranges(versions: tuple[int, ...]) -> str:
    if len(versions) == 1:
        return f"only version {versions[0]}"
    if list(versions) == list(range(versions[0], versions[-1] + 1)):
        return f"versions {versions[0]} to {versions[-1]}"
    return "versions " + ", ".join(map(str, versions))
