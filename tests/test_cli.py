"""The sovai command as a user runs it: real processes, a private warehouse and Dagster home."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"
REFERENCE_QUERY = "select platform, round(tco_usd,1) from analytics.platform_efficiency order by 1"


def sovai(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SOVAI), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
    )


def private_env(root: Path) -> dict[str, str]:
    """A private seeds copy, warehouse and Dagster home under root."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "seeds", root / "seeds")
    (root / "dagster_home").mkdir()
    return {
        "SOVAI_WAREHOUSE": str(root / "wh" / "warehouse.duckdb"),
        "SOVAI_SEEDS_DIR": str(root / "seeds"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "SOVAI_EXPECTATIONS": "off",  # tests/checks/test_expectations.py runs the GX suites
    }


@pytest.fixture
def user_env(tmp_path) -> dict[str, str]:
    return private_env(tmp_path / "user")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    """One `sovai run` shared by the tests that only read its warehouse (or rerun it)."""
    env = private_env(tmp_path_factory.mktemp("built"))
    result = sovai("run", env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_validate_accepts_the_shipped_seeds(user_env):
    result = sovai("validate", env=user_env)
    assert result.returncode == 0, result.stderr
    assert "OK: 13 seed tables" in result.stdout


def test_validate_lists_each_problem_without_a_traceback_and_exits_1(user_env, seeds):
    platforms = seeds / "platforms.csv"
    platforms.write_text(platforms.read_text().replace(",current,", ",legacy,", 1))
    result = sovai("validate", str(seeds), env=user_env)
    assert result.returncode == 1
    assert "platforms.csv, line 2, column 'status'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


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


def test_a_second_run_reports_unchanged_tables(built):
    result = sovai("run", env=built)
    assert result.returncode == 0, result.stderr
    assert "unchanged, no new version" in result.stdout
    assert "new version" not in result.stdout.replace("no new version", "")


def test_a_usage_error_exits_2(user_env):
    assert sovai("sql", "--format", "xml", "select 1", env=user_env).returncode == 2
