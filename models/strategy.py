"""A buyer's vendor strategy, its switching costs and benefits (seeds/strategy/*.yaml)."""

import pandera.polars as pa
import polars as pl


class StrategyModel(pa.DataFrameModel):
    company: str = pa.Field(unique=True, description="Company whose strategy this is")
    market: str = pa.Field(description="Market whose concentration is the long-term risk")
    region: str = pa.Field(description="Region of that market")
    primary_vendor: str = pa.Field(description="Vendor the company relies on")
    contract_duration: str = pa.Field(nullable=True, description="Length of the commitment")
    volume_commitment: str = pa.Field(nullable=True, description="Committed volume (label)")
    fallback_strategy: str = pa.Field(nullable=True, description="Plan if the vendor fails")
    diversification_targets: pl.List(pl.String) = pa.Field(
        nullable=True, description="Vendors a diversification would move to"
    )
    recommendation: str = pa.Field(nullable=True, description="The recommended course")
    mitigation_actions: pl.List(pl.String) = pa.Field(
        nullable=True, description="Actions that reduce the dependency"
    )
    source: str = pa.Field(description="Where the strategy comes from")

    class Config:
        strict = True


class SwitchingCostModel(pa.DataFrameModel):
    company: str = pa.Field(description="Company")
    item: str = pa.Field(description="Cost item")
    value: float = pa.Field(ge=0, description="Size of the cost, in unit")
    unit: str = pa.Field(description="Unit of value (a fraction of something, or months)")

    class Config:
        strict = True
        unique = ["company", "item"]


class StrategyBenefitModel(pa.DataFrameModel):
    company: str = pa.Field(description="Company")
    benefit: str = pa.Field(description="Benefit of the current strategy")
    value: float = pa.Field(ge=0, le=1, description="Size of the benefit [fraction]")
    meaning: str = pa.Field(nullable=True, description="What the fraction measures")

    class Config:
        strict = True
        unique = ["company", "benefit"]
