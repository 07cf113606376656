"""Compute platforms compared in the efficiency analysis (seeds/platforms.csv)."""

import pandera.polars as pa

from models.bounds import MAX_UNIT_POWER_W, MAX_UNIT_PRICE_USD, MAX_UNIT_TOKENS_PER_S


class PlatformModel(pa.DataFrameModel):
    platform: str = pa.Field(unique=True, description="Platform identifier")
    performance_score: float = pa.Field(gt=0, description="Relative performance score [index]")
    power_watts: float = pa.Field(
        gt=0, le=MAX_UNIT_POWER_W, description="Power draw at rated load [W]"
    )
    cost_per_unit_usd: float = pa.Field(
        gt=0, le=MAX_UNIT_PRICE_USD, description="Purchase price per unit [USD]"
    )
    throughput_tokens_per_s: float = pa.Field(
        gt=0, le=MAX_UNIT_TOKENS_PER_S, description="Inference throughput [tokens/s]"
    )
    status: str = pa.Field(isin=["current", "projected"], description="current or projected")
    source: str = pa.Field(description="Where the figures come from")

    class Config:
        strict = True
