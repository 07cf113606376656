"""What a published table promises, declared once and read by every check.

A table declares its contract in its asset's metadata under CONTRACT_KEY: SQL models in the
`checks:` section of their .yml, raw tables from their pandera model, Python assets in their
decorator. So a new asset gets the generic checks (row count, finite metrics, schema) for free and
the key, share and HHI checks by naming its columns:

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandera.polars as pa

CONTRACT_KEY = "sovai/contract"


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

    def to_metadata(self) -> dict[str, Any]:
        """Plain JSON for asset metadata (shown in the UI as the table's contract)."""
        return {
            "keys": list(self.keys),
            "shares": (
                {"column": self.shares.column, "per": list(self.shares.per)}
                if self.shares
                else None
            ),
            "hhi": list(self.hhi),
            "metrics": None if self.metrics is None else list(self.metrics),
            "may_be_empty": self.may_be_empty,
            "columns": list(self.columns),
            "expectations": [dict(item) for item in self.expectations],
            "unusual": [{"where": where, "why": why} for where, why in self.unusual],
        }


def contract_metadata(checks: Mapping[str, Any] | None, columns: Iterable[str]) -> dict[str, Any]:
    """Asset metadata declaring a contract: the check settings plus the documented columns."""
    contract = TableContract.from_mapping({**(checks or {}), "columns": list(columns)})
    return {CONTRACT_KEY: contract.to_metadata()}


def contract_of(metadata: Mapping[str, Any]) -> TableContract:
    """The contract an asset declared in its metadata (no declaration: the generic checks only)."""
    value = metadata.get(CONTRACT_KEY)
    data = getattr(value, "data", value)  # a JsonMetadataValue once Dagster has wrapped it
    return TableContract.from_mapping(data)


def model_keys(model: type[pa.DataFrameModel]) -> tuple[str, ...]:
    """What a pandera model requires to be unique: its Config.unique columns together, else its
    one unique column (empty when it requires neither)."""
    schema = model.to_schema()
    if schema.unique:
        return (schema.unique,) if isinstance(schema.unique, str) else tuple(schema.unique)
    unique_columns = [name for name, column in schema.columns.items() if column.unique]
    return tuple(unique_columns[:1])


def contract_from_model(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    """A raw table's contract from its pandera model: its unique key and its columns."""
    schema = model.to_schema()
    keys = list(model_keys(model))
    shares = (
        {"column": "share", "per": ["period", "market", "region"]}
        if {"share", "period", "market", "region"} <= set(schema.columns)
        else None
    )
    return contract_metadata({"keys": keys, "shares": shares}, schema.columns)
