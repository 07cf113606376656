"""Reading the warehouse: ad-hoc SQL, the shipped queries and the list of tables."""

from __future__ import annotations

from typing import Any

import click
import duckdb
import polars as pl

from pipelines.cli.common import UserError, echo_frame, format_option, warehouse
from pipelines.cli.querying import (
    DEFAULT_TIMEOUT_SECONDS,
    register_files,
    run_query,
    single_statement,
)


def run_read_only(
    sql: str,
    what: str,
    timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
    files: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The result of a read-only query; a failing query is the user's to fix, not a crash."""
    single_statement(sql, what)
    with warehouse() as con:
        register_files(con, files)
        return run_query(con, sql, what, timeout_seconds)


def timeout_option(func: Any) -> Any:
    return click.option(
        "--timeout",
        "timeout_seconds",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT_SECONDS,
        show_default=True,
        help="Stop the query after this many seconds (0: no limit).",
    )(func)


def files_option(func: Any) -> Any:
    return click.option(
        "--file",
        "files",
        multiple=True,
        metavar="NAME=PATH",
        help="Make a CSV or Parquet file of yours queryable as table NAME (read, never written).",
    )(func)


@click.command()
@click.argument("query")
@format_option
@timeout_option
@files_option
def sql(query: str, output_format: str, timeout_seconds: float, files: tuple[str, ...]) -> None:
    """Run one read-only SQL statement on the warehouse and print the result.

    The session cannot write, copy, export or attach files, read other files or change settings,
    whatever the SQL says; --file is the way to bring a file of your own in.

    \b
    Example:
      sovai sql "select platform, co2_kg_per_million_tokens
                 from analytics.platform_efficiency order by 2 limit 1"
      sovai sql --format csv "select * from analytics.vendor_risk" > vendor_risk.csv
      sovai sql --file mine=my_shares.csv "select * from mine"
    """
    echo_frame(run_read_only(query, "the query", timeout_seconds, files), output_format)


@click.command()
@click.argument("name", required=False)
@format_option
@timeout_option
def query(name: str | None, output_format: str, timeout_seconds: float) -> None:
    """Run a shipped query from sql/queries/ by NAME; without NAME, list them.

    Each query is a file sql/queries/<name>.sql whose first line, `-- ...`, says what it answers.

    \b
    Example:
      sovai query                          # the list, with what each answers
      sovai query lowest-co2-platform
      sovai query vendor-risk --format json
    """
    from pipelines.queries import UnknownQuery, saved_queries, saved_query

    if name is None:
        listing = pl.DataFrame(
            [(q.name, q.description) for q in saved_queries().values()],
            schema=["query", "description"],
            orient="row",
        )
        echo_frame(listing, output_format)
        return
    try:
        chosen = saved_query(name)
    except UnknownQuery as error:
        raise UserError(str(error)) from None
    echo_frame(run_read_only(chosen.sql, f"the query {name}", timeout_seconds), output_format)


TABLES = r"""
select v.view_name as "table", v.version, v.row_count as "rows",
       strftime(v.published_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S') as published_at_utc,
       regexp_replace(views.comment, '\s*\(version \d+\)$', '') as description
from meta.table_versions v
left join duckdb_views() views
    on views.schema_name || '.' || views.view_name = v.view_name
qualify v.version = max(v.version) over (partition by v.table_name)
order by 1
"""


@click.command()
@format_option
def tables(output_format: str) -> None:
    """List the warehouse's tables with their latest version, row count and description.

    \b
    Example:
      sovai tables
      sovai tables --format csv
    """
    with warehouse() as con:
        try:
            frame = con.sql(TABLES).pl()
        except duckdb.CatalogException:
            raise UserError(
                "this file has no meta.table_versions, so it is not a warehouse sovai built. "
                "Point SOVAI_WAREHOUSE at one, or run `sovai run` to build it."
            ) from None
    echo_frame(frame, output_format)
