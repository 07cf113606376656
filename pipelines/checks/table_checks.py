"""The generic checks every published table gets, as SQL over a read-only connection.

Each check returns an Evaluation: passed, a one-paragraph description, and a sample of the rows
that broke it (so the UI shows which rows, not only how many). Table and column names come from
asset keys and contracts and are quoted as identifiers; no value is formatted into SQL.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from pipelines.checks.contracts import TableContract
from pipelines.warehouse.connection import quote_identifier

HHI_MAX = 10000
SHARE_TOLERANCE = 1e-9
SAMPLE_ROWS = 20
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")

CHECKS: dict[str, str] = {
    "row_count_nonzero": "The table holds at least one row.",
    "keys_unique": "No two rows share the table's key columns.",
    "shares_at_most_one": "Shares within each group add up to at most 1.",
    "hhi_in_range": "Every HHI column lies within [0, 10000].",
    "metrics_finite": "No metric column holds NaN or an infinity.",
    "rows_usual": (
        "No row is of a kind the table's contract calls unusual but not wrong, such as a period "
        "with no named vendor (warns, listing the rows)."
    ),
    "column_schema_unchanged": (
        "The columns and their types match the previous materialization and the documented "
        "columns (warns on a change)."
    ),
}


@dataclass
class Evaluation:
    passed: bool
    description: str
    failures: pl.DataFrame | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def applicable_checks(contract: TableContract) -> list[str]:
    names = ["metrics_finite", "column_schema_unchanged"]
    if not contract.may_be_empty:
        names.insert(0, "row_count_nonzero")
    if contract.keys:
        names.append("keys_unique")
    if contract.shares is not None:
        names.append("shares_at_most_one")
    if contract.hhi:
        names.append("hhi_in_range")
    if contract.unusual:
        names.append("rows_usual")
    return names


def relation(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def columns_of(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


def evaluate(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    contract: TableContract,
    check: str,
    previous_columns: Sequence[tuple[str, str]] | None = None,
) -> Evaluation:
    """Run one check on schema.table."""
    columns = columns_of(con, schema, table)
    if not columns:
        return Evaluation(False, f"{schema}.{table} is not in the warehouse.")
    present = {column for column, _ in columns}
    missing = [column for column in _columns_needed(contract, check) if column not in present]
    if missing:
        return Evaluation(
            False,
            f"{schema}.{table} lacks the column(s) {', '.join(missing)} its contract names "
            f"for {check}.",
        )
    view, name = relation(schema, table), f"{schema}.{table}"
    if check == "row_count_nonzero":
        return _row_count(con, view, name)
    if check == "keys_unique":
        return _keys_unique(con, view, name, contract.keys)
    if check == "shares_at_most_one":
        assert contract.shares is not None
        return _shares(con, view, name, contract.shares.column, contract.shares.per)
    if check == "hhi_in_range":
        return _out_of_range(con, view, name, contract.hhi, contract.keys, 0, HHI_MAX, "HHI")
    if check == "metrics_finite":
        metrics = contract.metrics
        if metrics is None:
            metrics = tuple(column for column, dtype in columns if dtype in FLOAT_TYPES)
        return _finite(con, view, name, metrics, contract.keys)
    if check == "column_schema_unchanged":
        return schema_change(columns, previous_columns, contract.columns)
    if check == "rows_usual":
        return unusual_rows(con, view, name, contract.unusual, contract.keys)
    raise ValueError(f"unknown check {check!r}")


def _columns_needed(contract: TableContract, check: str) -> tuple[str, ...]:
    if check == "keys_unique":
        return contract.keys
    if check == "shares_at_most_one" and contract.shares is not None:
        return (contract.shares.column, *contract.shares.per)
    if check == "hhi_in_range":
        return (*contract.hhi, *contract.keys)
    if check == "metrics_finite":
        return (*(contract.metrics or ()), *contract.keys)
    return ()


def _row_label(keys: Sequence[str]) -> str:
    """SQL for a readable row name: its key values joined by ' / ' (or its row number)."""
    if not keys:
        return "cast(row_number() over () as varchar)"
    parts = ", ".join(f"cast({quote_identifier(k)} as varchar)" for k in keys)
    return f"concat_ws(' / ', {parts})"


def _row_count(con: duckdb.DuckDBPyConnection, view: str, name: str) -> Evaluation:
    ((rows,),) = con.execute(f"select count(*) from {view}").fetchall()
    if rows == 0:
        return Evaluation(False, f"{name} is empty.", metadata={"rows": 0})
    return Evaluation(True, f"{name} holds {rows} rows.", metadata={"rows": rows})


def _keys_unique(
    con: duckdb.DuckDBPyConnection, view: str, name: str, keys: Sequence[str]
) -> Evaluation:
    key_list = ", ".join(quote_identifier(k) for k in keys)
    repeated = con.sql(
        f"select {_row_label(keys)} as key, count(*) as copies from {view} "
        f"group by {key_list} having count(*) > 1 order by copies desc, key"
    ).pl()
    shown = ", ".join(keys)
    if repeated.height:
        return Evaluation(
            False,
            f"{repeated.height} values of the key ({shown}) occur more than once in {name}; "
            f"first: {repeated['key'][0]} ({repeated['copies'][0]} rows).",
            failures=repeated.head(SAMPLE_ROWS),
            metadata={"repeated_keys": repeated.height},
        )
    return Evaluation(True, f"Every ({shown}) is unique in {name}.", metadata={"repeated_keys": 0})


def _shares(
    con: duckdb.DuckDBPyConnection, view: str, name: str, column: str, per: Sequence[str]
) -> Evaluation:
    share = quote_identifier(column)
    group = ", ".join(quote_identifier(column_name) for column_name in per)
    label_sql = _row_label(per) if per else "'all rows'"
    over = con.sql(
        f"select {label_sql} as "
        f"{quote_identifier('group')}, sum({share}) as total from {view} "
        f"group by {group or 'all'} having sum({share}) > ? order by total desc",
        params=[1 + SHARE_TOLERANCE],
    ).pl()
    label = f"per ({', '.join(per)})" if per else "in total"
    if over.height:
        return Evaluation(
            False,
            f"In {over.height} groups of {name} the {column} values {label} add up to more "
            f"than 1; largest: {over['total'][0]:.6g} for {over['group'][0]}.",
            failures=over.head(SAMPLE_ROWS),
            metadata={"groups_over_one": over.height},
        )
    return Evaluation(True, f"{column} {label} adds up to at most 1 in {name}.")


def _out_of_range(
    con: duckdb.DuckDBPyConnection,
    view: str,
    name: str,
    columns: Sequence[str],
    keys: Sequence[str],
    low: float,
    high: float,
    what: str,
) -> Evaluation:
    broken = _offending_values(
        con,
        view,
        columns,
        keys,
        value="cast({column} as double)",
        where="{column} < ? or {column} > ? or isnan(cast({column} as double))",
        params=[low, high],
    )
    if broken.height:
        first = broken.row(0, named=True)
        return Evaluation(
            False,
            f"{broken.height} {what} values of {name} lie outside [{low:g}, {high:g}]; first: "
            f"{first['column']} = {first['value']} at {first['row']}.",
            failures=broken.head(SAMPLE_ROWS),
            metadata={"values_out_of_range": broken.height},
        )
    return Evaluation(True, f"{', '.join(columns)} lie within [{low:g}, {high:g}] in {name}.")


def _finite(
    con: duckdb.DuckDBPyConnection,
    view: str,
    name: str,
    metrics: Sequence[str],
    keys: Sequence[str],
) -> Evaluation:
    broken = _offending_values(
        con,
        view,
        metrics,
        keys,
        value="cast({column} as varchar)",
        where="not isfinite(cast({column} as double))",
    )
    if broken.height:
        first = broken.row(0, named=True)
        return Evaluation(
            False,
            f"{broken.height} values of {name} are NaN or infinite; first: {first['column']} = "
            f"{first['value']} at {first['row']}.",
            failures=broken.head(SAMPLE_ROWS),
            metadata={"non_finite_values": broken.height, "metric_columns": list(metrics)},
        )
    return Evaluation(
        True,
        f"All {len(metrics)} metric columns of {name} are finite.",
        metadata={"metric_columns": list(metrics)},
    )


def _offending_values(
    con: duckdb.DuckDBPyConnection,
    view: str,
    columns: Sequence[str],
    keys: Sequence[str],
    value: str,
    where: str,
    params: Sequence[object] = (),
) -> pl.DataFrame:
    """Rows (labelled by their keys), column and value of every value matching `where`; value and
    where are SQL with {column} standing for each column in turn."""
    frames = []
    for column_name in columns:
        column = quote_identifier(column_name)
        frames.append(
            con.sql(
                f"select {_row_label(keys)} as row, ? as column, "
                f"{value.format(column=column)} as value from {view} "
                f"where {where.format(column=column)}",
                params=[column_name, *params],
            ).pl()
        )
    return pl.concat(frames) if frames else pl.DataFrame()


def schema_change(
    columns: Sequence[tuple[str, str]],
    previous: Sequence[tuple[str, str]] | None,
    documented: Sequence[str],
) -> Evaluation:
    """Columns added, removed or retyped since the previous materialization, and columns that
    differ from the documented ones."""
    rows: list[dict[str, str | None]] = []
    now = dict(columns)
    if previous is not None:
        before = dict(previous)
        for name in now.keys() - before.keys():
            rows.append({"column": name, "change": "added", "before": None, "after": now[name]})
        for name in before.keys() - now.keys():
            rows.append(
                {"column": name, "change": "removed", "before": before[name], "after": None}
            )
        for name in now.keys() & before.keys():
            if now[name] != before[name]:
                rows.append(
                    {"column": name, "change": "type", "before": before[name], "after": now[name]}
                )
    if documented:
        for name in now.keys() - set(documented):
            rows.append(
                {"column": name, "change": "undocumented", "before": None, "after": now[name]}
            )
        for name in set(documented) - now.keys():
            rows.append(
                {"column": name, "change": "documented, absent", "before": None, "after": None}
            )
    if rows:
        rows.sort(key=lambda row: (row["change"] or "", row["column"] or ""))
        summary = "; ".join(f"{row['column']} {row['change']}" for row in rows[:5])
        return Evaluation(
            False,
            f"The column schema changed: {summary}"
            + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            + ". Intended changes pass again at the next run; otherwise fix the model.",
            failures=pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}),
        )
    basis = "previous materialization" if previous is not None else "first materialization"
    return Evaluation(True, f"{len(columns)} columns, as documented and as in the {basis}.")


def unusual_rows(
    con: duckdb.DuckDBPyConnection,
    view: str,
    name: str,
    unusual: Sequence[tuple[str, str]],
    keys: Sequence[str],
) -> Evaluation:
    """Rows matching a condition the contract calls unusual: named, never failed on (WARN)."""
    found, notes = [], []
    for where, why in unusual:
        rows = con.sql(
            f"select {_row_label(keys)} as row, '{where.replace(chr(39), chr(39) * 2)}' as rule "
            f"from {view} where {where}"
        ).pl()
        if rows.height:
            found.append(rows)
            notes.append(f"{rows.height} row(s) where {where}" + (f" ({why})" if why else ""))
    if not found:
        return Evaluation(True, f"No unusual rows in {name}.", metadata={"unusual_rows": 0})
    failures = pl.concat(found)
    return Evaluation(
        False,
        f"Unusual, not wrong: {'; '.join(notes)} in {name}. First: {failures['row'][0]}.",
        failures=failures.head(SAMPLE_ROWS),
        metadata={"unusual_rows": failures.height},
    )
