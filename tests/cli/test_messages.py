"""Messages that say what happened: a missing seeds folder, and SQL errors that say whether the
query was refused for writing, has a syntax error, or names a table or column that is not there."""

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.warehouse.publish import TableToPublish, publish


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_validate_of_a_folder_that_does_not_exist_is_a_usage_error_naming_it(tmp_path):
    result = invoke("validate", str(tmp_path / "no-such-folder"))
    assert result.exit_code == 2
    assert "no-such-folder' does not exist" in result.output
    assert "problem in the input data" not in result.output


def test_validate_of_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "seeds.csv").write_text("a\n1\n")
    result = invoke("validate", str(tmp_path / "seeds.csv"))
    assert result.exit_code == 2 and "is a file" in result.output


def test_validate_when_sovai_seeds_dir_names_no_folder_says_so(tmp_path):
    missing = tmp_path / "gone"
    result = invoke("validate", env={"SOVAI_SEEDS_DIR": str(missing)})
    assert result.exit_code == 1
    assert f"the seeds folder {missing} does not exist" in result.output
    assert "SOVAI_SEEDS_DIR" in result.output


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "wh" / "warehouse.duckdb"
    table = TableToPublish(
        name="platform_efficiency",
        schema="analytics",
        description="A stand-in table",
        frame=pl.DataFrame({"platform": ["p0", "p1"], "tco_usd": [1.0, 2.0]}),
    )
    publish(path, [table], run_id="one", code_version="1")
    return {"SOVAI_WAREHOUSE": str(path)}


def sql_error(env: dict[str, str], query: str) -> str:
    result = invoke("sql", query, env=env)
    assert result.exit_code == 1, result.output
    return result.output


def test_a_syntax_error_says_so_and_not_that_the_warehouse_is_read_only(env):
    message = sql_error(env, "selec 1")
    assert message.startswith("Error: the query has a syntax error: ")
    assert 'syntax error at or near "selec"' in message
    assert "read-only" not in message and "sovai tables" not in message


@pytest.mark.parametrize(
    "query",
    [
        "select * from analytics.no_such_table",
        "select no_such_column from analytics.platform_efficiency",
    ],
)
def test_a_missing_table_or_column_points_at_sovai_tables(env, query):
    message = sql_error(env, query)
    assert "no_such" in message and "sovai tables" in message
    assert "read-only" not in message


@pytest.mark.parametrize(
    "query", ["drop view analytics.platform_efficiency", "create table t (x int)"]
)
def test_a_statement_that_writes_is_refused_as_read_only(env, query):
    message = sql_error(env, query)
    assert message.startswith("Error: the query was refused: ")
    assert "The warehouse is read-only here" in message
    assert "syntax error" not in message


def test_any_other_error_says_only_what_failed(env):
    message = sql_error(env, "select cast('x' as integer)")
    assert message.startswith("Error: the query failed: ")
    assert "read-only" not in message and "sovai tables" not in message


def test_a_bad_refresh_cron_stops_sovai_run_with_the_setting_named_not_as_a_bug(tmp_path):
    from tests.cli.runner import private_env, sovai

    env = private_env(tmp_path) | {"SOVAI_REFRESH_CRON": "every day"}
    result = sovai("run", env=env)
    assert result.returncode == 1
    assert "SOVAI_REFRESH_CRON='every day' is not a cron schedule" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    tables = sovai("tables", env=env)  # a reading command never builds the schedule
    assert "No warehouse" in tables.stderr and "SOVAI_REFRESH_CRON" not in tables.stderr
