"""Vendor shares of a market in a period (seeds/market_shares/*.csv, the landing contract)."""

from datetime import date

import pandera.polars as pa
import polars as pl

from models.validation import Problem, SeedFrame

UNALLOCATED_VENDOR = "other"
SHARE_SUM_TOLERANCE = 1e-9


class MarketShareModel(pa.DataFrameModel):
    period: date = pa.Field(description="Start of the period the share describes (ISO date)")
    market: str = pa.Field(str_matches=r"^[a-z0-9_]+$", description="Market key")
    region: str = pa.Field(str_matches=r"^[a-z0-9_]+$", description="Region key")
    vendor: str = pa.Field(description="Vendor key; 'other' is an unallocated remainder")
    share: float = pa.Field(in_range={"min_value": 0, "max_value": 1}, description="Share [0-1]")
    source: str = pa.Field(description="Where the figure comes from")

    class Config:
        strict = True
        unique = ["period", "market", "region", "vendor"]

    @pa.dataframe_check(
        error="share: shares of one period, market and region add up to more than 1"
    )
    def shares_sum_at_most_one(cls, data: pa.PolarsData) -> pl.LazyFrame:
        total = pl.col("share").sum().over(["period", "market", "region"])
        return data.lazyframe.select(total <= 1 + SHARE_SUM_TOLERANCE)


def check_vendor_references(shares: SeedFrame, known_vendors: set[str]) -> list[Problem]:
    """Every named vendor must exist in the vendors table ('other' is not a firm)."""
    return [
        Problem(
            *shares.where(index),
            "vendor",
            "vendor is not in seeds/vendors.yaml (use 'other' for an unallocated remainder)",
            vendor,
        )
        for index, vendor in enumerate(shares.frame.get_column("vendor").to_list())
        if vendor is not None and vendor != UNALLOCATED_VENDOR and vendor not in known_vendors
    ]
