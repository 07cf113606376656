"""Sovereign compute plans (seeds/plans/*.yaml): one plan per file.

A plan is what a country's or a company's infrastructure team would decide on: where the
accelerators go (a destination, and the export rule in force there), the power the site gives
the IT equipment and its PUE, the price and carbon intensity of its electricity (each with a
source), how long and how busy it runs, the MLPerf workload it serves, and optional constraints
(manufacturers excluded, availability classes allowed). Whether the destination exists is
checked against seeds/policy/us.yaml by `sovai validate` (pipelines/ingest/seeds.py); which
accelerators have results on the workload is the SQL's business
(sql/analytics/sovereign_compute_plans.sql).
"""

import pandera.polars as pa
import polars as pl

from models.bounds import (
    MAX_ELECTRICITY_USD_PER_KWH,
    MAX_GRID_KG_CO2_PER_KWH,
    MAX_HORIZON_YEARS,
    MAX_PUE,
    MAX_SITE_POWER_MW,
    MIN_PUE,
)
from models.validation import Problem, SeedFrame

PLAN_KEY = r"^[a-z0-9][a-z0-9_-]*$"
DESTINATION_KEY = r"^[a-z0-9_]+$"
EXPORT_RULES = [2022, 2023]
SCENARIOS = ["Offline", "Server"]
ACCURACY_TARGETS = ["99", "99.9"]
AVAILABILITY_CLASSES = ["available", "preview", "rdi"]


class ComputePlanModel(pa.DataFrameModel):
    plan: str = pa.Field(unique=True, str_matches=PLAN_KEY, description="Plan key")
    name: str = pa.Field(description="What the plan is, in a few words")
    description: str = pa.Field(nullable=True, description="The plan in a sentence or two")
    destination: str = pa.Field(
        str_matches=DESTINATION_KEY,
        description="Where the accelerators go: a destination of export_controls.destinations "
        "in seeds/policy/us.yaml (a country or a country group)",
    )
    export_rule: int = pa.Field(
        isin=EXPORT_RULES,
        le=max(EXPORT_RULES),
        description="US export rule in force: 2022 (87 FR 62186) or 2023 (88 FR 73458)",
    )
    power_budget_mw: float = pa.Field(
        gt=0,
        le=MAX_SITE_POWER_MW,
        description="Power available to the IT equipment (servers with their accelerators) [MW]",
    )
    pue: float = pa.Field(
        ge=MIN_PUE, le=MAX_PUE, description="Power usage effectiveness [facility W / IT W]"
    )
    electricity_usd_per_kwh: float = pa.Field(
        ge=0, le=MAX_ELECTRICITY_USD_PER_KWH, description="Electricity price [USD/kWh]"
    )
    electricity_source: str = pa.Field(description="Where the electricity price comes from")
    grid_kg_co2_per_kwh: float = pa.Field(
        ge=0, le=MAX_GRID_KG_CO2_PER_KWH, description="Grid carbon intensity [kg CO2/kWh]"
    )
    grid_source: str = pa.Field(description="Where the grid carbon intensity comes from")
    horizon_years: float = pa.Field(
        gt=0, le=MAX_HORIZON_YEARS, description="Years the cluster runs [years]"
    )
    utilization: float = pa.Field(
        gt=0,
        le=1,
        description="Share of the horizon's hours the cluster serves at its measured throughput "
        "and power [fraction 0-1]",
    )
    benchmark: str = pa.Field(
        str_matches=r"^[a-z0-9][a-z0-9.-]*$",
        description="MLPerf Inference benchmark without accuracy target, e.g. llama2-70b",
    )
    accuracy_target: str = pa.Field(
        nullable=True,
        isin=ACCURACY_TARGETS,
        description="Accuracy target in percent of the reference, 99 or 99.9 (empty for a "
        "benchmark that has one)",
    )
    scenario: str = pa.Field(
        isin=SCENARIOS, description="MLPerf scenario: Offline (batch) or Server (latency-bound)"
    )
    availability: pl.List(pl.String) = pa.Field(
        nullable=True,
        description="MLPerf availability classes allowed (available, preview, rdi); empty: "
        "available only",
    )
    excluded_manufacturers: pl.List(pl.String) = pa.Field(
        nullable=True,
        description="Manufacturers the plan will not buy from, as the catalog names them",
    )
    source: str = pa.Field(description="Where the plan's figures come from")

    class Config:
        strict = True

    @pa.dataframe_check(
        error="availability: each class must be one of " + ", ".join(AVAILABILITY_CLASSES)
    )
    def availability_classes_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        classes = pl.col("availability")
        known = classes.list.eval(pl.element().is_in(AVAILABILITY_CLASSES)).list.all()
        return data.lazyframe.select(classes.is_null() | known)

    @pa.dataframe_check(error="availability: allow at least one class, or leave it out")
    def availability_not_empty(cls, data: pa.PolarsData) -> pl.LazyFrame:
        classes = pl.col("availability")
        return data.lazyframe.select(classes.is_null() | (classes.list.len() > 0))


def check_destination_references(plans: SeedFrame, known: set[str]) -> list[Problem]:
    """Every plan's destination must be one of seeds/policy/us.yaml (export_controls.destinations),
    where its Country Groups, and so its licence requirements, are recorded."""
    listed = ", ".join(sorted(known)) or "none"
    rule = (
        "not a destination of seeds/policy/us.yaml (export_controls.destinations, with its "
        f"Country Groups); known: {listed}"
    )
    destination = pl.col("destination").cast(pl.String)
    unknown = (
        plans.frame.with_row_index("_index")
        .filter(destination.is_not_null() & ~destination.is_in(sorted(known)))
        .select("_index", destination)
    )
    return [
        Problem(*plans.where(index), "destination", rule, name)
        for index, name in unknown.iter_rows()
    ]
