"""Platform efficiency against hand-computed values and the issue's reference figures."""

import math

import polars as pl
import pytest

from pipelines.metrics import efficiency
from pipelines.metrics.efficiency import COLUMN_DESCRIPTIONS, platform_efficiency

PLATFORMS = pl.DataFrame(
    {
        "platform": ["x86_current", "grace_cpu", "projected_vera"],
        "status": ["current", "current", "projected"],
        "performance_score": [100.0, 145.0, 180.0],
        "power_watts": [350.0, 280.0, 250.0],
        "cost_per_unit_usd": [8000.0, 7500.0, 7000.0],
        "throughput_tokens_per_s": [15000.0, 22000.0, 28000.0],
        "source": ["article"] * 3,
    }
)
ASSUMPTIONS = {
    "electricity_usd_per_kwh": 0.15,
    "hours_per_year": 8760.0,
    "horizon_years": 3.0,
    "grid_kg_co2_per_kwh": 0.4,
    "pue": 1.0,
    "utilization": 1.0,
    "baseline_platform": "x86_current",
}

# Issue 2's reference values (3-year horizon): perf/W, tokens per 1k USD, TCO, kg CO2 per M tokens.
REFERENCE = {
    "x86_current": (0.2857, 1875.00, 9379.7, 0.002593),
    "grace_cpu": (0.5179, 2933.33, 8603.8, 0.001414),
    "projected_vera": (0.7200, 4000.00, 7985.5, 0.000992),
}


def by_platform(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["platform"]: row for row in frame.iter_rows(named=True)}


def test_reference_values_for_a_three_year_horizon():
    rows = by_platform(platform_efficiency(PLATFORMS, ASSUMPTIONS))
    for platform, (perf_per_watt, tokens_per_1k, tco, co2) in REFERENCE.items():
        row = rows[platform]
        assert round(row["performance_per_watt"], 4) == perf_per_watt
        assert round(row["tokens_per_s_per_1k_usd"], 2) == tokens_per_1k
        assert round(row["tco_usd"], 1) == tco
        assert round(row["co2_kg_per_million_tokens"], 6) == co2


def test_one_year_horizon_reproduces_the_article_printed_tco():
    one_year = {**ASSUMPTIONS, "horizon_years": 1.0}
    rows = by_platform(platform_efficiency(PLATFORMS, one_year))
    printed = {"x86_current": 8459.9, "grace_cpu": 7867.9, "projected_vera": 7328.5}
    for platform, tco in printed.items():
        assert round(rows[platform]["tco_usd"], 1) == tco
        assert round(rows[platform]["article_formula_tco_usd"], 1) == tco


def test_hand_computed_energy_tco_and_co2_for_x86():
    row = by_platform(platform_efficiency(PLATFORMS, ASSUMPTIONS))["x86_current"]
    energy_kwh = 350 * 8760 / 1000  # 3066 kWh a year at full load
    assert row["energy_kwh_per_year"] == pytest.approx(energy_kwh)
    assert row["energy_cost_usd_per_year"] == pytest.approx(energy_kwh * 0.15)
    assert row["tco_usd"] == pytest.approx(8000 + 3 * energy_kwh * 0.15)
    joules_per_token = 350 / 15000
    assert row["co2_kg_per_million_tokens"] == pytest.approx(joules_per_token * 1e6 / 3.6e6 * 0.4)


def test_article_co2_formula_is_kept_for_comparison_and_is_3_6e6_times_too_large():
    row = by_platform(platform_efficiency(PLATFORMS, ASSUMPTIONS))["x86_current"]
    assert row["article_formula_co2_per_million_tokens"] == pytest.approx(
        350 / 15000 * 1e6 * 0.0004
    )
    ratio = row["article_formula_co2_per_million_tokens"] / row["co2_kg_per_million_tokens"]
    assert ratio == pytest.approx(3.6e6 / 1000)  # missing J->kWh, and t instead of kg per kWh


def test_ratios_are_relative_to_the_baseline_platform():
    rows = by_platform(platform_efficiency(PLATFORMS, ASSUMPTIONS))
    baseline = rows["x86_current"]
    assert baseline["performance_per_watt_vs_baseline"] == 1.0
    assert baseline["co2_vs_baseline"] == 1.0
    grace = rows["grace_cpu"]
    assert grace["performance_per_watt_vs_baseline"] == pytest.approx((145 / 280) / (100 / 350))
    assert grace["tco_vs_baseline"] == pytest.approx(grace["tco_usd"] / baseline["tco_usd"])
    assert grace["co2_vs_baseline"] == pytest.approx(
        grace["co2_kg_per_million_tokens"] / baseline["co2_kg_per_million_tokens"]
    )


def test_pue_scales_energy_and_co2_and_utilization_scales_only_energy():
    rows = by_platform(platform_efficiency(PLATFORMS, {**ASSUMPTIONS, "pue": 1.5}))
    plain = by_platform(platform_efficiency(PLATFORMS, ASSUMPTIONS))
    for platform in REFERENCE:
        assert rows[platform]["energy_kwh_per_year"] == pytest.approx(
            1.5 * plain[platform]["energy_kwh_per_year"]
        )
        assert rows[platform]["co2_kg_per_million_tokens"] == pytest.approx(
            1.5 * plain[platform]["co2_kg_per_million_tokens"]
        )
    half = by_platform(platform_efficiency(PLATFORMS, {**ASSUMPTIONS, "utilization": 0.5}))
    x86 = half["x86_current"]
    assert x86["energy_kwh_per_year"] == pytest.approx(350 * 8760 / 1000 / 2)
    assert x86["co2_kg_per_million_tokens"] == pytest.approx(
        plain["x86_current"]["co2_kg_per_million_tokens"]
    )


def test_every_constant_comes_from_the_assumptions():
    cheap = {**ASSUMPTIONS, "electricity_usd_per_kwh": 0.0, "grid_kg_co2_per_kwh": 0.0}
    for row in platform_efficiency(PLATFORMS, cheap).iter_rows(named=True):
        assert row["tco_usd"] == row["cost_per_unit_usd"]
        assert row["co2_kg_per_million_tokens"] == 0.0


def test_an_unknown_baseline_platform_is_a_clear_error():
    with pytest.raises(ValueError, match="baseline_platform 'arm_future'"):
        platform_efficiency(PLATFORMS, {**ASSUMPTIONS, "baseline_platform": "arm_future"})


def test_every_output_column_is_described_with_finite_values():
    frame = platform_efficiency(PLATFORMS, ASSUMPTIONS)
    assert frame.columns == list(COLUMN_DESCRIPTIONS)
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            assert all(math.isfinite(value) for value in frame.get_column(name))


def test_every_output_column_has_declared_sources_that_exist_in_the_raw_tables(built_template):
    """The hand-declared column lineage names real columns and covers every output (of the
    session's first `sovai run`, read only)."""
    import duckdb

    with duckdb.connect(str(built_template), read_only=True) as con:
        columns = {
            (table, column)
            for table, column in con.execute(
                "select table_name, column_name from duckdb_columns() where schema_name = 'raw'"
            ).fetchall()
        }
        outputs = [
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = 'analytics' and table_name = 'platform_efficiency'"
            ).fetchall()
        ]
    sources = efficiency.column_lineage_sources()
    assert sorted(sources) == sorted(outputs)
    for column_sources in sources.values():
        for schema, table, column in column_sources:
            assert schema == "raw" and (table, column) in columns, (table, column)
