"""The hardware models run on the real seeds in a throwaway DuckDB, without Dagster (for tests)."""

from functools import cache
from pathlib import Path

import polars as pl

from pipelines.ingest.seeds import load_seeds
from pipelines.metrics.matching import match_accelerators
from pipelines.metrics.sql import run_model_sql

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@cache
def real_tables() -> dict[str, pl.DataFrame]:
    """raw.* from the shipped seeds, then every hardware analytics table, by name."""
    raw = {f"raw.{name}": frame for name, frame in load_seeds(SEEDS).items()}
    tables = dict(raw)
    tables["analytics.accelerators"] = run_model_sql("accelerators", tables)
    tables["analytics.accelerator_matches"] = match_accelerators(
        raw["raw.mlperf_results"], raw["raw.hardware_catalog"], raw["raw.accelerator_aliases"]
    )
    for name in (
        "export_control_screening",
        "benchmark_results",
        "accelerator_efficiency",
        "accelerator_match_summary",
        "hardware_vendor_shares",
        "hardware_vendor_concentration",
    ):
        tables[f"analytics.{name}"] = run_model_sql(name, tables)
    return tables


def row(frame: pl.DataFrame, **equal: object) -> dict:
    """The one row whose columns equal the given values."""
    matches = frame.filter(**equal)
    assert matches.height == 1, f"{equal}: {matches.height} rows"
    return matches.row(0, named=True)
