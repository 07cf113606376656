"""Market record files: one additive quantity (units, revenue) per vendor, market, region, period.

Record files can hold millions of rows, so their row rules are Polars expressions evaluated in one
streaming pass together with the aggregation (a pandera pass over every row would hold the file in
memory). The shares derived from them are then validated with pandera's MarketShareModel, the same
contract a share file meets.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

KEY_PATTERN = r"^[a-z0-9_]+$"
REQUIRED_COLUMNS = ["period", "market", "region", "vendor", "quantity"]
OPTIONAL_COLUMNS = ["unit", "source"]


@dataclass(frozen=True)
class RecordRule:
    column: str
    rule: str
    is_broken: pl.Expr  # true on a row that breaks the rule


def parsed_period() -> pl.Expr:
    column = pl.col("period")
    return column.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)


def parsed_quantity() -> pl.Expr:
    return pl.col("quantity").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def _key_broken(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.String)
    return value.is_null() | ~value.str.contains(KEY_PATTERN)


RECORD_RULES = [
    RecordRule("period", "must be an ISO date (YYYY-MM-DD)", parsed_period().is_null()),
    RecordRule("market", "must be a lowercase key (a-z, 0-9, _)", _key_broken("market")),
    RecordRule("region", "must be a lowercase key (a-z, 0-9, _)", _key_broken("region")),
    RecordRule(
        "vendor",
        "must not be empty",
        pl.col("vendor").cast(pl.String).str.strip_chars().fill_null("").eq(""),
    ),
    RecordRule(
        "quantity",
        "must be a finite number >= 0",
        parsed_quantity().is_null() | ~parsed_quantity().is_finite() | (parsed_quantity() < 0),
    ),
]


def any_rule_broken() -> pl.Expr:
    return pl.any_horizontal([rule.is_broken for rule in RECORD_RULES])
