"""AI chip vendors and their supply-risk attributes (seeds/vendors.yaml)."""

import pandera.polars as pa
import polars as pl

RISK_LEVELS = ["low", "medium", "high", "very_high"]


class VendorModel(pa.DataFrameModel):
    vendor: str = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$", description="Vendor key")
    display_name: str = pa.Field(description="Vendor name as written")
    geopolitical_risk: str = pa.Field(isin=RISK_LEVELS, description="low/medium/high/very_high")
    geopolitical_note: str = pa.Field(nullable=True, description="Why the geopolitical risk")
    supply_capacity: str = pa.Field(
        isin=["ample", "improving", "constrained", "limited", "captive"],
        description="ample/improving/constrained/limited/captive (one buyer only)",
    )
    pricing_power: str = pa.Field(
        isin=["low", "medium", "high", "not_applicable"], description="low/medium/high/n.a."
    )
    alternatives: pl.List(pl.String) = pa.Field(
        nullable=True, description="Vendors a buyer could switch to"
    )
    notable_risk: str = pa.Field(nullable=True, description="Vendor-specific risk, if any")
    notable_risk_level: str = pa.Field(
        nullable=True, isin=[*RISK_LEVELS, "significant"], description="Level of notable_risk"
    )
    notable_risk_note: str = pa.Field(nullable=True, description="What the notable risk is")
    source: str = pa.Field(description="Where the attributes come from")

    class Config:
        strict = True
