"""`sovai validate`, `run` and `sql` as a user runs them: real processes, a private warehouse."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.cli.runner import no_traceback, private_env, sovai

REFERENCE_QUERY = "select platform, round(tco_usd,1) from analytics.platform_efficiency order by 1"


@pytest.fixture
def user_env(tmp_path) -> dict[str, str]:
    return private_env(tmp_path)


@pytest.fixture(scope="module")
def first_run(sovai_built):
    """The session's first `sovai run` (not a terminal, so no progress bar; Great Expectations
    on, so the silence test sees them run): its environment and what it printed."""
    return sovai_built.env, sovai_built


@pytest.fixture(scope="module")
def built(sovai_built, tmp_path_factory) -> dict[str, str]:
    """A copy of that build, its Dagster home included, for the module's runs and readers."""
    return sovai_built.copy_to(tmp_path_factory.mktemp("built")) | {"SOVAI_EXPECTATIONS": "on"}


def test_validate_accepts_the_shipped_seeds(user_env):
    result = sovai("validate", env=user_env)
    assert result.returncode == 0, result.stderr
    assert "OK: 27 seed tables" in result.stdout


def test_validate_lists_each_problem_without_a_traceback_and_exits_1(user_env):
    seeds = Path(user_env["SOVAI_SEEDS_DIR"])
    platforms = seeds / "platforms.csv"
    platforms.write_text(platforms.read_text().replace(",current,", ",legacy,", 1))
    result = sovai("validate", str(seeds), env=user_env)
    assert result.returncode == 1
    assert "platforms.csv, line 2, column 'status'" in result.stderr
    assert no_traceback(result)


def test_run_creates_the_landing_folder_so_a_file_can_be_dropped_in(first_run):
    env, _ = first_run
    assert Path(env["SOVAI_LANDING_DIR"]).is_dir()


def test_run_outside_a_terminal_prints_no_progress_bar(first_run):
    _, result = first_run
    assert "Running refresh_all" in result.stderr
    assert "━" not in result.stderr
    assert "analytics/platform_efficiency" in result.stdout


def test_run_then_sql_prints_the_reference_tco_values(built):
    assert not Path(built["SOVAI_WAREHOUSE"]).with_suffix(".duckdb.wal").exists()
    result = sovai("sql", REFERENCE_QUERY, env=built)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "_" in line and "│" in line]
    cells = [[cell.strip() for cell in line.strip("│ ").split("│")] for line in lines]
    assert cells[-3:] == [
        ["grace_cpu", "8603.8"],
        ["projected_vera", "7985.5"],
        ["x86_current", "9379.7"],
    ]


def test_sql_writes_csv_and_json_for_scripts(built):
    as_csv = sovai("sql", "--format", "csv", REFERENCE_QUERY, env=built)
    assert as_csv.stdout.splitlines()[1:] == [
        "grace_cpu,8603.8",
        "projected_vera,7985.5",
        "x86_current,9379.7",
    ]
    as_json = sovai("sql", "--format", "json", REFERENCE_QUERY, env=built)
    assert json.loads(as_json.stdout)[0] == {"platform": "grace_cpu", "round(tco_usd, 1)": 8603.8}


def test_sql_is_read_only(built):
    result = sovai("sql", "drop view analytics.platform_efficiency", env=built)
    assert result.returncode == 1
    assert "read-only" in result.stderr.lower()
    assert sovai("sql", REFERENCE_QUERY, env=built).returncode == 0


def test_failing_sql_exits_1_with_the_database_error_and_what_to_check(built):
    result = sovai("sql", "select * from analytics.no_such_table", env=built)
    assert result.returncode == 1
    assert "no_such_table" in result.stderr
    assert "sovai tables" in result.stderr
    assert no_traceback(result)


def test_sql_cannot_change_the_warehouse_whatever_the_statement(built):
    warehouse = Path(built["SOVAI_WAREHOUSE"])
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    for statement in (
        "insert into meta.table_versions select * from meta.table_versions",
        "create table analytics.mine as select 1 as x",
        "update history.platform_efficiency set tco_usd = 0",
        "delete from history.platform_efficiency",
        "create or replace view analytics.platform_efficiency as select 1 as x",
    ):
        result = sovai("sql", statement, env=built)
        assert result.returncode == 1, statement
        assert "read-only" in result.stderr.lower(), result.stderr
        assert "Traceback" not in result.stderr
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


def test_sql_on_a_missing_warehouse_says_how_to_build_it(user_env):
    result = sovai("sql", "select 1", env=user_env)
    assert result.returncode == 1
    assert "make run" in result.stderr
    assert no_traceback(result)


def test_a_file_that_is_not_a_warehouse_is_refused_with_what_to_do(user_env):
    path = Path(user_env["SOVAI_WAREHOUSE"])
    path.parent.mkdir(parents=True)
    path.write_text("not a database")
    result = sovai("tables", env=user_env)
    assert result.returncode == 1
    assert f"The warehouse file {path} is damaged" in result.stderr
    assert "move the damaged file aside and run `sovai run`" in result.stderr
    assert no_traceback(result)


def test_a_second_run_with_nothing_changed_runs_nothing_and_says_so(built):
    result = sovai("run", env=built)
    assert result.returncode == 0, result.stderr
    assert "Up to date" in result.stderr
    assert result.stdout == "", "no table was rebuilt, so none is listed"
    assert "Running" not in result.stderr
    quiet = sovai("run", "--quiet", env=built)
    assert quiet.returncode == 0 and quiet.stdout == quiet.stderr == ""


# A library's warning (BetaWarning, DeprecationWarning, ...), a warnings.warn line, Dagster's
# DEBUG event lines, or Great Expectations talking
LIBRARY_NOISE = re.compile(
    r"\w+Warning\b|warnings\.warn|- DEBUG -|Validation result not found|great_expectations"
)


def test_a_run_and_a_no_op_run_print_no_library_warnings_or_debug_lines(first_run, built):
    _, result = first_run  # a full build, Great Expectations suites included
    assert "data_quality" in result.stderr
    noise = [
        line for line in (result.stdout + result.stderr).splitlines() if LIBRARY_NOISE.search(line)
    ]
    assert noise == []
    again = sovai("run", env=built, own_process=True)  # what importing prints included
    assert again.returncode == 0
    assert not LIBRARY_NOISE.search(again.stdout + again.stderr)
    assert len(again.stderr.splitlines()) == 2, again.stderr


def test_a_usage_error_exits_2(user_env):
    assert sovai("sql", "--format", "xml", "select 1", env=user_env).returncode == 2


def test_a_failed_runs_message_names_what_it_published_and_that_the_rest_stands():
    from pipelines.cli.job_runs import _what_stands

    assert _what_stands([]) == ("\nNothing was published: every table keeps its previous version.")
    message = _what_stands(["raw/market_shares v3"])
    assert "Published before the failure (listed above): raw/market_shares v3." in message
    assert "the next run recomputes what depends on the tables that moved" in message
