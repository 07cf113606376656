"""What load_seeds reports when one seed file is broken: each fault names its file, row and column.

Every test copies the real seeds/ folder, breaks exactly one thing (unless it says otherwise) and
checks the SeedValidationError. Rules are matched on a few words ("a|b" means either) so that
rewording a message does not break a test, but a missing check does.
"""

import csv
import re
from pathlib import Path

import polars as pl
import pytest

from models.validation import Problem, SeedValidationError
from pipelines.ingest.seeds import RAW_TABLES, load_seeds
from tests.conftest import edit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SHARES = "market_shares/2026-02-ai-accelerators.csv"
SHARES_HEADER = "period,market,region,vendor,share,source\n"


def rewrite_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\n").writerows(change(rows))


def load_error(seeds_dir: Path) -> SeedValidationError:
    with pytest.raises(SeedValidationError) as caught:
        load_seeds(seeds_dir)
    return caught.value


def problems_for(seeds_dir: Path) -> list[Problem]:
    return load_error(seeds_dir).problems


def mentions(rule: str, *words: str) -> bool:
    """Every word (or one of its "a|b" alternatives) appears in the rule, ignoring case."""
    return all(any(w.lower() in rule.lower() for w in word.split("|")) for word in words)


def assert_reported(
    error: SeedValidationError, file: str, row: str, column: str, *words: str
) -> Problem:
    """A problem at file/row/column whose rule mentions words, also shown on one line of str()."""
    matches = [
        p
        for p in error.problems
        if p.file.endswith(file)
        and p.row == row
        and p.column == column
        and mentions(p.rule, *words)
    ]
    assert matches, f"no problem at {file}, {row}, {column} mentioning {words} in:\n{error}"
    shown = [line for line in str(error).splitlines() if file in line and row in line]
    assert any(f"'{column}'" in line for line in shown), str(error)
    return matches[0]


def reported(seeds_dir: Path, file: str, row: str, column: str, *words: str) -> Problem:
    return assert_reported(load_error(seeds_dir), file, row, column, *words)


# --- platforms.csv ------------------------------------------------------------------------------


def test_non_numeric_power_is_reported_with_file_line_and_column(seeds):
    edit(seeds / "platforms.csv", "145,280,", "145,lots,")
    problem = reported(seeds, "platforms.csv", "line 3", "power_watts", "number")
    assert problem.value == "lots"


def test_negative_power_is_rejected_as_not_positive(seeds):
    edit(seeds / "platforms.csv", "145,280,", "145,-280,")
    reported(seeds, "platforms.csv", "line 3", "power_watts", "greater|>|positive", "0")


def test_zero_throughput_is_rejected_as_not_positive(seeds):
    edit(seeds / "platforms.csv", "7500,22000,", "7500,0,")
    reported(seeds, "platforms.csv", "line 3", "throughput_tokens_per_s", "greater|>|positive")


def test_status_outside_current_and_projected_is_rejected(seeds):
    edit(seeds / "platforms.csv", "22000,current", "22000,retired")
    problem = reported(seeds, "platforms.csv", "line 3", "status", "current", "projected")
    assert problem.value == "retired"


def test_a_duplicate_platform_row_is_reported_as_not_unique(seeds):
    path = seeds / "platforms.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[2]]), encoding="utf-8")  # grace_cpu again, line 5
    reported(seeds, "platforms.csv", "line 5", "platform", "unique")


def test_an_extra_platform_column_is_reported_in_the_header(seeds):
    rewrite_csv(
        seeds / "platforms.csv", lambda rows: [[*rows[0], "colour"]] + [[*r, "x"] for r in rows[1:]]
    )
    reported(seeds, "platforms.csv", "header", "colour", "contract|unexpected|not allowed")


def test_a_missing_platform_column_is_reported_in_the_header(seeds):
    rewrite_csv(seeds / "platforms.csv", lambda rows: [r[:1] + r[2:] for r in rows])
    reported(seeds, "platforms.csv", "header", "performance_score", "missing")


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("145,280,", "145,nan,", "power_watts"),
        ("280,7500,", "280,inf,", "cost_per_unit_usd"),
    ],
)
def test_nan_and_infinity_are_rejected_in_numeric_columns(seeds, old, new, column):
    edit(seeds / "platforms.csv", old, new)
    reported(seeds, "platforms.csv", "line 3", column, "finite|number")


def test_crlf_line_endings_in_platforms_are_accepted_with_the_same_values(seeds):
    path = seeds / "platforms.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert load_seeds(seeds)["platforms"].equals(load_seeds(SEEDS)["platforms"])


# --- market_shares/*.csv ------------------------------------------------------------------------


def test_a_share_above_one_is_rejected(seeds):
    edit(seeds / SHARES, "nvidia,0.85", "nvidia,1.5")
    problem = reported(seeds, SHARES, "line 2", "share", "between|at most", "1")
    assert problem.value == "1.5"


def test_shares_of_one_period_market_and_region_may_not_add_up_to_more_than_one(seeds):
    edit(seeds / SHARES, "amd,0.10", "amd,0.20")  # total 1.10, every single share is in range
    reported(seeds, SHARES, "line 3", "share", "add up|sum|total", "1")


def test_a_vendor_missing_from_vendors_yaml_is_rejected(seeds):
    edit(seeds / SHARES, "global,intel,", "global,acme,")
    problem = reported(seeds, SHARES, "line 4", "vendor", "vendors.yaml")
    assert problem.value == "acme"


