"""Versioned, all-or-nothing publishing into the DuckDB warehouse.

Why copy-and-replace: DuckDB lets one process hold a file read-write or many processes hold it
read-only, and a read-only reader blocks a writer. So a publish never opens the live file for
writing. It copies the live file, writes the new versions into the copy, and renames the copy over
the live file in one atomic step. Connected readers keep the version they opened, new connections
see the new one, and a process killed mid-publish leaves only a stray temporary file that the next
publish removes. Writers are serialized by an exclusive lock on a sidecar file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.changes import (
    SCOPE_TABLE,
    SCOPE_VARIABLE,
    ChangeScope,
    Recompute,
    plan_recompute,
    record_inputs,
)
from pipelines.warehouse.connection import (
    quote_identifier,
    read_only,
    refuse_special_file,
)
from pipelines.warehouse.history import HISTORY_COLUMNS, HistoryTable, digest
from pipelines.warehouse.integrity import keep_previous, probe
from pipelines.warehouse.locking import writer_lock
from pipelines.warehouse.meta import ensure_meta
from pipelines.warehouse.staging import (
    PREVIEW_ROWS,
    incoming,
    stage,
    staged_columns,
    staged_preview,
)
from pipelines.warehouse.working_copy import (
    make_warehouse_folder,
    open_copy,
    remove_stale_copies,
    replace_atomically,
    working_copy,
)


def history_table_name(schema: str, name: str) -> str:
    """History tables of analytics keep the bare name; other layers are prefixed."""
    return name if schema == "analytics" else f"{schema}_{name}"


@dataclass(frozen=True)
class TableToPublish:
    """One table of a publish; rows come from a Polars frame or from SQL run in the warehouse."""

    name: str
    schema: str
    description: str
    column_comments: Mapping[str, str] = field(default_factory=dict)
    frame: pl.DataFrame | None = None
    sql: str | None = None
    # Incremental tables replace only rows that changed, within a scope: the periods that changed
    # upstream (changes, below), or the current rows whose scope_keys columns hold values some new
    # row holds (the period, market and region groups a market file gives), or whose scope_column
    # value is in scope_values or between the ends of scope_range (kept for callers that name a
    # fixed scope; no asset does now); all current rows without any of these.
    incremental: bool = False
    scope_column: str | None = None
    scope_values: Sequence[str] = ()
    scope_range: tuple[object, object] | None = None
    scope_keys: Sequence[str] = ()
    # DuckDB variables the SQL reads with getvariable(), e.g. the first period to recompute.
    variables: Mapping[str, object] = field(default_factory=dict)
    # Text columns with one value for every row of the frame (the file a market file's rows came
    # in), added as SQL constants instead of being repeated in the frame a million times.
    constants: Mapping[str, str] = field(default_factory=dict)
    # Recompute only what changed in a source table since this one last read it (the market
    # tables; see pipelines/warehouse/changes.py). The SQL reads the scope as variables.
    changes: ChangeScope | None = None

    @property
    def history_table(self) -> str:
        return history_table_name(self.schema, self.name)

    @property
    def view(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class PublishOutcome:
    view: str
    history_table: str
    version: int
    published: bool
    row_count: int
    content_hash: str
    columns: list[tuple[str, str]]
    preview: pl.DataFrame
    # With changes: what this publish recomputed, and whether it recorded the source version read
    recomputed: Recompute | None = None
    recorded_inputs: bool = False


def publish(
    warehouse_path: Path,
    tables: Sequence[TableToPublish],
    run_id: str,
    code_version: str,
) -> list[PublishOutcome]:
    """Publish every table as a new version, or none; unchanged tables keep their version."""
    warehouse_path = Path(warehouse_path)
    make_warehouse_folder(warehouse_path)
    with writer_lock(warehouse_path):
        remove_stale_copies(warehouse_path)
        existed = warehouse_path.exists()
        if existed:
            refuse_special_file(warehouse_path)
            unchanged = _all_unchanged(warehouse_path, tables, code_version)
            if unchanged is not None:
                return unchanged
        with working_copy(warehouse_path) as copy_path:
            con = open_copy(copy_path, warehouse_path)
            try:
                if existed:  # a damaged file is reported, never built upon
                    probe(con, warehouse_path)
                ensure_meta(con)
                published_at = datetime.now(UTC)
                outcomes = [
                    _write_table(con, table, run_id, code_version, published_at) for table in tables
                ]
                wrote = any(outcome.published or outcome.recorded_inputs for outcome in outcomes)
                if wrote:
                    con.execute("checkpoint")
            finally:
                con.close()
            if wrote or not warehouse_path.exists():
                keep_previous(warehouse_path)  # the version being replaced stays restorable
                replace_atomically(copy_path, warehouse_path)
    return outcomes


def _all_unchanged(
    warehouse_path: Path, tables: Sequence[TableToPublish], code_version: str
) -> list[PublishOutcome] | None:
    """The outcomes when no table would change, found read-only on the live file; None when any
    may (the publish goes on). A whole-table one is unchanged when its new rows hash as its
    current version does; one scoped by its source's changes when its source has nothing it has
    not read. Without this, a run that changes nothing copied the whole warehouse file for each
    table it published and deleted the copy: a cost that grew with the warehouse's size."""
    if any(table.incremental and table.changes is None for table in tables):
        return None  # their scope comes from the new rows, compared on the working copy
    with read_only(warehouse_path) as con:
        probe(con, warehouse_path)  # a damaged file is reported, as on the working copy
        outcomes = []
        for table in tables:
            try:
                if table.changes is None:
                    outcome = _same_as_latest(con, table)
                else:
                    outcome = _nothing_to_recompute(con, table, code_version)
            except duckdb.Error:  # e.g. SQL reading a file, which a sealed session refuses
                return None  # the working copy computes it, and reports what is wrong
            if outcome is None:
                return None
            outcomes.append(outcome)
        return outcomes


