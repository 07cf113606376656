"""Platform efficiency: performance per watt, tokens per dollar, cost of ownership, CO2 per token.

Two formulas of the article's script are physically wrong and are computed right here:
- its "3-year TCO" adds one year of energy: cost + power x price x 8760 / 1000. Here the energy of
  every year of the horizon is added: cost + horizon_years x kWh per year x price.
- its CO2 line multiplies watts per token/s by 1e6 and by 0.0004 without turning joules into kWh,
  so it is 3.6e6 times too large (and in tonnes-per-kWh units). Here: W / (tokens/s) is J per
  token; x 1e6 tokens / 3.6e6 J per kWh x kg CO2 per kWh gives kg CO2 per million tokens.
The article's values are kept in columns named article_formula_* so the difference is visible.
"""

from __future__ import annotations

import polars as pl

JOULES_PER_KWH = 3.6e6
TOKENS_PER_MILLION = 1e6

COLUMN_DESCRIPTIONS = {
    "platform": "Platform identifier",
    "status": "current or projected",
    "performance_score": "Relative performance score [index]",
    "power_watts": "Power draw at rated load [W]",
    "cost_per_unit_usd": "Purchase price per unit [USD]",
    "throughput_tokens_per_s": "Inference throughput [tokens/s]",
    "performance_per_watt": "performance_score / power_watts [score/W]",
    "tokens_per_s_per_1k_usd": (
        "Throughput bought per 1,000 USD of purchase price: throughput / (cost / 1000) "
        "[tokens/s per 1000 USD] (named tokens_per_1k_usd before 2026-12, which read as tokens "
        "per dollar)"
    ),
    "energy_kwh_per_year": "power_watts x pue x utilization x hours_per_year / 1000 [kWh/year]",
    "energy_cost_usd_per_year": "energy_kwh_per_year x electricity_usd_per_kwh [USD/year]",
    "horizon_years": "Years of energy counted in tco_usd [years]",
    "tco_usd": "cost_per_unit_usd + horizon_years x energy_cost_usd_per_year [USD]",
    "co2_kg_per_million_tokens": (
        "(power_watts x pue / throughput_tokens_per_s) x 1e6 / 3.6e6 x grid_kg_co2_per_kwh "
        "[kg CO2 per million tokens]"
    ),
    "baseline_platform": "Platform the *_vs_baseline columns divide by",
    "performance_per_watt_vs_baseline": "performance_per_watt / baseline's [ratio]",
    "tokens_per_s_per_1k_usd_vs_baseline": "tokens_per_s_per_1k_usd / baseline's [ratio]",
    "tco_vs_baseline": "tco_usd / baseline's [ratio]",
    "co2_vs_baseline": "co2_kg_per_million_tokens / baseline's [ratio]",
    "article_formula_tco_usd": (
        "The article's '3-year TCO', which adds only one year of energy: "
        "cost + power x price x hours / 1000 [USD]"
    ),
    "article_formula_co2_per_million_tokens": (
        "The article's CO2 figure, power / throughput x 1e6 x 0.0004 with no J-to-kWh conversion "
        "[not a physical quantity]"
    ),
}

# One row per platform (platform_efficiency selects from raw.platforms, unique by platform).
KEYS = ("platform",)

# Which input columns each output is computed from (raw.platforms, raw.assumptions), for the
# column lineage the Dagster UI shows; the SQL models get theirs from their SQL.
_PLATFORM = ("raw", "platforms")
_ASSUMPTION = ("raw", "assumptions")
_ENERGY = ["power_watts", "pue", "utilization", "hours_per_year"]
COLUMN_SOURCES: dict[str, list[str]] = {
    "platform": ["platform"],
    "status": ["status"],
    "performance_score": ["performance_score"],
    "power_watts": ["power_watts"],
    "cost_per_unit_usd": ["cost_per_unit_usd"],
    "throughput_tokens_per_s": ["throughput_tokens_per_s"],
    "performance_per_watt": ["performance_score", "power_watts"],
    "tokens_per_s_per_1k_usd": ["throughput_tokens_per_s", "cost_per_unit_usd"],
    "energy_kwh_per_year": _ENERGY,
    "energy_cost_usd_per_year": [*_ENERGY, "electricity_usd_per_kwh"],
    "horizon_years": ["horizon_years"],
    "tco_usd": ["cost_per_unit_usd", *_ENERGY, "electricity_usd_per_kwh", "horizon_years"],
    "co2_kg_per_million_tokens": [
        "power_watts",
        "pue",
        "throughput_tokens_per_s",
        "grid_kg_co2_per_kwh",
    ],
    "baseline_platform": ["baseline_platform"],
    "performance_per_watt_vs_baseline": ["performance_score", "power_watts", "baseline_platform"],
    "tokens_per_s_per_1k_usd_vs_baseline": [
        "throughput_tokens_per_s",
        "cost_per_unit_usd",
        "baseline_platform",
    ],
    "tco_vs_baseline": [
        "cost_per_unit_usd",
        *_ENERGY,
        "electricity_usd_per_kwh",
        "horizon_years",
        "baseline_platform",
    ],
    "co2_vs_baseline": [
        "power_watts",
        "pue",
        "throughput_tokens_per_s",
        "grid_kg_co2_per_kwh",
        "baseline_platform",
    ],
    "article_formula_tco_usd": [
        "cost_per_unit_usd",
        "power_watts",
        "electricity_usd_per_kwh",
        "hours_per_year",
    ],
    "article_formula_co2_per_million_tokens": [
        "power_watts",
        "throughput_tokens_per_s",
        "grid_kg_co2_per_kwh",
    ],
}
PLATFORM_COLUMNS = {
    "platform",
    "status",
    "performance_score",
    "power_watts",
    "cost_per_unit_usd",
    "throughput_tokens_per_s",
}


