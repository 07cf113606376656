"""The generic table checks on hand-made tables: each rule passes on good rows and names the
rows that break it."""

from pathlib import Path

import duckdb
import pytest

from pipelines.checks.contracts import TableContract
from pipelines.checks.table_checks import applicable_checks, evaluate, schema_change

CONTRACT = TableContract.from_mapping(
    {
        "keys": ["period", "market"],
        "shares": {"column": "share", "per": ["period", "market"]},
        "hhi": ["hhi"],
        "columns": ["period", "market", "vendor", "share", "hhi", "tco"],
    }
)
GOOD_ROWS = [
    ("2026-01-01", "gpus", "nvidia", 0.6, 3600.0, 10.0),
    ("2026-02-01", "gpus", "amd", 0.4, 1600.0, 11.0),
]


def table(path: Path, rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema analytics")
    con.execute(
        "create table analytics.t (period varchar, market varchar, vendor varchar, "
        "share double, hhi double, tco double)"
    )
    if rows:
        con.executemany("insert into analytics.t values (?, ?, ?, ?, ?, ?)", rows)
    return con


def run(con, check: str, contract: TableContract = CONTRACT):
    return evaluate(con, "analytics", "t", contract, check)


def test_a_contract_gets_the_generic_checks_and_the_ones_its_columns_name():
    assert set(applicable_checks(TableContract())) == {
        "row_count_nonzero",
        "metrics_finite",
        "column_schema_unchanged",
    }
    assert {"keys_unique", "shares_at_most_one", "hhi_in_range"} <= set(applicable_checks(CONTRACT))
    assert "row_count_nonzero" not in applicable_checks(TableContract(may_be_empty=True))


def test_good_rows_pass_every_check(tmp_path):
    con = table(tmp_path / "w.duckdb", GOOD_ROWS)
    for check in applicable_checks(CONTRACT):
        evaluation = run(con, check)
        assert evaluation.passed, (check, evaluation.description)


def test_an_empty_table_fails_the_row_count(tmp_path):
    evaluation = run(table(tmp_path / "w.duckdb", []), "row_count_nonzero")
    assert not evaluation.passed and "empty" in evaluation.description


def test_a_repeated_key_fails_and_names_the_key_and_its_copies(tmp_path):
    con = table(tmp_path / "w.duckdb", [*GOOD_ROWS, ("2026-01-01", "gpus", "intel", 0.1, 1, 1)])
    evaluation = run(con, "keys_unique")
    assert not evaluation.passed
    assert evaluation.failures.rows() == [("2026-01-01 / gpus", 2)]


def test_shares_of_a_group_above_one_fail_and_name_the_group(tmp_path):
    con = table(tmp_path / "w.duckdb", [*GOOD_ROWS, ("2026-02-01", "gpus", "intel", 0.7, 1, 1)])
    evaluation = run(con, "shares_at_most_one")
    assert not evaluation.passed
    assert evaluation.failures.rows() == [("2026-02-01 / gpus", pytest.approx(1.1))]


@pytest.mark.parametrize("hhi", [-1.0, 10000.5, float("nan")])
def test_an_hhi_outside_0_to_10000_fails(tmp_path, hhi):
    con = table(tmp_path / "w.duckdb", [GOOD_ROWS[0], (*GOOD_ROWS[1][:4], hhi, 1.0)])
    evaluation = run(con, "hhi_in_range")
    assert not evaluation.passed
    assert evaluation.failures.get_column("row").to_list() == ["2026-02-01 / gpus"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_metric_that_is_nan_or_infinite_fails(tmp_path, value):
    con = table(tmp_path / "w.duckdb", [GOOD_ROWS[0], (*GOOD_ROWS[1][:5], value)])
    evaluation = run(con, "metrics_finite")
    assert not evaluation.passed
    assert evaluation.failures.row(0, named=True)["column"] == "tco"


def test_a_contract_naming_a_missing_column_fails_instead_of_passing_silently(tmp_path):
    con = table(tmp_path / "w.duckdb", GOOD_ROWS)
    contract = TableContract.from_mapping({"keys": ["region"]})
    evaluation = run(con, "keys_unique", contract)
    assert not evaluation.passed and "region" in evaluation.description


def test_a_schema_change_lists_added_removed_retyped_and_undocumented_columns():
    previous = [("a", "VARCHAR"), ("b", "DOUBLE"), ("gone", "INTEGER")]
    now = [("a", "VARCHAR"), ("b", "BIGINT"), ("new", "DOUBLE")]
    evaluation = schema_change(now, previous, documented=["a", "b", "gone"])
    assert not evaluation.passed
    changes = {(row["column"], row["change"]) for row in evaluation.failures.iter_rows(named=True)}
    assert changes == {
        ("new", "added"),
        ("gone", "removed"),
        ("b", "type"),
        ("new", "undocumented"),
        ("gone", "documented, absent"),
    }
    assert schema_change(previous, previous, ["a", "b", "gone"]).passed
    assert schema_change(previous, None, []).passed  # a first materialization
