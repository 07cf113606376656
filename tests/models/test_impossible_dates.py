"""Dates of the ISO shape that name no day (2000-13-45, 2026-02-30, 0000-01-01) are data errors
naming file, row and column, in every date field, never a bare ValueError from Python."""

import pytest

from tests.conftest import edit
from tests.models.test_bad_seeds import SHARES, reported

CALENDAR = "not a real calendar date"


@pytest.mark.parametrize("start", ['"2000-13-45"', '"2026-02-30"', "2000-13-45", '"0000-01-01"'])
def test_an_impossible_market_period_start_is_a_data_error(seeds, start):
    edit(
        seeds / "assumptions.yaml",
        'market_period_start: "2000-01-01"',
        f"market_period_start: {start}",
    )
    reported(seeds, "assumptions.yaml", "document", "market_period_start", CALENDAR)


@pytest.mark.parametrize("period", ["2026-02-30", "0000-01-01", "2026-00-01"])
def test_an_impossible_share_period_is_a_data_error_with_its_value(seeds, period):
    edit(
        seeds / SHARES,
        "2026-02-01,ai_accelerators,global,amd",
        f"{period},ai_accelerators,global,amd",
    )
    problem = reported(seeds, SHARES, "line 3", "period", CALENDAR)
    assert problem.value == period


def test_a_period_of_another_shape_keeps_the_iso_date_rule(seeds):
    edit(
        seeds / SHARES,
        "2026-02-01,ai_accelerators,global,amd",
        "Feb 2026,ai_accelerators,global,amd",
    )
    reported(seeds, SHARES, "line 3", "period", "must be an ISO date (YYYY-MM-DD)")


def test_an_impossible_scenario_period_unquoted_in_yaml_is_a_data_error(seeds):
    path = seeds / "scenarios" / "illustrative-mergers.yaml"
    edit(path, "period: 2026-02-01 ", "period: 2026-02-31 ")
    reported(seeds, "illustrative-mergers.yaml", "scenarios item 1", "period", CALENDAR)


def test_an_impossible_as_of_date_of_a_hardware_source_is_a_data_error(seeds):
    edit(seeds / "sources.yaml", "as_of: 2025-12-24", "as_of: 2025-12-32")
    reported(seeds, "sources.yaml", "sources item 1", "as_of", CALENDAR)


def test_a_whole_number_too_large_for_its_column_is_a_data_error_not_an_overflow(seeds):
    edit(
        seeds / "assumptions.yaml",
        "market_period_days_ahead: 400",
        "market_period_days_ahead: 1e300",
    )
    reported(seeds, "assumptions.yaml", "document", "market_period_days_ahead", "whole number")
