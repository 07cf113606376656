"""What-if changes to a market's structure, a merger or a shift of share (seeds/scenarios/*.yaml).

A merger combines the shares of vendor_a and vendor_b into one firm; a shift moves `amount` of the
market from from_vendor to to_vendor. Whether the vendors and the market exist, and whether
from_vendor has `amount` to give, depends on the market shares and is reported by
sql/analytics/concentration_scenarios.sql (columns valid and problem).
"""

from datetime import date

import pandera.polars as pa
import polars as pl

from models.market_shares import UNALLOCATED_VENDOR

SCENARIO_KINDS = ["merger", "shift"]
KEY_PATTERN = r"^[a-z0-9_]+$"
# 'other' is an unallocated remainder of a market, not a firm that can merge or gain share.
NOT_FIRMS = [UNALLOCATED_VENDOR]


def _needed_for(kind: str, column: str, data: pa.PolarsData) -> pl.LazyFrame:
    """Rows of this kind have the column; other kinds may leave it empty."""
    return data.lazyframe.select(pl.col("kind").ne_missing(kind) | pl.col(column).is_not_null())


class ScenarioModel(pa.DataFrameModel):
    scenario: str = pa.Field(unique=True, str_matches=KEY_PATTERN, description="Scenario key")
    kind: str = pa.Field(
        isin=SCENARIO_KINDS, description="merger (two vendors combine) or shift (share moves)"
    )
    market: str = pa.Field(str_matches=KEY_PATTERN, description="Market key, as in market shares")
    region: str = pa.Field(str_matches=KEY_PATTERN, description="Region key, as in market shares")
    period: date = pa.Field(description="Market period the scenario applies to (ISO date)")
    description: str = pa.Field(description="What the scenario stands for")
    vendor_a: str = pa.Field(
        nullable=True, notin=NOT_FIRMS, description="Merger: first merging vendor key"
    )
    vendor_b: str = pa.Field(
        nullable=True, notin=NOT_FIRMS, description="Merger: second merging vendor key"
    )
    merged_vendor: str = pa.Field(
        nullable=True,
        notin=NOT_FIRMS,
        description="Merger: name of the combined firm (empty means vendor_a)",
    )
    from_vendor: str = pa.Field(
        nullable=True, notin=NOT_FIRMS, description="Shift: vendor that loses share"
    )
    to_vendor: str = pa.Field(
        nullable=True,
        notin=NOT_FIRMS,
        description="Shift: vendor that gains share (may be new to the market)",
    )
    amount: float = pa.Field(
        nullable=True,
        in_range={"min_value": 0, "max_value": 1},
        description="Shift: share of the market moved from from_vendor to to_vendor [fraction 0-1]",
    )
    source: str = pa.Field(description="Where the scenario comes from")

    class Config:
        strict = True

    @pa.dataframe_check(error="vendor_a: a merger needs vendor_a")
    def merger_has_vendor_a(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _needed_for("merger", "vendor_a", data)

    @pa.dataframe_check(error="vendor_b: a merger needs vendor_b")
    def merger_has_vendor_b(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _needed_for("merger", "vendor_b", data)

    @pa.dataframe_check(error="vendor_b: a merger needs two different vendors")
    def merger_of_two_vendors(cls, data: pa.PolarsData) -> pl.LazyFrame:
        vendor_a, vendor_b = pl.col("vendor_a"), pl.col("vendor_b")
        return data.lazyframe.select(
            vendor_a.is_null() | vendor_b.is_null() | (vendor_a != vendor_b)
        )

    @pa.dataframe_check(error="from_vendor: a shift needs from_vendor")
    def shift_has_from_vendor(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _needed_for("shift", "from_vendor", data)

    @pa.dataframe_check(error="to_vendor: a shift needs to_vendor")
    def shift_has_to_vendor(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _needed_for("shift", "to_vendor", data)

    @pa.dataframe_check(error="to_vendor: a shift needs two different vendors")
    def shift_between_two_vendors(cls, data: pa.PolarsData) -> pl.LazyFrame:
        source, target = pl.col("from_vendor"), pl.col("to_vendor")
        return data.lazyframe.select(source.is_null() | target.is_null() | (source != target))

    @pa.dataframe_check(error="amount: a shift needs the amount of share it moves")
    def shift_has_amount(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _needed_for("shift", "amount", data)
