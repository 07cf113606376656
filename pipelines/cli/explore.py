"""Reading the warehouse: ad-hoc SQL, the shipped queries and the list of tables."""

from __future__ import annotations

import click
import duckdb
import polars as pl

from pipelines.cli.common import UserError, echo_frame, format_option, warehouse


def run_read_only(sql: str, what: str) -> pl.DataFrame:
    """The result of a read-only query; a failing query is the user's to fix, not a crash."""
    if not sql.strip():
        raise UserError(f'{what} is empty: give a SQL statement, e.g. `sovai sql "select 1"`.')
    with warehouse() as con:
        try:
            relation = con.sql(sql)
        except duckdb.Error as error:
            raise UserError(_query_failed(error, what)) from None
        if relation is None:
            raise UserError(
                f"{what} returned no result: only a SELECT (or a query that returns rows) can be "
                "printed, and the warehouse is read-only here."
            )
        try:
            return relation.pl()
        except duckdb.Error as error:
            raise UserError(_query_failed(error, what)) from None


def _query_failed(error: duckdb.Error, what: str) -> str:
    return (
        f"{what} failed: {error}\n"
        "The warehouse is read-only here; check the query and the table names (`sovai tables` "
        "lists them, `sovai query` lists the shipped queries)."
    )


@click.command()
@click.argument("query")
@format_option
def sql(query: str, output_format: str) -> None:
    """Run one read-only SQL query on the warehouse and print the result.

    \b
    Example:
      sovai sql "select platform, co2_kg_per_million_tokens
                 from analytics.platform_efficiency order by 2 limit 1"
      sovai sql --format csv "select * from analytics.vendor_risk" > vendor_risk.csv
    """
    echo_frame(run_read_only(query, "the query"), output_format)


@click.command()
@click.argument("name", required=False)
@format_option
def query(name: str | None, output_format: str) -> None:
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
    echo_frame(run_read_only(chosen.sql, f"the query {name}"), output_format)


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