def test_other_is_accepted_as_the_vendor_of_an_unallocated_remainder(seeds):
    (seeds / "market_shares/2026-03.csv").write_text(
        SHARES_HEADER
        + "2026-03-01,ai_accelerators,global,nvidia,0.8,x\n"
        + "2026-03-01,ai_accelerators,global,other,0.2,x\n",
        encoding="utf-8",
    )
    shares = load_seeds(seeds)["market_shares"]
    assert shares.height == 6
    assert "other" in shares.get_column("vendor").to_list()


def test_a_period_that_is_not_an_iso_date_is_rejected(seeds):
    edit(
        seeds / SHARES,
        "2026-02-01,ai_accelerators,global,amd",
        "Feb 2026,ai_accelerators,global,amd",
    )
    problem = reported(seeds, SHARES, "line 3", "period", "date")
    assert problem.value == "Feb 2026"


def test_a_duplicate_period_market_region_vendor_row_is_reported_as_not_unique(seeds):
    edit(seeds / SHARES, "global,intel,", "global,amd,")  # lines 3 and 4 now share their key
    problems = [p for p in problems_for(seeds) if p.file.endswith(SHARES)]
    assert {p.row for p in problems if mentions(p.rule, "unique")} == {"line 3", "line 4"}


def test_a_duplicate_market_share_row_names_the_key_columns_it_repeats(seeds):
    edit(seeds / SHARES, "global,intel,", "global,amd,")
    for problem in problems_for(seeds):
        assert mentions(f"{problem.column} {problem.rule}", "period", "market", "region", "vendor")


def test_a_bad_row_in_a_second_market_shares_file_names_that_file(seeds):
    (seeds / "market_shares/2026-03.csv").write_text(
        SHARES_HEADER
        + "2026-03-01,ai_accelerators,global,nvidia,0.8,x\n"
        + "2026-03-01,ai_accelerators,global,amd,-0.1,x\n",
        encoding="utf-8",
    )
    error = load_error(seeds)
    assert_reported(error, "market_shares/2026-03.csv", "line 3", "share", "between|at least")
    assert not any(p.file.endswith(SHARES) for p in error.problems)


# --- YAML seeds ---------------------------------------------------------------------------------


def test_an_unknown_geopolitical_risk_is_reported_under_the_vendor_key(seeds):
    edit(
        seeds / "vendors.yaml",
        "geopolitical_risk: low\n    geopolitical_note: null\n    supply_capacity: limited",
        "geopolitical_risk: extreme\n    geopolitical_note: null\n    supply_capacity: limited",
    )
    problem = reported(seeds, "vendors.yaml", "vendors.intel", "geopolitical_risk", "low", "high")
    assert problem.value == "extreme"


def test_a_non_numeric_horizon_is_rejected(seeds):
    edit(seeds / "assumptions.yaml", "horizon_years: 3 ", "horizon_years: three ")
    reported(seeds, "assumptions.yaml", "document", "horizon_years", "number")


def test_a_utilization_above_one_is_rejected(seeds):
    edit(seeds / "assumptions.yaml", "utilization: 1.0 ", "utilization: 1.5 ")
    reported(seeds, "assumptions.yaml", "document", "utilization", "less|<=|at most|range", "1")


def test_a_benefit_above_one_is_rejected(seeds):
    edit(seeds / "strategy/meta-nvidia.yaml", "value: 0.50", "value: 1.5")
    reported(seeds, "strategy/meta-nvidia.yaml", "benefits item 3", "value", "less|<=|at most", "1")


UNCLOSED = (
    "focus: [advanced_ai_chips, chip_manufacturing_equipment, eda_software, technical_support]"
)


def break_us_policy_yaml(seeds_dir: Path) -> int:
    """Drop a closing bracket in policy/us.yaml; returns the 1-based line of the fault."""
    path = seeds_dir / "policy/us.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    fault = next(i for i, line in enumerate(lines, start=1) if UNCLOSED in line)
    edit(path, UNCLOSED, UNCLOSED.rstrip("]"))
    return fault


def test_malformed_yaml_is_reported_with_its_file_and_line(seeds):
    fault = break_us_policy_yaml(seeds)
    error = load_error(seeds)
    problem = next(p for p in error.problems if p.file.endswith("policy/us.yaml"))
    assert mentions(problem.rule, "yaml")
    line = re.fullmatch(r"line (\d+)", problem.row)
    assert line and fault <= int(line[1]) <= fault + 1, problem
    assert_reported(error, "policy/us.yaml", problem.row, "-", "yaml")


def test_malformed_yaml_in_one_policy_file_reports_nothing_about_the_others(seeds):
    break_us_policy_yaml(seeds)
    assert all(p.file.endswith("policy/us.yaml") for p in problems_for(seeds))


def test_a_list_where_a_mapping_is_expected_is_reported_for_the_whole_file(seeds):
    (seeds / "vendors.yaml").write_text("- nvidia\n- amd\n", encoding="utf-8")
    reported(seeds, "vendors.yaml", "whole file", "-", "mapping")


# --- the whole folder ---------------------------------------------------------------------------


def test_one_run_reports_problems_of_every_file(seeds):
    edit(seeds / "platforms.csv", "145,280,", "145,lots,")
    edit(seeds / "assumptions.yaml", "utilization: 1.0 ", "utilization: 1.5 ")
    error = load_error(seeds)
    assert_reported(error, "platforms.csv", "line 3", "power_watts", "number")
    assert_reported(error, "assumptions.yaml", "document", "utilization", "1")


def test_the_unmodified_seeds_load_without_error_into_twenty_seven_tables():
    tables = load_seeds(SEEDS)
    assert len(tables) == 27
    assert set(tables) == set(RAW_TABLES)
    assert tables["platforms"].height == 3
    assert tables["platforms"].schema["power_watts"] == pl.Float64