def _nothing_to_recompute(
    con: duckdb.DuckDBPyConnection, table: TableToPublish, code_version: str
) -> PublishOutcome | None:
    """The table's current version, if its recompute plan (made as the working copy would make
    it) is empty and none of its inputs has a version it has not read; else None."""
    latest = _latest(con, table)
    if latest[0] == 0:
        return None
    try:
        recompute = plan_recompute(
            con, table.history_table, table.changes, code_changed=latest[3] != code_version
        )
    finally:
        con.execute(f"drop table if exists {SCOPE_TABLE}")
    if not recompute.nothing or recompute.behind:
        return None  # something to recompute, or the inputs read to record
    return replace(_unchanged(con, table, latest), recomputed=recompute)


def _same_as_latest(con: duckdb.DuckDBPyConnection, table: TableToPublish) -> PublishOutcome | None:
    """The table's current version, if its new rows (staged in a temporary table of this
    read-only session) have the same digest; else None."""
    try:
        latest = _latest(con, table)
    except duckdb.CatalogException:  # nothing published yet
        return None
    if latest[0] == 0:
        return None
    staged = f"_staged_{table.history_table}"
    try:
        with incoming(con, table) as source:
            stage(con, source, quote_identifier(staged), schema_only=False)
        columns = staged_columns(con, staged)
        _, content_hash = digest(con, quote_identifier(staged), columns)
        if content_hash != latest[1]:
            return None
        preview = staged_preview(con, staged)
    finally:
        con.execute(f"drop table if exists {quote_identifier(staged)}")
    return _as_it_stands(table, latest, columns, preview)


def _latest(con: duckdb.DuckDBPyConnection, table: TableToPublish) -> tuple:
    """(version, content_hash, row_count, code_version) of the table's latest version;
    (0, None, 0, None) before its first."""
    # DuckDB 2.0 keeps a result open until it is fully fetched, so fetch all, even for one row.
    rows = con.execute(
        "select version, content_hash, row_count, code_version from meta.table_versions "
        "where table_name = ? order by version desc limit 1",
        [table.history_table],
    ).fetchall()
    return rows[0] if rows else (0, None, 0, None)


def _as_it_stands(
    table: TableToPublish, latest: tuple, columns: list[tuple[str, str]], preview: pl.DataFrame
) -> PublishOutcome:
    """The outcome of a publish that leaves the table at its latest version."""
    latest_version, latest_hash, latest_count, _ = latest
    return PublishOutcome(
        table.view,
        table.history_table,
        latest_version,
        False,
        latest_count,
        latest_hash,
        columns,
        preview,
    )


