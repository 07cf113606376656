"""Shared fixtures: a private copy of the seeds and a private warehouse for each test."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", copy)
    return copy


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


def run_job(warehouse: Path, seeds: Path, job: str = "refresh_all") -> dg.ExecuteInProcessResult:
    """A real in-process Dagster run of one of the project's jobs on the given paths."""
    resource = WarehouseResource(warehouse_path=str(warehouse), seeds_dir=str(seeds))
    definitions = build_definitions(resource)
    return definitions.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
