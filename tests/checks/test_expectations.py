"""Great Expectations suites as asset checks: after a full run every analytics table shows its
suite passed, with Data Docs in data_docs/ beside the warehouse; a table that breaks its suite
fails it with the expectations it broke. The passing evaluations and the Data Docs are those the
session's first `sovai run` left (tests/conftest.py, `sovai_built`), as a user's first run does."""

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
    recorded_evaluations,
    run_checks_only,
    table_records,
)
from tests.checks.test_data_docs import offline_problems


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
    sovai_built, tmp_path
):
    # The user's first `sovai run` (the session's, Great Expectations on) ran every suite; its run
    # history (here a copy's) holds their evaluations as the UI reads them, and its Data Docs sit
    # beside its warehouse. The broken table below is in the copy.
    env = sovai_built.copy_to(tmp_path / "project")
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as history:
        found = {
            key.asset_key: e
            for key, e in recorded_evaluations(history).items()
            if key.name == "great_expectations"
        }
    graph = build_definitions(expectations=False).resolve_asset_graph()
    analytics = {key for key in graph.get_all_asset_keys() if key.path[0] == "analytics"}
    assert set(found) == analytics
    assert {key.to_user_string(): e.description for key, e in found.items() if not e.passed} == {}

    index = sovai_built.warehouse.parent / "data_docs" / "index.html"
    assert index.exists()
    html = index.read_text(encoding="utf-8")
    assert offline_problems(index.parent) == []  # every suite's page opens with no network
    for key, evaluation in found.items():
        assert local_path(evaluation.metadata["data_docs"].value) == index
        page = local_path(evaluation.metadata["data_docs_page"].value)
        assert page.exists() and page.is_relative_to(index.parent), key
        assert ".".join(key.path) in html, f"{key} missing from the Data Docs index"

    warehouse, seeds = Path(env["SOVAI_WAREHOUSE"]), Path(env["SOVAI_SEEDS_DIR"])
    instance = dg.DagsterInstance.ephemeral()
    break_market_concentration(warehouse)
    result = run_checks_only(warehouse, seeds, [CONCENTRATION], instance, expectations=True)
    check = evaluations(result)[dg.AssetCheckKey(CONCENTRATION, "great_expectations")]
    assert not check.passed
    broken = {(r["expectation"], r["column"]) for r in table_records(check.metadata["failures"])}
    assert ("expect_compound_columns_to_be_unique", "") in broken
    assert ("expect_column_values_to_be_between", "hhi") in broken
