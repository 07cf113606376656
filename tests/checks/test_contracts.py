"""Contracts are declared with each asset's definition and read back by key for the checks; what
a user reads of them is a short table in words, not the settings as JSON."""

import dagster as dg
import pytest

from pipelines.checks import contracts
from pipelines.checks.contracts import (
    CONTRACT_LABEL,
    TableContract,
    contract_metadata,
    contract_of,
    contract_rules,
)
from pipelines.definitions import defs

CONCENTRATION = dg.AssetKey(["analytics", "market_concentration"])


def table_specs() -> list[dg.AssetSpec]:
    return [
        spec
        for spec in defs.resolve_all_asset_specs()
        if spec.key.path[0] in ("raw", "analytics")  # tables; not reports, not input files
    ]


def test_no_asset_definition_carries_json_or_the_old_contract_key():
    for spec in defs.resolve_all_asset_specs():
        assert "sovai/contract" not in spec.metadata, spec.key
        json = [k for k, v in spec.metadata.items() if isinstance(v, dg.JsonMetadataValue)]
        assert json == [], spec.key


def test_every_table_shows_its_contract_as_a_short_table_in_words():
    for spec in table_specs():
        shown = spec.metadata[CONTRACT_LABEL]
        assert isinstance(shown, dg.TableMetadataValue), spec.key
        assert [column.name for column in shown.schema.columns] == ["rule", "columns", "detail"]
        assert 2 <= len(shown.records) <= 15, spec.key
        for record in shown.records:
            for value in record.data.values():
                assert isinstance(value, str) and value not in ("null", "None"), spec.key
                for internal in ("[]", "{", "expectations", "may_be_empty"):
                    assert internal not in value, (spec.key, record.data)


def test_the_checks_read_back_the_contract_each_table_declared():
    concentration = contract_of(CONCENTRATION)
    assert concentration.keys == ("period", "market", "region")
    assert concentration.hhi == ("hhi", "hhi_upper")
    assert concentration.unusual[0][0] == "n_vendors = 0"
    assert {"type": "expect_column_values_to_be_between", "column": "cr1"}.items() <= (
        concentration.expectations[0].items()
    )
    shares = contract_of(dg.AssetKey(["raw", "market_shares"]))
    assert shares.shares is not None and shares.shares.column == "share"
    platforms = contract_of(dg.AssetKey(["raw", "platforms"]))  # from its pandera model
    assert platforms.keys == ("platform",) and "power_watts" in platforms.columns
    assert contract_of(dg.AssetKey(["analytics", "platform_efficiency"])).keys == ("platform",)
    assert contract_of(dg.AssetKey(["reports", "index"])) == TableContract()  # declared none
    for spec in table_specs():
        assert contract_of(spec.key).columns, f"{spec.key.to_user_string()} declared no contract"


def test_the_table_names_each_rule_and_its_columns():
    contract = contract_of(CONCENTRATION)
    rules = {(rule, columns): detail for rule, columns, detail in contract_rules(contract)}
    assert rules[("rows", "")] == "at least one"
    assert rules[("unique key", "period, market, region")] == "no two rows share these values"
    assert rules[("HHI", "hhi, hhi_upper")] == "within 0 to 10,000"
    assert rules[("finite", "every floating-point column")] == "no NaN or infinity"
    assert rules[("expectation", "cr1")] == "at least 0 and at most 1"
    assert rules[("expectation (warn)", "n_vendors")] == "at least 1"
    assert rules[("unusual rows (warn)", "")].startswith("n_vendors = 0: no named vendor")
    empty = TableContract.from_mapping({"may_be_empty": True, "metrics": []})
    assert contract_rules(empty) == [("rows", "", "may be empty")]


def test_a_key_declared_twice_with_different_contracts_is_refused(monkeypatch):
    monkeypatch.setattr(contracts, "_DECLARED", {})
    key = ["analytics", "twice"]
    contract_metadata(key, {"keys": ["a"]}, ["a", "b"])
    contract_metadata(key, {"keys": ["a"]}, ["a", "b"])  # the same again: a module reloaded
    with pytest.raises(ValueError, match="analytics/twice declares two different contracts"):
        contract_metadata(key, {"keys": ["b"]}, ["a", "b"])
