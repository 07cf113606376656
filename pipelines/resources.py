"""The warehouse as a Dagster resource; paths resolve at run time so environment overrides apply."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
from pydantic import PrivateAttr

from pipelines.abandoned_runs import tag_run_with_process
from pipelines.settings import (
    PathOutsideProjectError,
    Settings,
    configured_path,
    get_settings,
)
from pipelines.warehouse.connection import (
    WarehouseDamagedError,
    WarehouseNotFoundError,
    damaged_error,
    is_corruption,
    kept_open,
    read_only,
)
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.locking import WriterLockTimeoutError
from pipelines.warehouse.publish import PublishOutcome, TableToPublish, publish

# The Dagster concurrency pool of every asset that publishes to the warehouse. Both instance
# configs (dagster.yaml, deploy/dagster.yaml) give pools a limit of 1, so a second writer waits in
# Dagster's queue, shown in the UI, instead of on the warehouse's file lock.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Empty paths mean the defaults of pipelines.settings (and SOVAI_* variables). Configured
    paths must stay in the project's data folders unless allow_outside_project is set."""

    warehouse_path: str = ""
    seeds_dir: str = ""
    landing_dir: str = ""
    allow_outside_project: bool = False
    _reading: AbstractContextManager | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Name this process on the run, so a run whose process dies is found and reported
        failed (pipelines/abandoned_runs.py), whoever launched it; keep the run's reading
        sessions open across its steps (pipelines/warehouse/connection.py, kept_open)."""
        if context.instance is not None and context.run is not None:
            tag_run_with_process(context.instance, context.run.run_id)
        try:
            path = self.path
        except dg.Failure:  # a path outside the project: each step says so, as before
            return
        self._reading = kept_open(path)
        self._reading.__enter__()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._reading is not None:
            self._reading.__exit__(None, None, None)
            self._reading = None

    def settings(self) -> Settings:
        defaults = get_settings()
        return replace(
            defaults,
            warehouse_path=self.path,
            seeds_dir=self.seeds,
            landing_dir=self._configured("landing_dir") or defaults.landing_dir,
        )

    @property
    def path(self) -> Path:
        return self._configured("warehouse_path") or get_settings().warehouse_path

    @property
    def seeds(self) -> Path:
        return self._configured("seeds_dir") or get_settings().seeds_dir

    def _configured(self, setting: str) -> Path | None:
        value = getattr(self, setting)
        if not value:
            return None
        try:
            return configured_path(value, setting, explicit=self.allow_outside_project)
        except PathOutsideProjectError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None

    def publish(
        self, tables: Sequence[TableToPublish], run_id: str, code_version: str
    ) -> list[PublishOutcome]:
        with _as_failure(self.path):
            return publish(self.path, tables, run_id=run_id, code_version=code_version)

    def query(self, sql: str, params: Sequence[object] | None = None) -> pl.DataFrame:
        with _as_failure(self.path), read_only(self.path) as con:
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


# Problems a user can act on: the step fails with the message alone, without a stack trace.
_USER_ERRORS = (PublishError, WarehouseDamagedError, WarehouseNotFoundError, WriterLockTimeoutError)


@contextmanager
def _as_failure(warehouse_path: Path) -> Iterator[None]:
    try:
        yield
    except _USER_ERRORS as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    except duckdb.Error as error:
        if not is_corruption(error):
            raise
        damaged = damaged_error(warehouse_path, error)
        raise dg.Failure(description=str(damaged), allow_retries=False) from None
