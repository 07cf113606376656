"""Values outside physical bounds (models/bounds.py) are refused with file, row, column and rule,
so a typo or a unit mistake never reaches a metric (electricity at 1e300 USD/kWh once published a
TCO of 9.2e303); every numeric seed column has a bound or a stated reason for having none."""

import math
from datetime import timedelta

import polars as pl
import pytest

from models import bounds
from pipelines.checks.freshness import DEFAULT_FAIL_HOURS, market_freshness_policy
from pipelines.ingest.seeds import RAW_TABLES
from tests.conftest import edit
from tests.models.test_bad_seeds import reported

ASSUMPTIONS = "assumptions.yaml"


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        (
            "electricity_usd_per_kwh: 0.15",
            "electricity_usd_per_kwh: 1.0e+300",
            "electricity_usd_per_kwh",
            ["at most", "10"],
        ),
        (
            "electricity_usd_per_kwh: 0.15",
            "electricity_usd_per_kwh: 150",
            "electricity_usd_per_kwh",
            ["at most"],
        ),
        ("pue: 1.0 ", "pue: 3.5 ", "pue", ["at most", "3"]),
        ("pue: 1.0 ", "pue: 0.9 ", "pue", ["at least", "1"]),
        (
            "grid_kg_co2_per_kwh: 0.4",
            "grid_kg_co2_per_kwh: 400",
            "grid_kg_co2_per_kwh",
            ["at most", "2"],
        ),
        ("horizon_years: 3 ", "horizon_years: 3000 ", "horizon_years", ["at most", "50"]),
        (
            "risk_score_hhi_divisor: 1000",
            "risk_score_hhi_divisor: 1e9",
            "risk_score_hhi_divisor",
            ["at most"],
        ),
        (
            "market_freshness_fail_hours: 72",
            "market_freshness_fail_hours: 1e300",
            "market_freshness_fail_hours",
            ["at most"],
        ),
        (
            "electricity_usd_per_kwh: 0.15",
            "electricity_usd_per_kwh: .inf",
            "electricity_usd_per_kwh",
            ["finite"],
        ),
        ("pue: 1.0 ", "pue: .nan ", "pue", ["finite"]),
    ],
)
def test_an_assumption_outside_its_physical_bound_is_refused(seeds, old, new, column, words):
    edit(seeds / ASSUMPTIONS, old, new)
    reported(seeds, ASSUMPTIONS, "document", column, *words)


@pytest.mark.parametrize(
    ("new", "column"),
    [
        ("145,280000000,7500,22000", "power_watts"),  # milliwatts typed as watts
        ("145,280,7.5e300,22000", "cost_per_unit_usd"),
        ("145,280,7500,2.2e300", "throughput_tokens_per_s"),
    ],
)
def test_a_platform_figure_outside_its_physical_bound_is_refused(seeds, new, column):
    edit(seeds / "platforms.csv", "145,280,7500,22000", new)
    reported(seeds, "platforms.csv", "line 3", column, "at most")


def test_a_cited_supplement_above_its_fields_bound_is_refused(seeds):
    edit(
        seeds / "hardware" / "catalog_supplements.csv", "die_size_mm2,814,", "die_size_mm2,814000,"
    )
    reported(seeds, "catalog_supplements.csv", "line 2", "value", "physical bound")


def test_funding_beyond_any_budget_is_refused(seeds):
    edit(seeds / "policy" / "us.yaml", "funding_usd: 280000000000", "funding_usd: 2.8e+300")
    reported(seeds, "us.yaml", "instruments item 1", "funding_usd", "at most")


def test_a_percent_above_100_is_refused(seeds):
    # The first effectiveness metric of us.yaml is in percent_of_global_capacity.
    edit(seeds / "policy" / "us.yaml", "current: 12\n", "current: 120\n")
    reported(seeds, "us.yaml", "effectiveness item 1", "current", "allows")


# Numeric columns with no upper bound, and why none is physical.
UNBOUNDED = {
    ("platforms", "performance_score"): "a relative index; finite is all that holds",
    ("switching_costs", "value"): "unit varies per item (fractions of different wholes, months)",
    ("export_control_thresholds", "value"): "a legal threshold in its own unit, not a measurement",
    ("export_control_clauses", "tpp_min"): "legal threshold",
    ("export_control_clauses", "tpp_below"): "legal threshold",
    ("export_control_clauses", "pd_min"): "legal threshold",
    ("export_control_clauses", "pd_below"): "legal threshold",
    ("export_control_clauses", "interconnect_min_gb_s"): "legal threshold",
    ("export_control_exclusions", "tpp_below"): "legal threshold",
    ("policy_effectiveness_inputs", "current"): "bounded per unit by a dataframe check",
    ("policy_effectiveness_inputs", "target"): "bounded per unit by a dataframe check",
    ("policy_effectiveness_inputs", "baseline"): "bounded per unit by a dataframe check",
    ("hardware_catalog_supplements", "value"): "bounded per field by a dataframe check",
    ("mlperf_results", "power_result"): "bounded per unit by a dataframe check",
}
UPPER_CHECKS = ("less_than", "less_than_or_equal_to", "in_range")


def test_every_numeric_seed_column_has_an_upper_bound_or_a_reason():
    missing = []
    for name, table in RAW_TABLES.items():
        for column, spec in table.model.to_schema().columns.items():
            dtype = spec.dtype.type
            if not dtype.is_numeric() or (name, column) in UNBOUNDED:
                continue
            if not any(check.name in UPPER_CHECKS for check in spec.checks):
                missing.append(f"{name}.{column}")
    assert missing == [], "bound these in models/bounds.py, or list them in UNBOUNDED"


def test_every_bound_is_a_positive_finite_number():
    values = [v for k, v in vars(bounds).items() if k.isupper()]
    assert values and all(isinstance(v, int | float) and math.isfinite(v) for v in values)
    assert pl.Series(values).min() > 0


@pytest.mark.parametrize("hours", ["1e300", ".inf"])
def test_the_freshness_policy_falls_back_when_a_window_is_beyond_bounds(seeds, hours):
    # Read when the definitions load, before validation: 1e300 hours used to overflow timedelta.
    edit(
        seeds / ASSUMPTIONS,
        "market_freshness_fail_hours: 72",
        f"market_freshness_fail_hours: {hours}",
    )
    policy = market_freshness_policy(seeds)
    assert policy.fail_window.to_timedelta() == timedelta(hours=DEFAULT_FAIL_HOURS)
