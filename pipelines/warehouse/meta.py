"""The warehouse's own bookkeeping: schemas, the version log and the as_of macro."""

from __future__ import annotations

import duckdb

_META_DDL = """
create schema if not exists raw;
create schema if not exists analytics;
create schema if not exists history;
create schema if not exists meta;
create table if not exists meta.table_versions (
    table_name varchar not null,
    view_name varchar not null,
    version integer not null,
    run_id varchar not null,
    published_at timestamptz not null,
    row_count bigint not null,
    content_hash varchar not null,
    code_version varchar,
    primary key (table_name, version)
);
comment on table meta.table_versions is
    'One row per published version of every table; history.<table_name> holds its rows.';
comment on column meta.table_versions.table_name is 'Name of the table in the history schema';
comment on column meta.table_versions.view_name is 'The view that shows the latest version';
comment on column meta.table_versions.version is 'Version number, 1, 2, ... per table';
comment on column meta.table_versions.run_id is 'Dagster run (or CLI run) that published it';
comment on column meta.table_versions.published_at is 'When the version was published (UTC)';
comment on column meta.table_versions.row_count is 'Rows in this version [rows]';
comment on column meta.table_versions.content_hash is
    'SHA-256 over schema and rows; an unchanged result is not published again';
comment on column meta.table_versions.code_version is 'Code version of the asset that built it';
create table if not exists meta.table_inputs (
    table_name varchar not null,
    version integer not null,
    source_table varchar not null,
    source_version integer not null,
    run_id varchar not null,
    recorded_at timestamptz not null
);
comment on table meta.table_inputs is
    'Which source version each table was computed from; a run recomputes what changed since.';
comment on column meta.table_inputs.table_name is 'Name of the table in the history schema';
comment on column meta.table_inputs.version is 'Version of the table after that run';
comment on column meta.table_inputs.source_table is 'History table name of the source it reads';
comment on column meta.table_inputs.source_version is 'Version of the source it had read';
comment on column meta.table_inputs.run_id is 'Dagster run (or CLI run) that recorded it';
comment on column meta.table_inputs.recorded_at is 'When it was recorded (UTC)';
create or replace macro at_version(table_name_, version_) as table
    select * exclude (_version, _run_id, _published_at, _retired_in, _row_hash)
    from query_table('history.' || table_name_)
    where _version <= version_ and coalesce(_retired_in, 2147483647) > version_;
create or replace macro as_of(table_name_, ts) as table
    select * from at_version(
        table_name_,
        (
            select coalesce(max(versions.version), 0) from meta.table_versions as versions
            where versions.table_name = table_name_ and versions.published_at <= ts
        )
    );
create or replace macro versions_of(table_name_) as table
    select version, run_id, published_at, row_count, content_hash, code_version
    from meta.table_versions where table_name = table_name_ order by version;
"""


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_META_DDL)
