"""Constants every metric reads (seeds/assumptions.yaml): one row."""

import pandera.polars as pa
import polars as pl

from models.bounds import (
    MAX_ELECTRICITY_USD_PER_KWH,
    MAX_FRESHNESS_HOURS,
    MAX_GRID_KG_CO2_PER_KWH,
    MAX_HHI,
    MAX_HORIZON_YEARS,
    MAX_HOST_POWER_OVERHEAD,
    MAX_PUE,
    MIN_PUE,
)
from models.validation import CALENDAR_DATE_RULE, ISO_DATE_SHAPE, parsed_date


class AssumptionsModel(pa.DataFrameModel):
    electricity_usd_per_kwh: float = pa.Field(
        ge=0, le=MAX_ELECTRICITY_USD_PER_KWH, description="Electricity price [USD/kWh]"
    )
    hours_per_year: float = pa.Field(gt=0, le=8784, description="Operating hours per year [h]")
    horizon_years: float = pa.Field(
        gt=0, le=MAX_HORIZON_YEARS, description="Years of energy counted in TCO [years]"
    )
    grid_kg_co2_per_kwh: float = pa.Field(
        ge=0, le=MAX_GRID_KG_CO2_PER_KWH, description="Grid carbon intensity [kg CO2/kWh]"
    )
    pue: float = pa.Field(
        ge=MIN_PUE, le=MAX_PUE, description="Power usage effectiveness [facility W / IT W]"
    )
    utilization: float = pa.Field(gt=0, le=1, description="Fraction of the year at rated power")
    baseline_platform: str = pa.Field(description="Platform the ratio columns are relative to")
    risk_score_hhi_divisor: float = pa.Field(
        gt=0, le=MAX_HHI, description="Long-term risk score = HHI / this"
    )
    hhi_2010_moderate_from: float = pa.Field(
        ge=0, le=MAX_HHI, description="2010 moderate from [HHI]"
    )
    hhi_2010_high_above: float = pa.Field(ge=0, le=MAX_HHI, description="2010 highly above [HHI]")
    hhi_2023_moderate_from: float = pa.Field(
        ge=0, le=MAX_HHI, description="2023 moderate from [HHI]"
    )
    hhi_2023_high_above: float = pa.Field(ge=0, le=MAX_HHI, description="2023 highly above [HHI]")
    hhi_delta_concern: float = pa.Field(
        ge=0, le=MAX_HHI, description="2010: HHI increase above which concerns may arise [HHI]"
    )
    hhi_delta_presumption_2010: float = pa.Field(
        ge=0, le=MAX_HHI, description="2010: HHI increase presumed to enhance market power [HHI]"
    )
    hhi_delta_presumption_2023: float = pa.Field(
        ge=0, le=MAX_HHI, description="2023: HHI increase presumed to lessen competition [HHI]"
    )
    merger_share_presumption_2023: float = pa.Field(
        ge=0, le=1, description="2023: merged firm's share above which a merger is presumed [0-1]"
    )
    min_submissions_for_median: int = pa.Field(
        ge=1,
        le=1000,
        description="Fewest MLPerf submissions a published median is taken over [count]",
    )
    host_power_overhead: float = pa.Field(
        ge=0,
        le=MAX_HOST_POWER_OVERHEAD,
        description="Host power per W of accelerator TDP, where no wall power was measured [W/W]",
    )
    sensitivity_electricity_price_change: float = pa.Field(
        gt=0,
        lt=1,
        description="Plans' sensitivity: electricity price moved down and up by this [fraction]",
    )
    sensitivity_accelerator_price_change: float = pa.Field(
        gt=0,
        lt=1,
        description="Plans' sensitivity: accelerator prices moved down and up by this [fraction]",
    )
    market_period_start: str = pa.Field(
        str_matches=ISO_DATE_SHAPE.pattern, description="First day a market period may have"
    )
    market_period_days_ahead: int = pa.Field(
        ge=0, le=3660, description="How far ahead of today a period may lie [days]"
    )
    market_freshness_warn_hours: float = pa.Field(
        gt=0,
        le=MAX_FRESHNESS_HOURS,
        description="Market data older than this warns in the Dagster UI [hours]",
    )
    market_freshness_fail_hours: float = pa.Field(
        gt=0,
        le=MAX_FRESHNESS_HOURS,
        description="Market data older than this fails its freshness policy [hours]",
    )
    source: str = pa.Field(description="Where the constants come from")

    class Config:
        strict = True

    @pa.dataframe_check(
        error="market_freshness_fail_hours: must be more than market_freshness_warn_hours"
    )
    def freshness_fail_after_warn(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("market_freshness_fail_hours") > pl.col("market_freshness_warn_hours")
        )

    @pa.dataframe_check(error=f"market_period_start: {CALENDAR_DATE_RULE}")
    def period_start_is_a_real_date(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # Text of the ISO shape (the pattern above) that names no day: 2000-13-45, 2026-02-30.
        start = pl.col("market_period_start")
        iso_shaped = start.str.contains(ISO_DATE_SHAPE.pattern)
        return data.lazyframe.select(~iso_shaped | parsed_date(start).is_not_null())
