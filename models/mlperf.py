"""MLPerf Inference results as MLCommons publishes them (summary_results.json), one row per result.

Values stay as published (units included); sql/analytics/benchmark_results.sql normalizes them.
The units are a contract: a unit not listed here stops ingest with its record and column, so a
newer release that changes units is noticed instead of mis-read.
"""

import pandera.polars as pa
import polars as pl

from models.bounds import (
    MAX_ACCELERATORS_PER_NODE,
    MAX_BENCHMARK_RESULT,
    MAX_ENERGY_PER_SAMPLE_MJ,
    MAX_NODES,
    MAX_SYSTEM_POWER_W,
)

# Published field -> column of raw.mlperf_results. Fields marked required must be in every
# record; the others may be absent (Power_* appear only on results with power).
MLPERF_FIELDS = {
    "Location": "location",
    "ID": "system_id",
    "Submitter": "submitter",
    "Availability": "availability",
    "Category": "category",
    "Suite": "suite",
    "System": "system",
    "Platform": "platform",
    "Model": "model",
    "UsedModel": "used_model",
    "Scenario": "scenario",
    "Accuracy": "accuracy",
    "Nodes": "nodes",
    "Accelerator": "accelerator",
    "a#": "accelerators_per_node",
    "Processor": "processor",
    "Software": "software",
    "Notes": "notes",
    "weight_data_types": "weight_data_types",
    "version": "version",
    "Details": "details_url",
    "Performance_Result": "performance_result",
    "Performance_Units": "performance_units",
    "Power_Result": "power_result",
    "Power_Units": "power_units",
}
OPTIONAL_FIELDS = {
    "Power_Result",
    "Power_Units",
    "UsedModel",
    "Notes",
    "weight_data_types",
    "Details",
}

PERFORMANCE_UNITS = ["Tokens/s", "Samples/s", "Queries/s", "Latency (ms)"]
POWER_UNITS = ["Watts", "millijoules"]
POWER_MAXIMA = {"Watts": MAX_SYSTEM_POWER_W, "millijoules": MAX_ENERGY_PER_SAMPLE_MJ}


class MlperfResultModel(pa.DataFrameModel):
    location: str = pa.Field(unique=True, description="Result folder in the results repository")
    system_id: str = pa.Field(description="MLCommons ID of the system submission")
    submitter: str = pa.Field(description="Organization that submitted")
    availability: str = pa.Field(
        isin=["available", "preview", "rdi"], description="available, preview or rdi"
    )
    category: str = pa.Field(isin=["closed", "open", "network"], description="Division")
    suite: str = pa.Field(description="datacenter and/or edge")
    system: str = pa.Field(description="System name")
    platform: str = pa.Field(nullable=True, description="Platform folder name")
    model: str = pa.Field(description="Benchmark model with accuracy target, e.g. llama2-70b-99")
    used_model: str = pa.Field(nullable=True, description="Model actually run (open division)")
    scenario: str = pa.Field(description="Offline, Server, SingleStream, MultiStream, ...")
    accuracy: str = pa.Field(nullable=True, description="Accuracy reached, as published")
    nodes: int = pa.Field(ge=1, le=MAX_NODES, description="Nodes in the system [count]")
    accelerator: str = pa.Field(nullable=True, description="Accelerator; empty for CPU-only")
    accelerators_per_node: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_ACCELERATORS_PER_NODE,
        description="Accelerators per node ('a#') [count]",
    )
    processor: str = pa.Field(nullable=True, description="Host processors")
    software: str = pa.Field(nullable=True, description="Software stack")
    notes: str = pa.Field(nullable=True, description="Submitter's notes (hw_notes), as published")
    weight_data_types: str = pa.Field(nullable=True, description="Precision of the weights")
    version: str = pa.Field(description="MLPerf round, e.g. v4.1")
    details_url: str = pa.Field(nullable=True, description="Link to the submission")
    performance_result: float = pa.Field(
        gt=0, le=MAX_BENCHMARK_RESULT, description="Result, in performance_units"
    )
    performance_units: str = pa.Field(isin=PERFORMANCE_UNITS, description="Unit of the result")
    power_result: float = pa.Field(nullable=True, gt=0, description="Power result, in power_units")
    power_units: str = pa.Field(nullable=True, isin=POWER_UNITS, description="Unit of power")

    class Config:
        strict = True

    @pa.dataframe_check(error="power_units: a power result needs its unit, and a unit its result")
    def power_has_unit(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("power_result").is_null() == pl.col("power_units").is_null()
        )

    @pa.dataframe_check(
        error=f"power_result: above {MAX_SYSTEM_POWER_W:g} Watts or "
        f"{MAX_ENERGY_PER_SAMPLE_MJ:g} millijoules, more than any system draws"
    )
    def power_within_physical_bounds(cls, data: pa.PolarsData) -> pl.LazyFrame:
        bound = pl.col("power_units").replace_strict(POWER_MAXIMA, default=None)
        return data.lazyframe.select(
            pl.col("power_result").is_null() | bound.is_null() | (pl.col("power_result") <= bound)
        )


class AcceleratorPowerOverrideModel(pa.DataFrameModel):
    """The rated power of an MLPerf accelerator variant whose power differs from its catalog chip's
    TDP (a higher-power SKU, a custom thermal solution), with the source that states it."""

    mlperf_accelerator: str = pa.Field(unique=True, description="Accelerator name in MLPerf")
    accelerator_power_w: float = pa.Field(
        gt=0, le=5000, description="Rated board power (TDP/TGP) of one accelerator [W]"
    )
    source: str = pa.Field(description="Public source of the power")

    class Config:
        strict = True
