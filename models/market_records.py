"""Market record files: one additive quantity (units, revenue) per vendor, market, region, period.

Record files can hold millions of rows, so their row rules are counted in the same DuckDB pass
that aggregates the file (a pandera pass over every row would hold the file in memory); each rule
has a SQL form for that pass and a Polars form that finds the offending lines when a file fails.
The shares derived from them are then validated with pandera's DerivedShareModel, the contract a
share file meets less the repeated-key test that the derivation rules out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from models.validation import ISO_DATE_RULE, Problem, date_rule, parsed_date

KEY_PATTERN = r"^[a-z0-9_]+$"
REQUIRED_COLUMNS = ["period", "market", "region", "vendor", "quantity"]
# Columns whose rules are tested once per distinct value after aggregating, not on every row:
# market and region keys and vendor names repeat across millions of rows.
GROUP_CHECKED_COLUMNS = ("market", "region", "vendor")
OPTIONAL_COLUMNS = ["unit", "source"]
GROUP_KEYS = ["period", "market", "region"]  # the group a share is a part of
MAX_REPORTED_GROUPS = 200


@dataclass(frozen=True)
class RecordRule:
    column: str
    rule: str
    is_broken: pl.Expr  # true on a row that breaks the rule
    is_broken_sql: str  # the same test in DuckDB SQL, over the columns read as text
    is_broken_typed_sql: str  # the same test over columns DuckDB already parsed as typed
    rule_of: Callable[[str], str] | None = None  # the rule in words for one refused value

    def rule_for(self, value: str | None) -> str:
        return self.rule_of(value) if self.rule_of and value is not None else self.rule


PERIOD_SQL = "try_cast(try_strptime(trim(period::varchar), '%Y-%m-%d') as date)"
QUANTITY_SQL = "try_cast(trim(quantity::varchar) as double)"


def _key_broken_sql(name: str) -> str:
    return f"({name} is null or not regexp_full_match({name}::varchar, '[a-z0-9_]+'))"


def parsed_period() -> pl.Expr:
    column = pl.col("period")
    return parsed_date(column.cast(pl.String).str.strip_chars())


def parsed_quantity() -> pl.Expr:
    return pl.col("quantity").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def _key_broken(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.String)
    return value.is_null() | ~value.str.contains(KEY_PATTERN)


RECORD_RULES = [
    RecordRule(
        "period",
        ISO_DATE_RULE,
        parsed_period().is_null(),
        # DuckDB has a year 0 (1 BC); Python and the warehouse's clients do not.
        f"({PERIOD_SQL} is null or year({PERIOD_SQL}) < 1)",
        "(period is null or year(period) < 1)",
        date_rule,
    ),
    RecordRule(
        "market",
        "must be a lowercase key (a-z, 0-9, _)",
        _key_broken("market"),
        _key_broken_sql("market"),
        _key_broken_sql("market"),
    ),
    RecordRule(
        "region",
        "must be a lowercase key (a-z, 0-9, _)",
        _key_broken("region"),
        _key_broken_sql("region"),
        _key_broken_sql("region"),
    ),
    RecordRule(
        "vendor",
        "must not be empty",
        pl.col("vendor").cast(pl.String).str.strip_chars().fill_null("").eq(""),
        "coalesce(trim(vendor::varchar), '') = ''",
        "coalesce(trim(vendor), '') = ''",
    ),
    RecordRule(
        "quantity",
        "must be a finite number >= 0",
        parsed_quantity().is_null() | ~parsed_quantity().is_finite() | (parsed_quantity() < 0),
        f"({QUANTITY_SQL} is null or not isfinite({QUANTITY_SQL}) or {QUANTITY_SQL} < 0)",
        "(quantity is null or not isfinite(quantity) or quantity < 0)",
    ),
]


def any_rule_broken() -> pl.Expr:
    return pl.any_horizontal([rule.is_broken for rule in RECORD_RULES])


TYPED_CSV_COLUMNS = {
    "period": "DATE",
    "market": "VARCHAR",
    "region": "VARCHAR",
    "vendor": "VARCHAR",
    "quantity": "DOUBLE",
}


def typed_csv_reader() -> str:
    """The fast reader: DuckDB parses dates and numbers while it reads (as a bare query would),
    and raises on the first value it cannot parse; the caller then falls back to reading text."""
    types = ", ".join(f"'{name}': '{dtype}'" for name, dtype in TYPED_CSV_COLUMNS.items())
    return f"read_csv(?, header = true, types = {{{types}}}, dateformat = '%Y-%m-%d')"


def text_csv_reader() -> str:
    """Every column as text, in the encoding given as the second parameter."""
    return "read_csv(?, header = true, all_varchar = true, encoding = ?)"


def aggregation_sql(reader: str, typed: bool = False, with_unit: bool = False) -> str:
    """Quantities per period, market, region and vendor, and the count of rows breaking a rule.

    with_unit: the file has a unit column; totals are also per unit as written, so that a group
    mixing units can be refused (see unit_problems) instead of added up as one.

    typed: the reader already parsed period and quantity (see typed_csv_reader), so the rules are
    plain tests on values instead of parsing text row by row. Vendor names come as written;
    merge_padded_vendors folds " nvidia " into "nvidia" after aggregating, which is cheaper than
    trimming every row."""
    broken = " or ".join(
        f"({rule.is_broken_typed_sql if typed else rule.is_broken_sql})"
        for rule in RECORD_RULES
        if rule.column not in GROUP_CHECKED_COLUMNS
    )
    period, quantity = ("period", "quantity") if typed else (PERIOD_SQL, QUANTITY_SQL)
    return f"""
        select
            {period} as period,
            market::varchar as market,
            region::varchar as region,
            vendor::varchar as vendor,{" unit::varchar as unit," if with_unit else ""}
            sum({quantity}) as quantity,
            count(*) filter (where {broken}) as broken_rows
        from {reader}
        group by all
    """


def merge_padded_vendors(totals: pl.DataFrame) -> pl.DataFrame:
    """Totals per vendor name without surrounding spaces; regrouped only when a name had some."""
    names = totals.get_column("vendor").unique()
    if names.equals(names.str.strip_chars(), null_equal=True):
        return totals
    return _regrouped(totals, pl.col("vendor").str.strip_chars())


def _regrouped(totals: pl.DataFrame, vendor: pl.Expr) -> pl.DataFrame:
    return totals.group_by(*GROUP_KEYS, vendor, maintain_order=True).agg(
        pl.col("quantity").sum(), pl.col("broken_rows").sum()
    )


def _unit() -> pl.Expr:
    """A unit as compared: trimmed and lowercase; empty is no unit (null)."""
    unit = pl.col("unit").cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(unit != "").then(unit)


def group_label(period: object, market: object, region: object) -> str:
    return f"records of {period} {market}/{region}"


def unit_problems(file: str, totals: pl.DataFrame) -> list[Problem]:
    """Groups whose rows give their quantities in more than one unit (units and usd_millions):
    adding them up would mix counts and money. A file may use any one unit per group."""
    mixed = (
        totals.group_by(GROUP_KEYS, maintain_order=True)
        .agg(_unit().unique().sort(nulls_last=True).alias("units"))
        .filter(pl.col("units").list.len() > 1)
    )
    problems = []
    for period, market, region, units in mixed.head(MAX_REPORTED_GROUPS).iter_rows():
        shown = ", ".join("(empty)" if unit is None else unit for unit in units)
        rule = (
            f"one period, market and region mixes units ({shown}); a share needs one unit "
            "per group: convert its rows to one unit, or leave the others out"
        )
        problems.append(Problem(file, group_label(period, market, region), "unit", rule))
    return problems


def without_unit(totals: pl.DataFrame) -> pl.DataFrame:
    """Totals per vendor once each group has one unit; regrouped only when a unit was written
    in two ways (" Units" and "units")."""
    units = totals.get_column("unit").unique()
    totals = totals.drop("unit")
    if units.len() == units.to_frame().select(_unit().n_unique()).item():
        return totals
    return _regrouped(totals, pl.col("vendor"))


def shares_of(totals: pl.DataFrame) -> pl.DataFrame:
    """Each vendor's quantity over its group's total (null when the total is 0), with the total."""
    total = pl.col("quantity").sum().over(GROUP_KEYS)
    return totals.select(
        *GROUP_KEYS,
        "vendor",
        pl.when(total > 0).then(pl.col("quantity") / total).alias("share"),
        total.alias("group_total"),
    )


def overflow_problems(file: str, shares: pl.DataFrame) -> list[Problem]:
    """Groups whose total is not a finite number: two quantities of 1e308 add up to infinity as
    floats, and every share of an infinite total would come out as 0."""
    overflowing = (
        shares.filter(~pl.col("group_total").is_finite())
        .unique(GROUP_KEYS, keep="first", maintain_order=True)
        .select(*GROUP_KEYS)
    )
    rule = (
        "the quantities of this group add up to more than a number can hold (about 1.8e308); "
        "give them in a larger unit (thousands, millions)"
    )
    return [
        Problem(file, group_label(*group), "quantity", rule)
        for group in overflowing.head(MAX_REPORTED_GROUPS).iter_rows()
    ]


def group_rule_broken(totals: pl.DataFrame) -> bool:
    """Whether a distinct market, region or vendor value breaks its rule."""
    return any(
        totals.select(pl.col(rule.column).unique()).select(rule.is_broken.any()).item()
        for rule in RECORD_RULES
        if rule.column in GROUP_CHECKED_COLUMNS
    )
