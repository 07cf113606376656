"""A Rust panic inside polars (pyo3's PanicException) derives from BaseException, not Exception:
it must still end as a short message, naming the file being checked when there is one."""

import polars as pl
from click.testing import CliRunner

from models.validation import Problem
from pipelines.cli import main
from pipelines.ingest import market_refresh
from pipelines.ingest.landing import MarketFile

PANIC = pl.exceptions.PanicException


def panics(*args, **kwargs):
    raise PANIC("index out of bounds: the len is 0 but the index is 0")


def test_a_panic_reading_one_seed_names_that_file_and_the_others_are_still_checked(
    seeds, monkeypatch
):
    monkeypatch.setattr("pipelines.ingest.seed_readers.vendors_seeds", panics)
    (seeds / "platforms.csv").write_text("platform\nx86\n", "utf-8")
    monkeypatch.delenv("SOVAI_DEBUG", raising=False)

    result = CliRunner().invoke(main, ["validate", str(seeds)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "vendors.yaml, whole file, column '-': checking this file crashed" in result.output
    assert "PanicException: index out of bounds" in result.output
    assert "platforms.csv, header, column 'power_watts'" in result.output  # still checked
    assert "nothing was published" in result.output


def test_a_panic_validating_a_table_names_its_file(seeds, monkeypatch):
    from pipelines.ingest import seeds as seed_module

    real = seed_module.validate_seed

    def panics_on_platforms(seed, model):
        return panics() if seed.table == "platforms" else real(seed, model)

    monkeypatch.setattr(seed_module, "validate_seed", panics_on_platforms)
    result = CliRunner().invoke(main, ["validate", str(seeds)])
    assert result.exit_code == 1, result.output
    assert "platforms.csv, whole file" in result.output and "crashed" in result.output


def test_a_panic_anywhere_else_is_one_message_not_a_traceback(monkeypatch):
    monkeypatch.setattr("pipelines.cli.explore.run_read_only", panics)
    monkeypatch.delenv("SOVAI_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["sql", "select 1"])
    assert result.exit_code == 1
    assert "Error: unexpected PanicException: index out of bounds" in result.output
    assert "Traceback" not in result.output


def test_a_panic_on_one_landing_file_refuses_that_file_only(tmp_path, monkeypatch):
    monkeypatch.setattr(market_refresh, "shares_from_file", panics)
    path = tmp_path / "q1.csv"
    path.write_text("period,market,region,vendor,share,source\n", "utf-8")
    outcome = market_refresh._validated_shares(MarketFile(path, "0" * 64, "landing"), set(), None)
    assert isinstance(outcome, list)
    (problem,) = outcome
    assert isinstance(problem, Problem) and problem.file.endswith("q1.csv")
    assert "crashed" in problem.rule and "PanicException" in problem.rule