def column_lineage_sources() -> dict[str, list[tuple[str, str, str]]]:
    """COLUMN_SOURCES as (schema, table, column), each input column in the table it lives in."""
    return {
        output: [
            (*(_PLATFORM if name in PLATFORM_COLUMNS else _ASSUMPTION), name) for name in names
        ]
        for output, names in COLUMN_SOURCES.items()
    }


DESCRIPTION = (
    "Efficiency of each compute platform: performance per watt, tokens per 1,000 USD, total cost "
    "of ownership over the horizon and CO2 per million tokens, each also as a ratio to the "
    "baseline platform. Constants come from seeds/assumptions.yaml."
)


def platform_efficiency(
    platforms: pl.DataFrame, assumptions: dict[str, float | str]
) -> pl.DataFrame:
    """One row per platform; every constant comes from the assumptions mapping."""
    baseline = str(assumptions["baseline_platform"])
    if baseline not in platforms.get_column("platform").to_list():
        raise ValueError(
            f"baseline_platform {baseline!r} in assumptions.yaml is not a platform in platforms.csv"
        )
    price = float(assumptions["electricity_usd_per_kwh"])
    horizon = float(assumptions["horizon_years"])
    hours = float(assumptions["hours_per_year"])
    pue = float(assumptions["pue"])
    utilization = float(assumptions["utilization"])
    grid = float(assumptions["grid_kg_co2_per_kwh"])

    watts = pl.col("power_watts")
    tokens = pl.col("throughput_tokens_per_s")
    metrics = platforms.select(
        "platform",
        "status",
        "performance_score",
        "power_watts",
        "cost_per_unit_usd",
        "throughput_tokens_per_s",
        (pl.col("performance_score") / watts).alias("performance_per_watt"),
        (tokens / (pl.col("cost_per_unit_usd") / 1000)).alias("tokens_per_s_per_1k_usd"),
        (watts * pue * utilization * hours / 1000).alias("energy_kwh_per_year"),
    ).with_columns(
        (pl.col("energy_kwh_per_year") * price).alias("energy_cost_usd_per_year"),
        pl.lit(horizon).alias("horizon_years"),
        (watts * pue / tokens * TOKENS_PER_MILLION / JOULES_PER_KWH * grid).alias(
            "co2_kg_per_million_tokens"
        ),
    )
    metrics = metrics.with_columns(
        (pl.col("cost_per_unit_usd") + horizon * pl.col("energy_cost_usd_per_year")).alias(
            "tco_usd"
        ),
        pl.lit(baseline).alias("baseline_platform"),
    )

    def versus_baseline(column: str) -> pl.Expr:
        return pl.col(column) / pl.col(column).filter(pl.col("platform") == baseline).first()

    return (
        metrics.with_columns(
            versus_baseline("performance_per_watt").alias("performance_per_watt_vs_baseline"),
            versus_baseline("tokens_per_s_per_1k_usd").alias("tokens_per_s_per_1k_usd_vs_baseline"),
            versus_baseline("tco_usd").alias("tco_vs_baseline"),
            versus_baseline("co2_kg_per_million_tokens").alias("co2_vs_baseline"),
            (pl.col("cost_per_unit_usd") + watts * price * hours / 1000).alias(
                "article_formula_tco_usd"
            ),
            (watts / tokens * TOKENS_PER_MILLION * grid / 1000).alias(
                "article_formula_co2_per_million_tokens"
            ),
        )
        .select(list(COLUMN_DESCRIPTIONS))
        .sort("platform")
    )
