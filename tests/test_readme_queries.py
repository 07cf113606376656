"""Every query the README shows runs on a freshly built warehouse: each `sovai sql "..."` and
`sovai query NAME` line, as a person would paste it (through the CLI, in-process)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from tests.cli.runner import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SQL = re.findall(r'^(?:\$ )?\.venv/bin/sovai sql "(.+)"$', README, flags=re.MULTILINE)
SAVED = sorted(set(re.findall(r"^(?:\$ )?\.venv/bin/sovai query ([a-z0-9-]+)", README, re.M)))


def test_the_readme_shows_queries():
    assert len(SQL) >= 6 and len(SAVED) >= 5


@pytest.mark.parametrize(
    "args",
    [["sql", "--format", "csv", text] for text in SQL]
    + [["query", "--format", "csv", name] for name in SAVED],
    ids=lambda args: args[-1][:60],
)
def test_a_readme_query_runs_and_returns_rows(built_template, args):
    result = CliRunner().invoke(main, args, env={"SOVAI_WAREHOUSE": str(built_template)})
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) >= 2, result.output  # a header and a row


def test_the_methods_page_exists_covers_each_rule_and_the_readme_links_it():
    methods = (PROJECT_ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    for heading in (
        "Compute platforms",
        "Market concentration",
        "Merger and shift scenarios",
        "Hardware concentration",
        "National AI policy",
        "Export-control screening",
        "MLPerf efficiency",
    ):
        assert f"## {heading}" in methods
    for rule in ("Note 2", "TF32", "applicable die area", "30%", "baseline", "price basis"):
        assert rule.lower() in methods.lower(), rule
    assert "(docs/methods.md)" in README
