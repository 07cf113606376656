"""The warehouse as a Dagster resource; paths resolve at run time so environment overrides apply."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.settings import Settings, get_settings
from pipelines.warehouse.connection import (
    WarehouseDamagedError,
    WarehouseNotFoundError,
    damaged_error,
    is_corruption,
    read_only,
)
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.locking import WriterLockTimeoutError
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
        with _as_failure(self.path):
            return publish(self.path, tables, run_id=run_id, code_version=code_version)

    def query(self, sql: str) -> pl.DataFrame:
        with _as_failure(self.path), read_only(self.path) as con:
            return con.sql(sql).pl()


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
