"""The warehouse as a Dagster resource; paths resolve at run time so environment overrides apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.settings import Settings, get_settings
from pipelines.warehouse.connection import read_only
from pipelines.warehouse.publish import PublishOutcome, TableToPublish, publish


class WarehouseResource(dg.ConfigurableResource):
    """Empty paths mean the defaults of pipelines.settings (and SOVAI_* variables)."""

    warehouse_path: str = ""
    seeds_dir: str = ""
    landing_dir: str = ""

    def settings(self) -> Settings:
        defaults = get_settings()
        return replace(
            defaults,
            warehouse_path=self.path,
            seeds_dir=self.seeds,
            landing_dir=Path(self.landing_dir) if self.landing_dir else defaults.landing_dir,
        )

    @property
    def path(self) -> Path:
        return Path(self.warehouse_path) if self.warehouse_path else get_settings().warehouse_path

    @property
    def seeds(self) -> Path:
        return Path(self.seeds_dir) if self.seeds_dir else get_settings().seeds_dir

    def publish(
        self, tables: Sequence[TableToPublish], run_id: str, code_version: str
    ) -> list[PublishOutcome]:
        return publish(self.path, tables, run_id=run_id, code_version=code_version)

    def query(self, sql: str, params: Sequence[object] | None = None) -> pl.DataFrame:
        with read_only(self.path) as con:
            return con.sql(sql, params=params).pl()

    def schema(self) -> dict[str, dict[str, dict[str, str]]]:
        """schema -> table -> column -> type of the raw and analytics views, for lineage."""
        columns = self.query(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where schema_name in ('raw', 'analytics') and database_name = current_database()"
        )
        found: dict[str, dict[str, dict[str, str]]] = {}
        for schema, table, column, dtype in columns.iter_rows():
            found.setdefault(schema, {}).setdefault(table, {})[column] = dtype
        return found
