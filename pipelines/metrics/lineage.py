"""Column lineage of a SQL model, read from the SQL itself with sqlglot.

Which upstream columns each output column is computed from, so the Dagster UI can show, say, that
market_concentration_history.top_mover comes from raw.market_shares.vendor and .share. Lineage is
information, not a contract: SQL that sqlglot cannot follow gives no lineage rather than a failed
run. sqlglot is imported here only, at materialization time, not when definitions load.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache

LAYERS = ("raw", "analytics")

# schema -> table -> column -> type, as DuckDB reports them
WarehouseSchema = Mapping[str, Mapping[str, Mapping[str, str]]]
ColumnSource = tuple[str, str, str]  # schema, table, column


def _frozen(schema: WarehouseSchema) -> tuple:
    return tuple(
        (layer, table, tuple(sorted(columns.items())))
        for layer, tables in sorted(schema.items())
        for table, columns in sorted(tables.items())
    )


def sql_column_lineage(sql: str, schema: WarehouseSchema) -> dict[str, list[ColumnSource]]:
    """Output column -> the warehouse columns it is computed from (empty when not followed)."""
    return {column: list(sources) for column, sources in _lineage(sql, _frozen(schema))}


def lineage_fingerprint(sql: str, schema: WarehouseSchema) -> str:
    """What the lineage of a model depends on: its SQL and the tables it may read. Following a
    model's columns with sqlglot takes 0.2 to 1.4 s; a run whose fingerprint matches the last
    materialization's reuses that lineage instead (see pipelines/assets/sql_models.py)."""
    return hashlib.sha256(repr((sql, _frozen(schema))).encode()).hexdigest()[:32]


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning for each scope it cannot follow (PIVOT, UNPIVOT), once per column:
    dozens of lines on every run for lineage that is best effort by design (a column it cannot
    follow simply has no lineage). Only that logger, only while following."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@lru_cache(maxsize=128)
def _lineage(sql: str, frozen_schema: tuple) -> tuple[tuple[str, tuple[ColumnSource, ...]], ...]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.lineage import lineage

    schema: dict = {}
    for layer, table, columns in frozen_schema:
        schema.setdefault(layer, {})[table] = dict(columns)
    try:
        expression = sqlglot.parse_one(sql, read="duckdb")
        outputs = [select.alias_or_name for select in expression.selects]
    except (SqlglotError, AttributeError):
        return ()
    result = []
    for output in outputs:
        try:
            with _quiet_sqlglot():
                node = lineage(output, expression, schema=schema, dialect="duckdb")
        except (SqlglotError, KeyError, ValueError, AttributeError):
            continue
        sources = set()
        for leaf in node.walk():
            if leaf.downstream or not isinstance(leaf.source, exp.Table):
                continue
            layer, table = leaf.source.db, leaf.source.name
            if layer in LAYERS and table:
                sources.add((layer, table, leaf.name.split(".")[-1]))
        result.append((output, tuple(sorted(sources))))
    return tuple(result)
