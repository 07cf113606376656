"""`sovai tables`, `sovai versions TABLE` and a wide `sovai sql` result on a terminal of 80 and 120
columns, on a warehouse built by a real Dagster run: every line fits, and every header and every
number is there whole, as the value prints."""

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import layout, main
from pipelines.cli.common import warehouse
from pipelines.cli.explore import TABLES, run_read_only
from tests.cli.runner import private_env
from tests.cli.test_layout import whole, widest_line
from tests.conftest import copy_built

WIDE_SQL = "select * from analytics.platform_efficiency"


@pytest.fixture(scope="module")
def env(tmp_path_factory, built_template) -> dict[str, str]:
    env = private_env(tmp_path_factory.mktemp("tables_fit"))
    copy_built(built_template, Path(env["SOVAI_WAREHOUSE"]))
    return env


def expected(env: dict[str, str], args: list[str]) -> pl.DataFrame:
    """The frame the command prints, read as the command reads it."""
    from pipelines.warehouse.inspect import resolve_table, version_log

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        if args[0] == "sql":
            return run_read_only(args[1], "the query")
        with warehouse() as con:
            if args[0] == "tables":
                return con.sql(TABLES).pl()
            return version_log(con, resolve_table(con, args[1]))


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(
    "args", [["tables"], ["versions", "platform_efficiency"], ["sql", WIDE_SQL]]
)
def test_every_header_and_number_is_whole_on_a_terminal(env, monkeypatch, args, width):
    frame = expected(env, args)
    assert frame.height >= 1
    if args[0] == "sql":
        assert frame.width >= 20
    monkeypatch.setattr(layout, "stdout_is_terminal", lambda: True)
    result = CliRunner().invoke(main, args, env={**env, "COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    output = result.output
    assert widest_line(output) <= width
    assert "…" not in output
    for header in frame.columns:
        assert whole(header, output), header
    numbers = [name for name, dtype in frame.schema.items() if dtype.is_numeric()]
    assert numbers
    for value in frame.select(numbers).iter_rows():
        for cell in value:
            assert whole(layout.cell_text(cell), output), (cell, output)
