"""The shipped queries, `sovai tables`, the read-only `make sql` shell, and help and errors that
tell a person what to do, on one warehouse built by a real Dagster run."""

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.queries import saved_queries
from tests.cli.runner import PROJECT_ROOT, make, no_traceback, private_env, sovai
from tests.conftest import copy_built

SHIPPED = [
    "lowest-co2-platform",
    "market-concentration-latest",
    "vendor-risk",
    "export-control-thresholds",
    "table-versions",
    "market-files",
    "plan-summary",
]


@pytest.fixture(scope="module")
def env(tmp_path_factory, built_template) -> dict[str, str]:
    env = private_env(tmp_path_factory.mktemp("queries"))
    copy_built(built_template, Path(env["SOVAI_WAREHOUSE"]))
    return env


@pytest.fixture
def no_warehouse(tmp_path) -> dict[str, str]:
    return private_env(tmp_path)


def as_json(*args: str, env: dict[str, str]) -> list[dict]:
    result = sovai(*args, "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_shipped_query_opens_with_a_line_saying_what_it_answers():
    queries = saved_queries(PROJECT_ROOT / "sql" / "queries")
    assert set(SHIPPED) <= set(queries)
    for query in queries.values():
        assert query.sql.startswith("-- "), query.name
        assert len(query.description) > 20, query.name


def test_query_without_a_name_lists_the_queries_with_their_descriptions(env):
    listing = {row["query"]: row["description"] for row in as_json("query", env=env)}
    assert set(SHIPPED) <= set(listing)
    assert "lowest CO2 per million tokens" in listing["lowest-co2-platform"]


def test_plan_summary_answers_the_cheapest_obtainable_option_per_plan(env):
    rows = {row["plan"]: row for row in as_json("query", "plan-summary", env=env)}
    (cheapest,) = as_json(
        "sql",
        "select option, cost_per_million_tokens_usd from analytics.sovereign_compute_plans "
        "where plan = 'eu-sovereign-inference' and licence_status = 'not_required' "
        "and cost_per_million_tokens_usd is not null "
        "order by cost_per_million_tokens_usd limit 1",
        env=env,
    )
    eu = rows["eu-sovereign-inference"]
    assert eu["cheapest_option"] == cheapest["option"]
    assert eu["usd_per_m_tokens"] == round(cheapest["cost_per_million_tokens_usd"], 4)
    gulf = rows["gulf-sovereign-cluster"]
    assert gulf["obtainable"].startswith("0 of ") and gulf["cheapest_option"] is None
    assert gulf["capacity_kept"] == 0


def test_lowest_co2_platform_answers_with_the_minimum_of_platform_efficiency(env):
    (answer,) = as_json("query", "lowest-co2-platform", env=env)
    (direct,) = as_json(
        "sql",
        "select platform, co2_kg_per_million_tokens from analytics.platform_efficiency "
        "where co2_kg_per_million_tokens = "
        "(select min(co2_kg_per_million_tokens) from analytics.platform_efficiency)",
        env=env,
    )
    assert answer["platform"] == direct["platform"] == "projected_vera"
    assert answer["co2_kg_per_million_tokens"] == direct["co2_kg_per_million_tokens"]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_query_runs_and_returns_rows(env, name):
    assert len(as_json("query", name, env=env)) >= 1


def test_market_files_lists_each_ingested_file_with_its_shares_in_force(env):
    (seed_file,) = as_json("query", "market-files", env=env)
    seeds = Path(env["SOVAI_SEEDS_DIR"]) / "market_shares"
    assert seed_file["file_name"] == next(seeds.glob("*.csv")).name
    assert seed_file["shares_given"] == seed_file["shares_in_force"] > 0


def test_query_prints_csv_for_scripts(env):
    result = sovai("query", "export-control-thresholds", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("jurisdiction,parameter,rule,value")
    assert len(result.stdout.splitlines()) == 4


def test_list_cells_are_written_as_json_text_in_csv(env):
    """CSV has no lists: the candidates of an unmatched accelerator name come out as JSON."""
    result = sovai("query", "unmatched-accelerators", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    header, first, *_ = result.stdout.splitlines()
    assert header == "mlperf_accelerator,status,manufacturer,n_results,candidates"
    assert first == "NVIDIA L40S,unmatched,NVIDIA,99,[]"


def test_an_unknown_query_exits_1_and_lists_the_known_ones(env):
    result = sovai("query", "lowest-co2", env=env)
    assert result.returncode == 1
    assert "no saved query 'lowest-co2'" in result.stderr
    assert "Did you mean lowest-co2-platform" in result.stderr
    assert no_traceback(result)


def test_tables_lists_descriptions_without_repeating_the_version(env):
    rows = {row["table"]: row for row in as_json("tables", env=env)}
    efficiency = rows["analytics.platform_efficiency"]
    assert efficiency["version"] == 1
    assert efficiency["description"].startswith("Efficiency of each compute platform")
    assert not any("(version" in (row["description"] or "") for row in rows.values())


@pytest.mark.parametrize("args", [("tables",), ("query", "vendor-risk"), ("versions", "x")])
def test_commands_on_a_missing_warehouse_say_how_to_build_it(no_warehouse, args):
    result = sovai(*args, env=no_warehouse)
    assert result.returncode == 1
    assert "No warehouse at" in result.stderr and "make run" in result.stderr
    assert no_traceback(result)


def test_make_sql_opens_a_shell_that_refuses_writes_and_leaves_the_warehouse_unchanged(env):
    path = Path(env["SOVAI_WAREHOUSE"])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = make("sql", f"WAREHOUSE={path}", stdin="create table x(i int);\n")
    assert result.returncode != 0
    assert "read-only mode" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    reads = make(
        "sql", f"WAREHOUSE={path}", stdin=".mode csv\nselect count(*) as n from raw.vendors;\n"
    )
    assert reads.returncode == 0, reads.stderr
    assert reads.stdout.split() == ["n", "4"]


def test_make_help_lists_every_documented_target_and_make_ui_takes_a_port():
    result = make("help")
    assert result.returncode == 0, result.stderr
    for target in ("run", "test", "ui", "sql", "help"):
        assert f"make {target} " in result.stdout
    dry = make("-n", "ui", "PORT=3123")
    assert "-p 3123" in dry.stdout


def test_make_sql_without_a_warehouse_says_how_to_build_one(tmp_path):
    result = make("sql", f"WAREHOUSE={tmp_path / 'none.duckdb'}")
    assert result.returncode != 0
    assert f"No warehouse at {tmp_path / 'none.duckdb'}. Build it with 'make run'" in result.stderr


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_every_command_has_help_with_an_example(no_warehouse, command):
    result = sovai(*([command] if command else []), "--help", env=no_warehouse)
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


def test_an_unexpected_failure_is_one_line_with_what_to_do_not_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("pipelines.cli.explore.run_read_only", broken)
    monkeypatch.delenv("SOVAI_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["sql", "select 1"])
    assert result.exit_code == 1
    assert "Error: unexpected RuntimeError: boom" in result.output
    assert "SOVAI_DEBUG=1" in result.output
    assert "Traceback" not in result.output
