"""Great Expectations suites as asset checks: after a full run every analytics table shows its
suite passed, with Data Docs in data_docs/ beside the warehouse; a table that breaks its suite
fails it with the expectations it broke. (One test, to pay GX's import and context once.)"""

import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import dagster as dg

from pipelines.checks.contracts import TableContract
from pipelines.checks.expectations import suite_expectations
from pipelines.definitions import build_definitions
from tests.checks.test_asset_checks import (
    CONCENTRATION,
    break_market_concentration,
    evaluations,
    run_checks_only,
    table_records,
)
from tests.checks.test_data_docs import offline_problems
from tests.conftest import run_job


def local_path(url: str) -> Path:
    return Path(url2pathname(urlparse(url).path))


def test_a_suite_is_built_from_the_contract_and_skips_columns_the_table_lacks():
    contract = TableContract.from_mapping(
        {
            "keys": ["period", "market"],
            "hhi": ["hhi"],
            "columns": ["period", "market", "hhi"],
            "expectations": [{"type": "expect_column_values_to_be_between", "column": "gone"}],
        }
    )
    suite = suite_expectations(
        contract, [("period", "DATE"), ("market", "VARCHAR"), ("hhi", "DOUBLE")]
    )
    assert [item["type"] for item in suite] == [
        "expect_table_row_count_to_be_between",
        "expect_table_columns_to_match_set",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_between",
    ]


def test_every_analytics_table_passes_its_suite_with_data_docs_and_a_broken_one_fails(
    warehouse, seeds
):
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    runs = run_job(warehouse, seeds, expectations=True, instance=instance)
    print(f"full run with Great Expectations: {time.perf_counter() - started:.1f} s")
    assert runs.success
    found = {
        key.asset_key: e for key, e in evaluations(runs).items() if key.name == "great_expectations"
    }
    graph = build_definitions(expectations=False).resolve_asset_graph()
    analytics = {key for key in graph.get_all_asset_keys() if key.path[0] == "analytics"}
    assert set(found) == analytics
    assert {key.to_user_string(): e.description for key, e in found.items() if not e.passed} == {}

    index = warehouse.parent / "data_docs" / "index.html"
    assert index.exists()
    html = index.read_text(encoding="utf-8")
    assert offline_problems(index.parent) == []  # every suite's page opens with no network
    for key, evaluation in found.items():
        assert local_path(evaluation.metadata["data_docs"].value) == index
        page = local_path(evaluation.metadata["data_docs_page"].value)
        assert page.exists() and page.is_relative_to(index.parent), key
        assert ".".join(key.path) in html, f"{key} missing from the Data Docs index"

    break_market_concentration(warehouse)
    result = run_checks_only(warehouse, seeds, [CONCENTRATION], instance, expectations=True)
    check = evaluations(result)[dg.AssetCheckKey(CONCENTRATION, "great_expectations")]
    assert not check.passed
    broken = {(r["expectation"], r["column"]) for r in table_records(check.metadata["failures"])}
    assert ("expect_compound_columns_to_be_unique", "") in broken
    assert ("expect_column_values_to_be_between", "hhi") in broken
