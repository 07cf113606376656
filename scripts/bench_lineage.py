"""Benchmark following the column lineage of every SQL model, as a first build does it.

    python scripts/bench_lineage.py [--warehouse PATH] [--model NAME ...]

Each SQL model's asset reports which warehouse columns each of its output columns comes from
(pipelines/metrics/lineage.py, with sqlglot). A run whose SQL and input tables are unchanged reuses
the last materialization's lineage, so this cost is paid by a first build, after a code change, and
by every `sovai run` on a new Dagster home (a new user, a test). In one process, cold (nothing
cached), the script times for every model in sql/analytics against the tables of a built
warehouse (default: SOVAI_WAREHOUSE, else warehouse/warehouse.duckdb; `make run` builds it):

(a) the project's way: qualify the SQL once and follow every column through that one scope;
(b) sqlglot's per-column call, `lineage(column, sql, schema)`, which qualifies and copies the whole
    query again for each column (what the project did before);

and prints each model's seconds and columns with lineage, and the totals.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import duckdb  # noqa: E402

from pipelines.assets.sql_models import SqlModel, referenced_tables  # noqa: E402
from pipelines.metrics.lineage import node_sources, sql_column_lineage  # noqa: E402


def warehouse_schema(path: Path) -> dict:
    with duckdb.connect(str(path), read_only=True) as connection:
        found = connection.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_schema in ('raw', 'analytics')"
        ).fetchall()
    schema: dict = {}
    for layer, table, column, kind in found:
        schema.setdefault(layer, {}).setdefault(table, {})[column] = kind
    return schema


def read_tables(sql: str, schema: dict) -> dict:
    """The tables a model reads, as the asset passes them (a layer it reads nothing from left
    out, as the project's lineage leaves it out: sqlglot takes an empty layer for a table)."""
    read = {(key.path[0], key.path[1]) for key in referenced_tables(sql)}
    kept = {
        layer: {name: columns for name, columns in tables.items() if (layer, name) in read}
        for layer, tables in schema.items()
    }
    return {layer: tables for layer, tables in kept.items() if tables}


def per_column(sql: str, schema: dict) -> dict[str, list]:
    """sqlglot's one-column-at-a-time call, each column qualified afresh."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.lineage import lineage

    expression = sqlglot.parse_one(sql, read="duckdb")
    found = {}
    for output in [select.alias_or_name for select in expression.selects]:
        try:
            found[output] = list(
                node_sources(lineage(output, expression, schema=schema, dialect="duckdb"))
            )
        except (SqlglotError, KeyError, ValueError, AttributeError):
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("SOVAI_WAREHOUSE") or PROJECT_ROOT / "warehouse" / "warehouse.duckdb"
    parser.add_argument("--warehouse", type=Path, default=Path(default))
    parser.add_argument("--model", action="append", help="only these models (default: all)")
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        print(f"No warehouse at {args.warehouse}: build one with `make run`.", file=sys.stderr)
        return 1
    schema = warehouse_schema(args.warehouse)
    # sqlglot warns once per column it cannot follow (PIVOT); the project quiets it the same way
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    print("| model | (a) one walk, s | columns with lineage | (b) per column, s | columns |")
    print("|---|---:|---:|---:|---:|")
    totals = [0.0, 0, 0.0, 0]
    models = sorted((PROJECT_ROOT / "sql" / "analytics").glob("*.sql"))
    for path in [path for path in models if not args.model or path.stem in args.model]:
        sql = SqlModel.load(path.stem, "analytics").sql
        tables = read_tables(sql, schema)
        started = time.perf_counter()
        walked = {column for column, sources in sql_column_lineage(sql, tables).items() if sources}
        one_walk = time.perf_counter() - started
        started = time.perf_counter()
        each = {column for column, sources in per_column(sql, tables).items() if sources}
        each_column = time.perf_counter() - started
        totals = [totals[0] + one_walk, totals[1] + len(walked)] + [
            totals[2] + each_column,
            totals[3] + len(each),
        ]
        print(f"| {path.stem} | {one_walk:.3f} | {len(walked)} | {each_column:.3f} | {len(each)} |")
    total = f"| **all models** | **{totals[0]:.2f}** | {totals[1]} | **{totals[2]:.2f}** |"
    print(f"{total} {totals[3]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
