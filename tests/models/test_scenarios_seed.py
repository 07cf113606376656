"""seeds/scenarios/*.yaml: the shipped files load; a bad scenario names its file, item, column."""

from pathlib import Path

import polars as pl
import pytest

from models.validation import SeedValidationError
from pipelines.ingest.seeds import load_seeds
from tests.conftest import edit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MERGERS = "scenarios/illustrative-mergers.yaml"
SHIFTS = "scenarios/hyperscaler-diversification.yaml"


def problems(seeds_dir: Path) -> list:
    with pytest.raises(SeedValidationError) as caught:
        load_seeds(seeds_dir)
    return caught.value.problems


def find(found: list, file: str, row: str, column: str, word: str):
    matches = [
        p
        for p in found
        if p.file.endswith(file) and p.row == row and p.column == column and word in p.rule
    ]
    assert matches, f"no problem at {file}, {row}, {column} with {word!r} in {found}"
    return matches[0]


def test_the_shipped_scenarios_load_with_their_source():
    scenarios = load_seeds(SEEDS)["scenarios"]
    assert scenarios.height >= 3
    assert set(scenarios.get_column("kind")) == {"merger", "shift"}
    assert scenarios.schema["period"] == pl.Date
    assert scenarios.schema["amount"] == pl.Float64
    assert scenarios.get_column("source").is_not_null().all()
    merger = scenarios.filter(pl.col("kind") == "merger").row(0, named=True)
    assert "ILLUSTRATIVE" in merger["source"]


def test_an_unknown_kind_names_the_file_the_item_and_the_column(seeds):
    edit(seeds / MERGERS, "kind: merger", "kind: acquisition")
    problem = find(problems(seeds), MERGERS, "scenarios item 1", "kind", "merger")
    assert problem.value == "acquisition"


def test_a_merger_without_vendor_b_is_reported_on_vendor_b(seeds):
    edit(seeds / MERGERS, "    vendor_b: intel\n", "")
    find(problems(seeds), MERGERS, "scenarios item 1", "vendor_b", "needs vendor_b")


def test_a_shift_without_amount_is_reported_on_amount(seeds):
    edit(seeds / SHIFTS, "    amount: 0.05 ", "    # amount: 0.05 ")
    find(problems(seeds), SHIFTS, "scenarios item 2", "amount", "amount")


def test_an_amount_above_one_is_rejected(seeds):
    edit(seeds / SHIFTS, "amount: 0.10", "amount: 10")
    problem = find(problems(seeds), SHIFTS, "scenarios item 1", "amount", "between")
    assert problem.value == "10.0"


def test_a_period_that_is_not_an_iso_date_is_rejected(seeds):
    edit(seeds / MERGERS, "period: 2026-02-01", "period: Feb 2026")
    find(problems(seeds), MERGERS, "scenarios item 1", "period", "date")


def test_other_is_not_a_vendor_a_shift_can_move_share_to(seeds):
    edit(seeds / SHIFTS, "to_vendor: intel", "to_vendor: other")
    find(problems(seeds), SHIFTS, "scenarios item 2", "to_vendor", "other")


def test_a_scenario_key_used_twice_is_not_unique(seeds):
    edit(seeds / SHIFTS, "diversify_nvidia_to_intel_5pct", "diversify_nvidia_to_amd_10pct")
    found = problems(seeds)
    assert {p.row for p in found if p.column == "scenario" and "unique" in p.rule} == {
        "scenarios item 1",
        "scenarios item 2",
    }


def test_a_file_of_shifts_only_still_has_every_column(seeds):
    (seeds / MERGERS).unlink()
    scenarios = load_seeds(seeds)["scenarios"]
    assert scenarios.height == 2
    assert scenarios.get_column("vendor_a").is_null().all()


def test_a_file_without_a_scenarios_list_is_reported(seeds):
    (seeds / MERGERS).write_text("source: x\nscenarios: none\n", encoding="utf-8")
    find(problems(seeds), MERGERS, "document", "scenarios", "list")
