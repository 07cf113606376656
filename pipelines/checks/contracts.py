"""What a published table promises, declared once and read by every check.

A table declares its contract where its asset is defined: SQL models in the `checks:` section of
their .yml, raw tables from their pandera model, Python assets in their decorator. Declaring
records the contract under the asset's key (`contract_of` reads it back when the checks are
built) and gives the asset a short "contract" table for the UI, in words rather than settings.
So a new asset gets the generic checks (row count, finite metrics, schema) for free and the key,
share and HHI checks by naming its columns:

    checks:
      keys: [period, market, region]            # together unique
      shares: {column: share, per: [period, market, region]}   # sum per group <= 1
      hhi: [hhi, hhi_upper]                     # within [0, 10000]
      metrics: [tco_usd]                        # finite; default: every floating-point column
      may_be_empty: false                       # true when no rows is a valid state
      unusual:                                  # rows that are unusual, not wrong: warns
        - {where: n_vendors = 0, why: no named vendor in the period}
      expectations:                             # extra Great Expectations for this table
        - {type: expect_column_values_to_be_between, column: cr1, min_value: 0, max_value: 1}
        # severity: warn marks one that flags unusual data, not wrong data (the check warns)
        - {type: expect_column_values_to_be_between, column: n_vendors, min_value: 1,
           severity: warn}
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pandera.polars as pa

CONTRACT_LABEL = "contract"  # the metadata entry a user reads


@dataclass(frozen=True)
class ShareRule:
    column: str
    per: tuple[str, ...]


@dataclass(frozen=True)
class TableContract:
    keys: tuple[str, ...] = ()
    shares: ShareRule | None = None
    hhi: tuple[str, ...] = ()
    metrics: tuple[str, ...] | None = None  # None: every floating-point column
    may_be_empty: bool = False
    columns: tuple[str, ...] = ()  # declared (documented) columns; empty: not declared
    expectations: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    # (SQL condition, why): rows of real data that are unusual but right, e.g. a survey gap.
    # The condition is SQL from the table's own .yml (code, reviewed), never from data.
    unusual: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> "TableContract":
        mapping = dict(mapping or {})
        unknown = set(mapping) - {
            "keys",
            "shares",
            "hhi",
            "metrics",
            "may_be_empty",
            "columns",
            "expectations",
            "unusual",
        }
        if unknown:
            raise ValueError(f"unknown check settings {sorted(unknown)}")
        shares = mapping.get("shares")
        metrics = mapping.get("metrics")
        return cls(
            keys=tuple(mapping.get("keys") or ()),
            shares=ShareRule(shares["column"], tuple(shares.get("per") or ())) if shares else None,
            hhi=tuple(mapping.get("hhi") or ()),
            metrics=None if metrics is None else tuple(metrics),
            may_be_empty=bool(mapping.get("may_be_empty", False)),
            columns=tuple(mapping.get("columns") or ()),
            expectations=tuple(dict(item) for item in mapping.get("expectations") or ()),
            unusual=tuple(
                (str(item["where"]), str(item.get("why", "")))
                for item in mapping.get("unusual") or ()
            ),
        )


# Every declared contract by asset key, filled in as the asset modules define their assets.
_DECLARED: dict[dg.AssetKey, TableContract] = {}


def contract_metadata(
    key: dg.AssetKey | Sequence[str], checks: Mapping[str, Any] | None, columns: Iterable[str]
) -> dict[str, dg.MetadataValue]:
    """Declare an asset's contract (its check settings and documented columns) and return the
    metadata that shows it in the UI. A second, different contract for the same key is an error:
    the checks would silently follow whichever came last."""
    contract = TableContract.from_mapping({**(checks or {}), "columns": list(columns)})
    asset_key = dg.AssetKey.from_coercible(key)
    if _DECLARED.setdefault(asset_key, contract) != contract:
        raise ValueError(f"{asset_key.to_user_string()} declares two different contracts")
    return {CONTRACT_LABEL: contract_table(contract)}


def contract_of(key: dg.AssetKey) -> TableContract:
    """The contract an asset declared (none: the generic checks only)."""
    return _DECLARED.get(key, TableContract())


CONTRACT_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("rule", "string", description="What the checks hold the table to"),
        dg.TableColumn("columns", "string", description="The columns the rule is about"),
        dg.TableColumn("detail", "string", description="The rule in words"),
    ]
)


def contract_rules(contract: TableContract) -> list[tuple[str, str, str]]:
    """(rule, columns, detail) rows: only the rules that apply, in words."""
    rows = [("rows", "", "may be empty" if contract.may_be_empty else "at least one")]
    if contract.keys:
        rows.append(("unique key", ", ".join(contract.keys), "no two rows share these values"))
    if contract.shares is not None:
        per = ", ".join(contract.shares.per)
        rows.append(("shares", contract.shares.column, f"add up to at most 1 per {per}"))
    if contract.hhi:
        rows.append(("HHI", ", ".join(contract.hhi), "within 0 to 10,000"))
    if contract.metrics is None:
        rows.append(("finite", "every floating-point column", "no NaN or infinity"))
    elif contract.metrics:
        rows.append(("finite", ", ".join(contract.metrics), "no NaN or infinity"))
    if contract.columns:
        documented = f"the {len(contract.columns)} documented (see Columns)"
        rows.append(("columns", documented, "no more, no fewer"))
    rows += [("unusual rows (warn)", "", f"{where}: {why}") for where, why in contract.unusual]
    rows += [expectation_rule(item) for item in contract.expectations]
    return rows


def expectation_rule(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """A Great Expectations entry of a contract as (rule, columns, detail)."""
    rule = "expectation (warn)" if item.get("severity") == "warn" else "expectation"
    columns = item.get("column") or ", ".join(item.get("column_list") or ())
    settings = {
        name: value
        for name, value in item.items()
        if name not in ("type", "column", "column_list", "severity")
    }
    kind = str(item["type"])
    if kind == "expect_column_values_to_be_between":
        low, high = settings.pop("min_value", None), settings.pop("max_value", None)
        above = "above" if settings.pop("strict_min", False) else "at least"
        below = "below" if settings.pop("strict_max", False) else "at most"
        bounds = [f"{above} {low}"] * (low is not None) + [f"{below} {high}"] * (high is not None)
        detail = " and ".join(bounds)
    elif kind == "expect_column_values_to_be_in_set":
        detail = "one of " + ", ".join(str(value) for value in settings.pop("value_set"))
    elif kind == "expect_column_values_to_not_be_null":
        detail = "never null"
    elif kind == "expect_table_row_count_to_equal":
        detail = f"exactly {settings.pop('value')} row(s)"
    else:
        detail = kind.removeprefix("expect_").replace("_", " ")
    extra = ", ".join(f"{name} {value}" for name, value in settings.items())
    return rule, str(columns), f"{detail} ({extra})" if extra else detail


def contract_table(contract: TableContract) -> dg.TableMetadataValue:
    records = [
        dg.TableRecord({"rule": rule, "columns": columns, "detail": detail})
        for rule, columns, detail in contract_rules(contract)
    ]
    return dg.MetadataValue.table(records=records, schema=CONTRACT_COLUMNS)


def model_keys(model: type[pa.DataFrameModel]) -> tuple[str, ...]:
    """What a pandera model requires to be unique: its Config.unique columns together, else its
    one unique column (empty when it requires neither)."""
    schema = model.to_schema()
    if schema.unique:
        return (schema.unique,) if isinstance(schema.unique, str) else tuple(schema.unique)
    unique_columns = [name for name, column in schema.columns.items() if column.unique]
    return tuple(unique_columns[:1])


def contract_from_model(
    key: dg.AssetKey | Sequence[str], model: type[pa.DataFrameModel]
) -> dict[str, dg.MetadataValue]:
    """A raw table's contract from its pandera model: its unique key and its columns."""
    schema = model.to_schema()
    keys = list(model_keys(model))
    shares = (
        {"column": "share", "per": ["period", "market", "region"]}
        if {"share", "period", "market", "region"} <= set(schema.columns)
        else None
    )
    return contract_metadata(key, {"keys": keys, "shares": shares}, schema.columns)
