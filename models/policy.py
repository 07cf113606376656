"""National AI policy: instruments, export-control thresholds, AI Act, effectiveness metrics."""

import pandera.polars as pa
import polars as pl

from models.bounds import MAX_PERCENT, MAX_PUBLIC_FUNDING_USD, MAX_SCORE_0_TO_1

JURISDICTIONS = ["us", "eu"]
EARMARK_SCOPES = ["ai", "semiconductors", "mixed"]


def _unit_maximum() -> pl.Expr:
    """The largest value a unit's name allows (percent_...: 100, score_0_to_1: 1), else null."""
    unit = pl.col("unit")
    return (
        pl.when(unit.str.starts_with("percent"))
        .then(pl.lit(MAX_PERCENT))
        .when(unit == "score_0_to_1")
        .then(pl.lit(MAX_SCORE_0_TO_1))
    )


def _within_unit(column: str, data: pa.PolarsData) -> pl.LazyFrame:
    value, maximum = pl.col(column), _unit_maximum()
    return data.lazyframe.select(value.is_null() | maximum.is_null() | (value <= maximum))


class PolicyInstrumentModel(pa.DataFrameModel):
    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    instrument: str = pa.Field(description="Policy instrument")
    kind: str = pa.Field(
        isin=["funding_program", "export_control", "infrastructure_investment", "regulation"],
        description="Kind of instrument",
    )
    funding_usd: float = pa.Field(
        nullable=True, ge=0, le=MAX_PUBLIC_FUNDING_USD, description="Total funding [USD]"
    )
    earmarked_usd: float = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PUBLIC_FUNDING_USD,
        description="Part of the funding set aside for earmarked_for [USD]",
    )
    earmarked_for: str = pa.Field(nullable=True, description="What the earmarked part pays for")
    earmark_scope: str = pa.Field(
        nullable=True,
        isin=EARMARK_SCOPES,
        description="ai: the earmark is for AI; semiconductors: for chips, not AI-specific",
    )
    article_label: str = pa.Field(
        nullable=True, description="What the article calls the earmarked amount"
    )
    start_year: int = pa.Field(nullable=True, ge=1900, le=2100, description="First year")
    end_year: int = pa.Field(nullable=True, ge=1900, le=2100, description="Last year")
    focus: pl.List(pl.String) = pa.Field(nullable=True, description="Focus areas or items")
    purpose: str = pa.Field(nullable=True, description="Stated purpose")
    source: str = pa.Field(description="Where the figures come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "instrument"]

    @pa.dataframe_check(error="earmarked_usd: exceeds the instrument's funding")
    def allocation_within_funding(cls, data: pa.PolarsData) -> pl.LazyFrame:
        allocation, funding = pl.col("earmarked_usd"), pl.col("funding_usd")
        return data.lazyframe.select(
            allocation.is_null() | funding.is_null() | (allocation <= funding)
        )


class ExportControlThresholdModel(pa.DataFrameModel):
    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    parameter: str = pa.Field(description="Controlled parameter")
    value: float = pa.Field(gt=0, description="Threshold value, in unit")
    unit: str = pa.Field(description="Unit of the threshold")
    rule: int = pa.Field(ge=2000, le=2100, description="Year of the rule that set it")
    legal_source: str = pa.Field(description="Legal citation")
    article_value: str = pa.Field(nullable=True, description="Value the article gives")
    note: str = pa.Field(nullable=True, description="Discrepancies and remarks")
    targeted_countries: pl.List(pl.String) = pa.Field(description="Destinations controlled")
    source: str = pa.Field(description="Where the values come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "parameter", "rule"]


class AiActRiskCategoryModel(pa.DataFrameModel):
    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    risk_category: str = pa.Field(
        isin=["prohibited", "high_risk", "limited_risk", "minimal_risk"], description="Category"
    )
    use_case: str = pa.Field(description="Use of AI in that category")
    requirements: pl.List(pl.String) = pa.Field(nullable=True, description="Obligations")
    max_fine_percent_of_global_turnover: float = pa.Field(
        nullable=True, ge=0, le=100, description="Maximum fine [% of global annual turnover]"
    )
    status: str = pa.Field(nullable=True, description="Implementation status")
    source: str = pa.Field(description="Where the categories come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "risk_category", "use_case"]


class EffectivenessMetricModel(pa.DataFrameModel):
    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    metric: str = pa.Field(description="What is measured")
    unit: str = pa.Field(description="Unit of current and target")
    current: float = pa.Field(ge=0, description="Current value, in unit")
    target: float = pa.Field(nullable=True, gt=0, description="Target value, in unit")
    target_year: int = pa.Field(nullable=True, ge=2000, le=2100, description="Year of target")
    baseline: float = pa.Field(
        nullable=True, ge=0, description="Level before the policy, in unit (progress starts here)"
    )
    baseline_year: int = pa.Field(nullable=True, ge=1900, le=2100, description="Year of baseline")
    baseline_source: str = pa.Field(nullable=True, description="Where the baseline comes from")
    note: str = pa.Field(nullable=True, description="What the figure is, where its name misleads")
    status: str = pa.Field(nullable=True, description="Status as reported")
    article_value: str = pa.Field(nullable=True, description="Derived value the article prints")
    source: str = pa.Field(description="Where the figures come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "metric"]

    @pa.dataframe_check(error="current: above what its unit allows (100 percent, a score of 1)")
    def current_within_unit(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _within_unit("current", data)

    @pa.dataframe_check(error="target: above what its unit allows (100 percent, a score of 1)")
    def target_within_unit(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _within_unit("target", data)

    @pa.dataframe_check(error="baseline: above what its unit allows (100 percent, a score of 1)")
    def baseline_within_unit(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _within_unit("baseline", data)


class ExportControlClauseModel(pa.DataFrameModel):
    """One clause of an export-control rule: every bound given must hold (a chip meets the clause);
    a rule's ECCN applies when any of its clauses is met."""

    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    rule: int = pa.Field(ge=2000, le=2100, description="Year of the rule")
    eccn: str = pa.Field(description="Export Control Classification Number the clause defines")
    clause: str = pa.Field(description="Clause within the ECCN, e.g. 3A090.a.2")
    tpp_min: float = pa.Field(nullable=True, ge=0, description="TPP at least [TPP]")
    tpp_below: float = pa.Field(nullable=True, gt=0, description="TPP below [TPP]")
    pd_min: float = pa.Field(nullable=True, ge=0, description="Performance density at least")
    pd_below: float = pa.Field(nullable=True, gt=0, description="Performance density below")
    interconnect_min_gb_s: float = pa.Field(
        nullable=True, ge=0, description="Aggregate bidirectional interconnect at least [GB/s]"
    )
    legal_source: str = pa.Field(description="Legal citation of the clause")
    note: str = pa.Field(nullable=True, description="How the clause is read")
    source: str = pa.Field(description="Where the values come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "rule", "clause"]

    @pa.dataframe_check(error="tpp_min: a clause needs at least one bound")
    def has_a_bound(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return any_given(
            data, ["tpp_min", "tpp_below", "pd_min", "pd_below", "interconnect_min_gb_s"]
        )


def any_given(data: pa.PolarsData, columns: list[str]) -> pl.LazyFrame:
    """True for each row that gives at least one of the columns."""
    return data.lazyframe.select(pl.any_horizontal(pl.col(columns).is_not_null()))


MARKETS = ["datacenter", "not_datacenter"]


class ExportControlExclusionModel(pa.DataFrameModel):
    """A note that takes items out of an ECCN its clauses would give (Note 2 to 3A090): it applies
    when the item is of the market it names and every TPP bound it gives holds."""

    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    rule: int = pa.Field(ge=2000, le=2100, description="Year of the rule")
    eccn: str = pa.Field(description="ECCN the exclusion takes items out of, e.g. 3A090")
    exclusion: str = pa.Field(description="Name of the note, e.g. Note 2 to 3A090")
    applies_to_market: str = pa.Field(
        nullable=True,
        isin=MARKETS,
        description="Items (not) designed or marketed for use in datacenters; empty: any item",
    )
    tpp_below: float = pa.Field(nullable=True, gt=0, description="TPP below [TPP]")
    legal_source: str = pa.Field(description="Legal citation of the note, with its words")
    note: str = pa.Field(nullable=True, description="How the note is read")
    source: str = pa.Field(description="Where the values come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "rule", "exclusion"]

    @pa.dataframe_check(error="applies_to_market: an exclusion needs a market or a TPP bound")
    def has_a_condition(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return any_given(data, ["applies_to_market", "tpp_below"])


COUNTRY_GROUP = r"^[A-E]:[0-9]$"
DESTINATION_KINDS = ["country", "country_group"]


def _list_matches(column: str, pattern: str, data: pa.PolarsData) -> pl.LazyFrame:
    values = pl.col(column)
    matches = values.list.eval(pl.element().str.contains(pattern)).list.all()
    return data.lazyframe.select(values.is_null() | matches)


class ExportControlDestinationModel(pa.DataFrameModel):
    """A destination a plan can name, with the Country Groups of 15 CFR 740 Supp. 1 it is in."""

    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    destination: str = pa.Field(
        unique=True, str_matches=r"^[a-z0-9_]+$", description="Destination key plans use"
    )
    name: str = pa.Field(description="Destination as the regulation names it")
    kind: str = pa.Field(
        isin=DESTINATION_KINDS, description="country, or country_group (every member alike)"
    )
    country_groups: pl.List(pl.String) = pa.Field(
        description="Country Groups (15 CFR 740 Supp. 1) of the destination that licence "
        "requirements name, e.g. D:4"
    )
    legal_source: str = pa.Field(description="Legal citation of the group membership")
    note: str = pa.Field(nullable=True, description="How the membership is read")
    source: str = pa.Field(description="Where the values come from")

    class Config:
        strict = True

    @pa.dataframe_check(error="country_groups: each must be a Country Group such as A:5 or D:4")
    def groups_are_country_groups(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _list_matches("country_groups", COUNTRY_GROUP, data)


class ExportControlLicenceRequirementModel(pa.DataFrameModel):
    """Where a rule requires a licence for the items of an ECCN: destinations in any of
    country_groups (unless also in one of except_country_groups), and the destinations named."""

    jurisdiction: str = pa.Field(isin=JURISDICTIONS, description="us or eu")
    rule: int = pa.Field(ge=2000, le=2100, description="Year of the rule")
    eccn: str = pa.Field(description="ECCN whose items need the licence, e.g. 3A090")
    country_groups: pl.List(pl.String) = pa.Field(
        nullable=True, description="Destinations in any of these Country Groups need a licence"
    )
    except_country_groups: pl.List(pl.String) = pa.Field(
        nullable=True, description="...unless they are also in one of these Country Groups"
    )
    destinations: pl.List(pl.String) = pa.Field(
        nullable=True, description="Destinations (keys) that need a licence whatever their group"
    )
    legal_source: str = pa.Field(description="Legal citation of the licence requirement")
    note: str = pa.Field(nullable=True, description="How the requirement is read, what is left out")
    source: str = pa.Field(description="Where the values come from")

    class Config:
        strict = True
        unique = ["jurisdiction", "rule", "eccn"]

    @pa.dataframe_check(error="country_groups: each must be a Country Group such as A:5 or D:4")
    def groups_are_country_groups(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _list_matches("country_groups", COUNTRY_GROUP, data)

    @pa.dataframe_check(
        error="except_country_groups: each must be a Country Group such as A:5 or D:4"
    )
    def exceptions_are_country_groups(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _list_matches("except_country_groups", COUNTRY_GROUP, data)

    @pa.dataframe_check(error="country_groups: a requirement needs country groups or destinations")
    def names_somewhere(cls, data: pa.PolarsData) -> pl.LazyFrame:
        groups, places = pl.col("country_groups"), pl.col("destinations")
        return data.lazyframe.select(
            (groups.list.len().fill_null(0) > 0) | (places.list.len().fill_null(0) > 0)
        )