def _write_table(
    con: duckdb.DuckDBPyConnection,
    table: TableToPublish,
    run_id: str,
    code_version: str,
    published_at: datetime,
) -> PublishOutcome:
    latest = _latest(con, table)
    if table.changes is None:
        return _write_version(con, table, run_id, code_version, published_at, latest)
    recompute = plan_recompute(
        con,
        table.history_table,
        table.changes,
        code_changed=latest[0] > 0 and latest[3] != code_version,
    )
    try:
        if recompute.nothing:
            outcome = _unchanged(con, table, latest)
        else:
            if not recompute.everything and not recompute.later_too:
                con.execute(
                    f"set variable {SCOPE_VARIABLE} = "
                    f"(select list(value order by value) from {SCOPE_TABLE})"
                )
            scoped = replace(
                table,
                incremental=True,
                changes=replace(table.changes, everything=recompute.everything),
                variables={**table.variables, **recompute.variables()},
            )
            outcome = _write_version(con, scoped, run_id, code_version, published_at, latest)
    finally:
        con.execute(f"reset variable {SCOPE_VARIABLE}")
        con.execute(f"drop table if exists {SCOPE_TABLE}")
    recorded = recompute.behind or outcome.published
    if recorded:
        record_inputs(
            con,
            table.history_table,
            outcome.version,
            table.changes.source,
            recompute,
            run_id,
        )
    return replace(outcome, recomputed=recompute, recorded_inputs=recorded)


def _unchanged(
    con: duckdb.DuckDBPyConnection, table: TableToPublish, latest: tuple
) -> PublishOutcome:
    """Nothing to recompute: the current version as it stands."""
    columns = [
        (name, dtype)
        for name, dtype in con.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = 'history' "
            "and table_name = ? order by column_index",
            [table.history_table],
        ).fetchall()
        if name not in HISTORY_COLUMNS
    ]
    column_list = ", ".join(quote_identifier(name) for name, _ in columns)
    preview = con.sql(
        f"select {column_list} from history.{quote_identifier(table.history_table)} "
        f"where _retired_in is null limit {PREVIEW_ROWS}"
    ).pl()
    return _as_it_stands(table, latest, columns, preview)


def _write_version(
    con: duckdb.DuckDBPyConnection,
    table: TableToPublish,
    run_id: str,
    code_version: str,
    published_at: datetime,
    latest: tuple,
) -> PublishOutcome:
    staged = quote_identifier(f"_staged_{table.history_table}")
    latest_version, latest_hash, latest_count, _ = latest
    version = latest_version + 1
    with incoming(con, table) as source:
        if table.scope_keys:  # the scope is what the new rows give, so first collect their keys
            keys = ", ".join(quote_identifier(name) for name in table.scope_keys)
            keys_sql = f"select distinct {keys} from ({source})"
            con.execute(f"create or replace temp table _scope_keys as {keys_sql}")
        # New periods or a new file (the usual refresh) leave no current rows to compare with:
        # their rows go straight into history, written once instead of staged first.
        append_only = table.incremental and not HistoryTable(con, table, []).has_current_rows()
        stage(con, source, staged, schema_only=append_only)
        columns = staged_columns(con, f"_staged_{table.history_table}")
        history = HistoryTable(con, table, columns)
        history.prepare()
        if append_only:
            changed = history.append(source, version, run_id, published_at) > 0
            preview = history.preview(version, PREVIEW_ROWS)
        else:
            preview = staged_preview(con, f"_staged_{table.history_table}")
    if table.incremental:
        if not append_only:
            changed = history.replace_changed_rows(staged, version, run_id, published_at)
        changed = changed or latest_version == 0  # even an empty first version creates the view
        row_count, content_hash = history.current_digest()
    else:
        row_count, content_hash = digest(con, staged, columns)
        changed = content_hash != latest_hash
        if changed:
            history.replace_all_rows(staged, version, run_id, published_at)
    con.execute(f"drop table {staged}")
    con.execute("drop table if exists _scope_keys")
    if not changed:
        kept = (latest_version, latest_hash or content_hash, latest_count, None)
        return _as_it_stands(table, kept, columns, preview)
    history.point_view(version)
    con.execute(
        "insert into meta.table_versions values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            table.history_table,
            table.view,
            version,
            run_id,
            published_at,
            row_count,
            content_hash,
            code_version,
        ],
    )
    return PublishOutcome(
        table.view, table.history_table, version, True, row_count, content_hash, columns, preview
    )
