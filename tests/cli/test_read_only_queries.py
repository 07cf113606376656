"""Query paths cannot write, delete, attach or read files, whatever SQL they are given.

The red-team reproductions of issue 13, run against a real warehouse file (two publishes, so the
previous copy exists too): `sovai sql` and `sovai shell` (what `make sql` opens) in real
processes where the case is about the process, in-process through click where it is about a rule.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.instance import home_config
from pipelines.warehouse.publish import TableToPublish, publish
from tests.cli.runner import PROJECT_ROOT, SOVAI, make, no_traceback, sovai


def _table(rows: int) -> TableToPublish:
    return TableToPublish(
        name="platform_efficiency",
        schema="analytics",
        description="A stand-in table",
        frame=pl.DataFrame({"platform": [f"p{i}" for i in range(rows)], "tco_usd": range(rows)}),
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    publish(path, [_table(2)], run_id="one", code_version="1")
    publish(path, [_table(3)], run_id="two", code_version="1")  # keeps warehouse.duckdb.previous
    return path


@pytest.fixture
def env(warehouse: Path, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text(home_config(tmp_path / "home"))
    return {"SOVAI_WAREHOUSE": str(warehouse), "DAGSTER_HOME": str(tmp_path / "home")}


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder and its content hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def in_process(env: dict[str, str], *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_sovai_sql_cannot_empty_the_warehouse_folder_with_a_partitioned_copy(warehouse, env):
    folder = warehouse.parent
    before = fingerprint(folder)
    result = sovai(
        "sql",
        f"copy (select 1 as a, 2 as b) to '{folder}' "
        "(format csv, partition_by (a), overwrite true)",
        env=env,
    )
    assert result.returncode == 1
    assert "refused" in result.stderr and "file system operations are disabled" in result.stderr
    assert no_traceback(result)
    assert fingerprint(folder) == before
    assert {"warehouse.duckdb", "warehouse.duckdb.previous"} <= set(before)
    still = sovai("sql", "select count(*) from analytics.platform_efficiency", env=env)
    assert still.returncode == 0, still.stderr


@pytest.mark.parametrize(
    "statement",
    [
        "copy (select 1) to '{previous}'",
        "copy analytics.platform_efficiency to '{outside}/out.csv'",
        "export database '{outside}/export'",
        "attach '{outside}/other.duckdb' as other (read_write)",
        "select * from read_text('{secret}')",
        "select * from read_csv('{secret}')",
        "select * from glob('{outside}/*')",
        "install httpfs",
        "set enable_external_access = true",
        "set max_expression_depth to 10000000",
        "reset lock_configuration",
        "pragma enable_profiling='json'",
    ],
)
def test_no_statement_writes_reads_or_attaches_a_file_or_changes_a_setting(
    warehouse, env, tmp_path, statement
):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("not for queries\n")
    previous = warehouse.with_name(warehouse.name + ".previous")
    before = fingerprint(tmp_path)
    sql = statement.format(previous=previous, outside=outside, secret=secret)
    result = in_process(env, "sql", sql)
    assert result.exit_code == 1, result.output
    assert "not for queries" not in result.output
    assert fingerprint(tmp_path) == before
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_one_statement_per_call_so_nothing_rides_along(env):
    result = in_process(env, "sql", "select 1; select 2")
    assert result.exit_code == 1
    assert "holds 2 statements; run one at a time" in result.output


def test_a_runaway_query_is_stopped_at_the_time_limit_with_a_message(env):
    result = in_process(
        env,
        "sql",
        "--timeout",
        "1",
        "select sum(hash(a.range * b.range)) from range(100000) a, range(100000) b",
    )
    assert result.exit_code == 1
    assert "ran longer than 1 s and was stopped" in result.output
    assert "--timeout" in result.output


def test_a_very_deep_expression_is_a_parser_error_not_a_crash(env):
    deep = "+".join(["1"] * 20_000)
    result = in_process(env, "sql", f"select {deep}")
    assert result.exit_code == 1
    assert "Max expression depth" in result.output


def test_an_interval_result_is_shown_as_text(env):
    result = in_process(env, "sql", "--format", "csv", "select interval 3 day as gap, 1 as n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["gap,n", "3 days,1"]


def test_a_users_file_is_queryable_by_name_and_still_nothing_can_be_written(env, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("platform,budget\np1,10\np2,20\n")
    joined = in_process(
        env,
        "sql",
        "--file",
        f"mine={mine}",
        "--format",
        "csv",
        "select m.platform, m.budget, p.tco_usd from mine m "
        "join analytics.platform_efficiency p using (platform) order by 1",
    )
    assert joined.exit_code == 0, joined.output
    assert joined.output.splitlines() == ["platform,budget,tco_usd", "p1,10,1", "p2,20,2"]
    copy = in_process(env, "sql", "--file", f"mine={mine}", f"copy mine to '{tmp_path}/x.csv'")
    assert copy.exit_code == 1
    assert not (tmp_path / "x.csv").exists()


def test_the_shell_runs_sql_and_refuses_every_dot_command_that_reaches_outside(env, tmp_path):
    target = tmp_path / "touched"
    script = "\n".join(
        [
            f".shell touch {target}",
            f".system touch {target}",
            f".pager 'touch {target}'",
            f".output {target}",
            f".open {target}",
            f".read {target}",
            "select count(*) as n",
            "  from analytics.platform_efficiency;",
            f"copy analytics.platform_efficiency to '{target}';",
            ".mode csv",
            "select 7 as x;",
        ]
    )
    result = subprocess.run(
        [str(SOVAI), "shell"],
        input=script + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 1  # statements failed
    assert not target.exists()
    for command in (".shell", ".system", ".pager", ".output", ".open", ".read"):
        assert f"Error: {command} is not available" in result.stderr
    assert "file system operations are disabled" in result.stderr
    assert "│ 3 │" in result.stdout  # the two-line statement ran
    assert result.stdout.rstrip().endswith("x\n7")
    assert no_traceback(result)


def test_make_sql_is_the_sealed_shell(warehouse):
    before = fingerprint(warehouse.parent)
    result = make(
        "sql",
        f"WAREHOUSE={warehouse}",
        stdin=f".shell rm -f {warehouse}\ncopy (select 1) to '{warehouse}.previous';\n",
    )
    assert result.returncode != 0
    assert ".shell is not available" in result.stderr
    assert fingerprint(warehouse.parent) == before


def test_a_fifo_at_the_warehouse_path_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "warehouse.duckdb"
    os.mkfifo(fifo)
    env = {"SOVAI_WAREHOUSE": str(fifo), "DAGSTER_HOME": str(tmp_path)}
    for args in (("sql", "select 1"), ("tables",)):
        result = sovai(*args, env=env)  # the runner's timeout would fail a hang
        assert result.returncode == 1
        assert "is a named pipe (FIFO), not a regular file" in result.stderr
        assert no_traceback(result)
