"""The hardware models run on the real seeds in a throwaway DuckDB, without Dagster (for tests)."""

import json
from functools import cache
from pathlib import Path

import polars as pl

from models.mlperf import MlperfResultModel
from models.validation import validate_seed
from pipelines.ingest.hardware import read_mlperf_json
from pipelines.ingest.seeds import load_seeds
from pipelines.metrics.matching import match_accelerators
from pipelines.metrics.sql import run_model_sql

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@cache
def real_raw() -> dict[str, pl.DataFrame]:
    """raw.* from the shipped seeds, by name."""
    return {f"raw.{name}": frame for name, frame in load_seeds(SEEDS).items()}


@cache
def real_tables() -> dict[str, pl.DataFrame]:
    """raw.* from the shipped seeds, then every hardware analytics table, by name."""
    return analytics_tables(real_raw())


def tables_for_records(records: list[dict]) -> dict[str, pl.DataFrame]:
    """The tables with raw.mlperf_results replaced by these MLPerf records, as MLCommons
    publishes them (e.g. copied from seeds/hardware/mlperf_inference_v4.1_summary.json)."""
    seed = read_mlperf_json("mlperf_results", Path("records.json"), json.dumps(records).encode())
    raw = {**real_raw(), "raw.mlperf_results": validate_seed(seed, MlperfResultModel)}
    return analytics_tables(raw)


def analytics_tables(raw: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
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
