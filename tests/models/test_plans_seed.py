"""seeds/plans/*.yaml: the shipped plans load with their sources; a bad field is refused with its
file, field and rule; the destinations' licence requirements are data with legal sources."""

from pathlib import Path

import polars as pl
import pytest

from models.validation import Problem, SeedValidationError
from pipelines.ingest.seeds import load_seeds
from tests.conftest import edit
from tests.models.test_bad_seeds import assert_reported, reported

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
EU = "plans/eu-sovereign-inference.yaml"


def plan_reported(seeds_dir: Path, row: str, column: str, *words: str) -> Problem:
    """The problem the plans' own ingest (load_seeds of the plans group) reports."""
    with pytest.raises(SeedValidationError) as caught:
        load_seeds(seeds_dir, "plans")
    return assert_reported(caught.value, EU, row, column, *words)


def test_the_shipped_plans_load_one_per_file_with_sources():
    plans = load_seeds(SEEDS, "plans")["compute_plans"]
    assert {"eu-sovereign-inference", "gulf-sovereign-cluster"} <= set(plans.get_column("plan"))
    assert plans.get_column("electricity_source").is_not_null().all()
    assert plans.get_column("grid_source").is_not_null().all()
    assert plans.schema["availability"] == pl.List(pl.String)
    gulf = plans.filter(pl.col("plan") == "gulf-sovereign-cluster").row(0, named=True)
    assert (gulf["destination"], gulf["export_rule"]) == ("saudi_arabia", 2023)


def test_licence_requirements_are_country_groups_with_their_legal_source():
    seeds = load_seeds(SEEDS, "policy")
    requirements = seeds["export_control_licence_requirements"]
    rule_2023 = requirements.filter(pl.col("rule") == 2023).row(0, named=True)
    assert rule_2023["country_groups"] == ["D:1", "D:4", "D:5"]
    assert rule_2023["except_country_groups"] == ["A:5", "A:6"]
    assert "742.6(a)(6)(iii)" in rule_2023["legal_source"]
    assert "88 FR 73458" in rule_2023["legal_source"]
    destinations = seeds["export_control_destinations"]
    saudi = destinations.filter(pl.col("destination") == "saudi_arabia").row(0, named=True)
    assert saudi["country_groups"] == ["D:4"] and "740 Supp. 1" in saudi["legal_source"]


def test_a_scenario_mlperf_does_not_have_names_the_file_the_field_and_the_rule(seeds):
    edit(seeds / EU, "scenario: Server ", "scenario: Interactive ")
    problem = plan_reported(seeds, "document", "scenario", "must be one of", "Offline", "Server")
    assert problem.value == "Interactive"


def test_a_pue_below_one_is_refused(seeds):
    edit(seeds / EU, "pue: 1.2 ", "pue: 0.8 ")
    plan_reported(seeds, "document", "pue", "at least 1")


def test_an_unknown_availability_class_is_refused(seeds):
    edit(seeds / EU, "availability: [available]", "availability: [available, rumoured]")
    plan_reported(seeds, "document", "availability", "available, preview, rdi")


def test_a_missing_required_field_is_named(seeds):
    edit(seeds / EU, "power_budget_mw: 10 ", "# power_budget_mw: 10 ")
    plan_reported(seeds, "document", "power_budget_mw", "must not be empty")


def test_a_destination_without_country_groups_is_refused_by_validate(seeds):
    # checked across seed groups, as `sovai validate` does (a run's ingest reads one group)
    edit(seeds / EU, "destination: germany ", "destination: atlantis ")
    reported(seeds, EU, "document", "destination", "export_controls.destinations", "germany")
