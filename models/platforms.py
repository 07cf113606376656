"""Compute platforms compared in the efficiency analysis (seeds/platforms.csv)."""

import pandera.polars as pa


class PlatformModel(pa.DataFrameModel):
    platform: str = pa.Field(unique=True, description="Platform identifier")
    performance_score: float = pa.Field(gt=0, description="Relative performance score [index]")
    power_watts: float = pa.Field(gt=0, description="Power draw at rated load [W]")
    cost_per_unit_usd: float = pa.Field(gt=0, description="Purchase price per unit [USD]")
    throughput_tokens_per_s: float = pa.Field(gt=0, description="Inference throughput [tokens/s]")
    status: str = pa.Field(isin=["current", "projected"], description="current or projected")
    source: str = pa.Field(description="Where the figures come from")

    class Config:
        strict = True
