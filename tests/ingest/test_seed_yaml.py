"""The seed YAML loader: repeated keys, aliases, impossible dates and invalid text are refused with
their line instead of being silently merged, expanded or raised as a bare Python error."""

import time
from datetime import timedelta

import pytest

from models.validation import SeedValidationError
from pipelines.checks.freshness import DEFAULT_WARN_HOURS, market_freshness_policy
from pipelines.ingest.guards import seed_period_bounds
from pipelines.ingest.readers import read_yaml_mapping
from pipelines.ingest.seed_yaml import SeedYamlError, load_seed_yaml
from pipelines.ingest.seeds import load_seeds
from tests.conftest import edit


def refused(text: str) -> SeedYamlError:
    with pytest.raises(SeedYamlError) as caught:
        load_seed_yaml(text)
    return caught.value


def test_a_repeated_key_names_the_line_of_the_second_and_the_first():
    error = refused("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert (error.row, error.column) == ("line 4", "c")
    assert "key 'c' appears twice" in error.rule and "first on line 3" in error.rule


def test_the_same_key_in_two_different_mappings_is_fine():
    assert load_seed_yaml("a:\n  b: 1\nc:\n  b: 2\n") == {"a": {"b": 1}, "c": {"b": 2}}


def test_an_alias_is_refused_at_its_line_before_anything_is_expanded():
    levels = ['l0: &l0 "lol"'] + [
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)
    ]
    started = time.monotonic()
    error = refused("\n".join(levels))
    assert time.monotonic() - started < 1
    assert error.row == "line 2"
    assert "YAML aliases (*l0) are not allowed in seeds" in error.rule


def test_dates_stay_as_written_so_an_impossible_one_is_not_a_python_error():
    document = load_seed_yaml("a: 2000-13-45\nb: 2026-02-01\n")
    assert document == {"a": "2000-13-45", "b": "2026-02-01"}


def test_a_lone_surrogate_escape_is_refused_as_text_no_file_can_hold():
    error = refused('a: ok\nb: "x\\ud800"\n')
    assert error.row == "line 2" and "\\ud800" in error.rule


def test_read_yaml_mapping_reports_a_repeated_key_as_a_seed_problem(tmp_path):
    path = tmp_path / "vendors.yaml"
    path.write_text("vendors:\n  nvidia: {}\n  amd: {}\n  nvidia: {}\n", "utf-8")
    with pytest.raises(SeedValidationError) as caught:
        read_yaml_mapping(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == ("line 4", "nvidia")


def test_a_key_that_is_not_text_is_a_seed_problem_not_a_type_error(seeds):
    edit(seeds / "assumptions.yaml", "pue: 1.0", "pue: 1.0\n1: 2")
    with pytest.raises(SeedValidationError) as caught:
        load_seeds(seeds)
    assert any(
        p.file.endswith("assumptions.yaml") and p.column == "1" and "must be text" in p.rule
        for p in caught.value.problems
    ), caught.value


def test_planning_readers_of_assumptions_use_the_seed_loader_and_fall_back(seeds):
    # safe_load would take the second value (48 h); the seed loader refuses the file, so the
    # planning readers fall back and the run's validation reports the repeated key.
    warn = "market_freshness_warn_hours: 24"
    edit(seeds / "assumptions.yaml", warn, f"{warn}\nmarket_freshness_warn_hours: 48")
    assert seed_period_bounds(seeds) is None
    policy = market_freshness_policy(seeds)
    assert policy.warn_window.to_timedelta() == timedelta(hours=DEFAULT_WARN_HOURS)
