"""Vendor shares of a market in a period (seeds/market_shares/*.csv, the landing contract)."""

from datetime import date

import pandera.polars as pa
import polars as pl

from models.validation import Problem, SeedFrame, rows_not_listed, shows_value

UNALLOCATED_VENDOR = "other"
SHARE_SUM_TOLERANCE = 1e-9
SHARE_SUM_RULE = "share: shares of one period, market and region add up to more than 1"
GROUP = ["period", "market", "region"]


@shows_value(SHARE_SUM_RULE)
def group_share_sum(shares: pl.DataFrame) -> pl.Series:
    """The sum of the shares of each row's period, market and region (what the rule judges)."""
    return shares.select(pl.col("share").sum().over(GROUP)).to_series()


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

    @pa.dataframe_check(error=SHARE_SUM_RULE)
    def shares_sum_at_most_one(cls, data: pa.PolarsData) -> pl.LazyFrame:
        total = pl.col("share").sum().over(GROUP)
        return data.lazyframe.select(total <= 1 + SHARE_SUM_TOLERANCE)


class DerivedShareModel(MarketShareModel):
    """Shares derived from a record file: the same contract without two row-by-row tests the
    derivation has already settled, which were most of the validation's time on a million groups:
    repeated keys (one row per group of a GROUP BY on exactly those keys) and the key pattern of
    market and region (the record rules test each distinct value before the shares are derived,
    see models.market_records.group_rule_broken)."""

    market: str = pa.Field(description="Market key")
    region: str = pa.Field(description="Region key")

    class Config:
        strict = True
        unique = None


MAX_REPORTED_UNKNOWN = 200


def check_vendor_references(shares: SeedFrame, known_vendors: set[str]) -> list[Problem]:
    """Every named vendor must exist in the vendors table ('other' is not a firm)."""
    vendor = pl.col("vendor").cast(pl.String)
    unknown = (
        shares.frame.with_row_index("_index")
        .filter(
            vendor.is_not_null()
            & (vendor != UNALLOCATED_VENDOR)
            & ~vendor.is_in(sorted(known_vendors))
        )
        .select("_index", vendor)
    )
    rule = "vendor is not in seeds/vendors.yaml (use 'other' for an unallocated remainder)"
    # One problem per unknown vendor (its first row), so a file of many groups stays readable.
    first_rows = unknown.unique(subset="vendor", keep="first", maintain_order=True)
    problems = [
        Problem(*shares.where(index), "vendor", rule, name)
        for index, name in first_rows.head(MAX_REPORTED_UNKNOWN).iter_rows()
    ]
    if unknown.height > len(problems):
        hidden = unknown.height - len(problems)
        in_all = f"{rule} ({first_rows.height} unknown vendors in all)"
        problems.append(rows_not_listed(shares, hidden, "vendor", in_all))
    return problems
