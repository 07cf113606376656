"""Mergers and shifts of share on hand-made markets, with HHIs worked out by hand.

HHI is the sum of (100 x share)^2 over named vendors; 'other' is not a firm. The verdicts follow
the 2010 Horizontal Merger Guidelines (section 5.3) and the 2023 Merger Guidelines (guideline 1).
"""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.seeds import load_seeds
from pipelines.metrics.sql import run_model_sql

PERIOD = date(2026, 2, 1)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

THRESHOLDS = {
    "hhi_2010_moderate_from": 1500.0,
    "hhi_2010_high_above": 2500.0,
    "hhi_2023_moderate_from": 1000.0,
    "hhi_2023_high_above": 1800.0,
    "hhi_delta_concern": 100.0,
    "hhi_delta_presumption_2010": 200.0,
    "hhi_delta_presumption_2023": 100.0,
    "merger_share_presumption_2023": 0.30,
}

MARKETS = {
    # the article's market: 85^2 + 10^2 + 3^2 + 2^2 = 7338
    "article": {"nvidia": 0.85, "amd": 0.10, "intel": 0.03, "google_tpu": 0.02},
    # 3 x 20^2 + 4 x 10^2 = 1600, moderately concentrated under both guidelines
    "moderate": {"a": 0.2, "b": 0.2, "c": 0.2, "d": 0.1, "e": 0.1, "f": 0.1, "g": 0.1},
    # 30^2 + 20^2 + 4 x 10^2 + 2 x 5^2 = 1750
    "moderate_mixed": {
        "a": 0.3,
        "b": 0.2,
        "c": 0.1,
        "d": 0.1,
        "e": 0.1,
        "f": 0.1,
        "g": 0.05,
        "h": 0.05,
    },
    # 60^2 + 20^2 + 10^2 + 10^2 = 4200
    "high": {"a": 0.6, "b": 0.2, "c": 0.1, "d": 0.1},
    # 20 x 5^2 = 500
    "fragmented": {f"v{i}": 0.05 for i in range(20)},
    # 50^2 + 30^2 = 3400; 'other' holds the unallocated 0.2
    "with_remainder": {"a": 0.5, "b": 0.3, "other": 0.2},
    # 20^2 + 12^2 + 17 x 4^2 = 816: unconcentrated, but a and b together hold 32%
    "share_test": {"a": 0.20, "b": 0.12, **{f"s{i}": 0.04 for i in range(17)}},
    # 18^2 + 12^2 + 14 x 5^2 = 818: a and b together hold exactly 30%
    "share_at_30": {"a": 0.18, "b": 0.12, **{f"s{i}": 0.05 for i in range(14)}},
}

SCENARIO_SCHEMA = {
    "scenario": pl.String,
    "kind": pl.String,
    "market": pl.String,
    "region": pl.String,
    "period": pl.Date,
    "description": pl.String,
    "vendor_a": pl.String,
    "vendor_b": pl.String,
    "merged_vendor": pl.String,
    "from_vendor": pl.String,
    "to_vendor": pl.String,
    "amount": pl.Float64,
    "source": pl.String,
}


def merger(market: str, vendor_a: str, vendor_b: str, **extra) -> dict:
    return {"kind": "merger", "market": market, "vendor_a": vendor_a, "vendor_b": vendor_b, **extra}


def shift(market: str, from_vendor: str, to_vendor: str, amount: float, **extra) -> dict:
    return {
        "kind": "shift",
        "market": market,
        "from_vendor": from_vendor,
        "to_vendor": to_vendor,
        "amount": amount,
        **extra,
    }


SCENARIOS = {
    "diversify_to_amd": shift("article", "nvidia", "amd", 0.10),
    "diversify_to_newcomer": shift("article", "nvidia", "acme", 0.05),
    "intel_gives_all_to_amd": shift("article", "intel", "amd", 0.03),
    "merge_amd_intel": merger("article", "amd", "intel", merged_vendor="amd_intel"),
    "merge_amd_intel_unnamed": merger("article", "amd", "intel"),
    "merge_nvidia_amd": merger("article", "nvidia", "amd"),
    "moderate_to_1800": merger("moderate", "f", "g"),
    "moderate_mixed_delta_100": merger("moderate_mixed", "f", "g"),
    "moderate_mixed_delta_200": merger("moderate_mixed", "e", "f"),
    "high_delta_200": merger("high", "c", "d"),
    "high_delta_400": merger("high", "b", "c"),
    "fragmented_merger": merger("fragmented", "v0", "v1"),
    "remainder_shift": shift("with_remainder", "a", "c", 0.1),
    "too_large_shift": shift("article", "intel", "amd", 0.2),
    "missing_period": merger("article", "amd", "intel", period=date(2025, 1, 1)),
    "missing_market": shift("no_such_market", "nvidia", "amd", 0.1),
    "merger_with_unknown": merger("article", "amd", "acme"),
    "merger_with_other": merger("with_remainder", "a", "other"),
    "merged_name_taken": merger("article", "amd", "intel", merged_vendor="nvidia"),
    "share_test_merger": merger("share_test", "a", "b"),
    "share_at_30_merger": merger("share_at_30", "a", "b"),
    "share_test_shift": shift("share_test", "s0", "a", 0.04),
}


def shares_frame() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "period": PERIOD,
                "market": market,
                "region": "global",
                "vendor": vendor,
                "share": share,
                "source": "test",
            }
            for market, shares in MARKETS.items()
            for vendor, share in shares.items()
        ]
    )


def scenarios_frame(scenarios: dict[str, dict]) -> pl.DataFrame:
    defaults = {"region": "global", "period": PERIOD, "description": "test", "source": "test"}
    rows = [{**defaults, "scenario": key, **fields} for key, fields in scenarios.items()]
    return pl.DataFrame(
        [{column: row.get(column) for column in SCENARIO_SCHEMA} for row in rows],
        schema=SCENARIO_SCHEMA,
    )


def run(scenarios: dict[str, dict], **thresholds: float) -> dict[str, dict]:
    assumptions = pl.DataFrame({k: [v] for k, v in {**THRESHOLDS, **thresholds}.items()})
    result = run_model_sql(
        "concentration_scenarios",
        {
            "raw.scenarios": scenarios_frame(scenarios),
            "raw.market_shares": shares_frame(),
            "raw.assumptions": assumptions,
        },
    )
    return {row["scenario"]: row for row in result.iter_rows(named=True)}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return run(SCENARIOS)


def assert_hhi(row: dict, before: float, after: float) -> None:
    assert row["valid"] is True and row["problem"] is None, row
    assert row["hhi_before"] == pytest.approx(before)
    assert row["hhi_after"] == pytest.approx(after)
    assert row["delta_hhi"] == pytest.approx(after - before)


def verdicts(row: dict) -> tuple[str, str]:
    return row["verdict_2010"], row["verdict_2023"]


# --- shifts of share ----------------------------------------------------------------------------


def test_moving_ten_points_from_nvidia_to_amd_lowers_the_article_hhi_by_1300(results):
    row = results["diversify_to_amd"]
    assert_hhi(row, 7338, 75**2 + 20**2 + 3**2 + 2**2)  # 6038
    assert row["delta_hhi"] == pytest.approx(-1300)
    assert verdicts(row) == ("reduces concentration", "reduces concentration")
    # still far above both thresholds after the shift
    assert row["class_2010_after"] == row["class_2023_after"] == "highly_concentrated"


def test_a_shift_may_go_to_a_vendor_new_to_the_market(results):
    row = results["diversify_to_newcomer"]
    assert_hhi(row, 7338, 80**2 + 10**2 + 3**2 + 2**2 + 5**2)  # 6538
    assert verdicts(row) == ("reduces concentration", "reduces concentration")


def test_a_shift_may_move_the_whole_share_of_a_vendor(results):
    row = results["intel_gives_all_to_amd"]
    assert_hhi(row, 7338, 85**2 + 13**2 + 2**2)  # 7398, like a merger of the two


def test_a_shift_ignores_the_other_remainder(results):
    row = results["remainder_shift"]
    assert_hhi(row, 50**2 + 30**2, 40**2 + 30**2 + 10**2)  # 3400 -> 2600


# --- mergers ------------------------------------------------------------------------------------


def test_merging_amd_and_intel_adds_60_points_which_neither_guideline_objects_to(results):
    row = results["merge_amd_intel"]
    assert_hhi(row, 7338, 85**2 + 13**2 + 2**2)  # 7225 + 169 + 4 = 7398
    assert row["delta_hhi"] == pytest.approx(2 * 10 * 3)  # 60
    assert row["class_2010_after"] == row["class_2023_after"] == "highly_concentrated"
    assert verdicts(row) == (
        "unlikely to have adverse competitive effects",  # highly concentrated, delta < 100
        "no structural presumption",  # delta <= 100
    )


def test_the_merged_firm_name_defaults_to_vendor_a_and_does_not_change_the_hhi(results):
    named, unnamed = results["merge_amd_intel"], results["merge_amd_intel_unnamed"]
    assert unnamed["valid"] is True
    assert unnamed["hhi_after"] == pytest.approx(named["hhi_after"])


def test_merging_the_leader_with_amd_is_presumed_harmful_under_both_guidelines(results):
    row = results["merge_nvidia_amd"]
    assert_hhi(row, 7338, 95**2 + 3**2 + 2**2)  # 9038, delta 1700
    assert verdicts(row) == (
        "presumed likely to enhance market power",
        "presumed to substantially lessen competition",
    )


def test_a_merger_into_a_moderately_concentrated_market_with_delta_above_100(results):
    row = results["moderate_to_1800"]
    assert_hhi(row, 1600, 3 * 20**2 + 20**2 + 2 * 10**2)  # 1800, delta 200
    assert row["class_2010_after"] == "moderately_concentrated"
    assert row["class_2023_after"] == "moderately_concentrated"  # 1800 is still moderate in 2023
    assert verdicts(row) == (
        "potentially raises significant competitive concerns",
        "no structural presumption",  # not above 1800
    )


def test_a_change_of_exactly_100_is_not_more_than_100(results):
    row = results["moderate_mixed_delta_100"]
    assert_hhi(row, 1750, 1850)  # 2 x 10 x 5 = 100
    assert row["class_2023_after"] == "highly_concentrated"
    assert verdicts(row) == (
        "unlikely to have adverse competitive effects",
        "no structural presumption",
    )


def test_a_change_above_100_into_a_highly_concentrated_2023_market_is_presumed(results):
    row = results["moderate_mixed_delta_200"]
    assert_hhi(row, 1750, 1950)
    assert row["class_2010_after"] == "moderately_concentrated"
    assert verdicts(row) == (
        "potentially raises significant competitive concerns",
        "presumed to substantially lessen competition",
    )


def test_a_change_of_exactly_200_in_a_highly_concentrated_market_raises_concerns(results):
    row = results["high_delta_200"]
    assert_hhi(row, 4200, 4400)
    assert verdicts(row) == (
        "potentially raises significant competitive concerns",
        "presumed to substantially lessen competition",
    )


def test_a_change_above_200_in_a_highly_concentrated_market_is_presumed(results):
    row = results["high_delta_400"]
    assert_hhi(row, 4200, 60**2 + 30**2 + 10**2)  # 4600, delta 400
    assert verdicts(row) == (
        "presumed likely to enhance market power",
        "presumed to substantially lessen competition",
    )


def test_a_merger_that_leaves_the_market_unconcentrated(results):
    row = results["fragmented_merger"]
    assert_hhi(row, 500, 18 * 5**2 + 10**2)  # 550
    assert row["class_2010_after"] == row["class_2023_after"] == "unconcentrated"
    assert verdicts(row) == (
        "unconcentrated: unlikely adverse effects",
        "no structural presumption",
    )


def test_a_merged_firm_above_30_percent_is_presumed_by_the_share_test_alone(results):
    """2023 Guideline 1's second test: HHI after 1296 is not highly concentrated, but the merged
    firm holds 32% and the HHI rises by 480."""
    row = results["share_test_merger"]
    assert_hhi(row, 816, 32**2 + 17 * 4**2)  # 1296, delta 2 x 20 x 12 = 480
    assert row["firm_share_after"] == pytest.approx(0.32)
    assert row["class_2023_after"] == "moderately_concentrated"
    assert row["verdict_2023"] == "presumed to substantially lessen competition"
    assert row["presumption_2023_by"] == "share"
    assert row["verdict_2010"] == "unconcentrated: unlikely adverse effects"  # 1296 < 1500


def test_a_merged_share_of_exactly_30_percent_is_not_more_than_30(results):
    row = results["share_at_30_merger"]  # 0.18 + 0.12 is 0.30000000000000004 in floats
    assert_hhi(row, 818, 30**2 + 14 * 5**2)  # 1250, delta 432
    assert row["verdict_2023"] == "no structural presumption"
    assert row["presumption_2023_by"] is None


def test_the_share_test_judges_the_vendor_a_shift_enlarges(results):
    row = results["share_test_shift"]  # a goes from 20% to 24%: below 30%
    assert row["firm_share_after"] == pytest.approx(0.24)
    assert row["presumption_2023_by"] is None


def test_both_tests_are_named_when_both_fire(results):
    row = results["merge_nvidia_amd"]  # HHI 9038 after, NVIDIA+AMD hold 95%
    assert row["presumption_2023_by"] == "hhi_and_share"
    assert results["moderate_mixed_delta_200"]["presumption_2023_by"] == "hhi"  # e+f: 20%


def test_scenarios_on_one_market_and_period_do_not_stack(results):
    """Each scenario is applied alone to the published shares: two shifts of the article's
    market both start from its HHI of 7338, and the second does not see the first."""
    first, second = results["diversify_to_amd"], results["intel_gives_all_to_amd"]
    assert first["hhi_before"] == second["hhi_before"] == pytest.approx(7338)
    assert second["hhi_after"] == pytest.approx(85**2 + 13**2 + 2**2)  # not 75^2 + ...


def test_the_thresholds_come_from_the_assumptions():
    row = run({"m": SCENARIOS["merge_amd_intel"]}, hhi_delta_concern=50)["m"]
    assert row["delta_hhi"] == pytest.approx(60)
    assert row["verdict_2010"] == "potentially raises significant competitive concerns"


# --- scenarios that cannot be applied -----------------------------------------------------------


def assert_invalid(row: dict, *words: str) -> None:
    assert row["valid"] is False
    assert row["problem"] and all(word in row["problem"] for word in words), row["problem"]
    assert row["hhi_after"] is None and row["delta_hhi"] is None
    assert row["class_2010_after"] is None and row["class_2023_after"] is None
    assert verdicts(row) == (None, None)


def test_a_shift_larger_than_the_share_it_takes_from_is_invalid(results):
    row = results["too_large_shift"]
    assert_invalid(row, "amount", "intel")
    assert row["hhi_before"] == pytest.approx(7338)


def test_a_period_without_market_shares_is_invalid(results):
    row = results["missing_period"]
    assert_invalid(row, "no market shares", "2025-01-01")
    assert row["hhi_before"] is None


def test_a_market_without_shares_is_invalid(results):
    assert_invalid(results["missing_market"], "no market shares", "no_such_market")


def test_a_merger_with_a_vendor_not_in_the_market_is_invalid(results):
    assert_invalid(results["merger_with_unknown"], "vendor_b", "acme")


def test_other_is_not_a_firm_that_can_merge(results):
    assert_invalid(results["merger_with_other"], "vendor_b", "other")


def test_a_merged_firm_may_not_take_the_name_of_a_third_vendor(results):
    assert_invalid(results["merged_name_taken"], "merged_vendor", "nvidia")


def test_every_scenario_gives_one_row_invalid_ones_included(results):
    assert set(results) == set(SCENARIOS)


# --- the shipped seeds --------------------------------------------------------------------------


def test_the_shipped_scenarios_apply_to_the_shipped_market():
    tables = load_seeds(SEEDS)
    inputs = {f"raw.{name}": tables[name] for name in ("scenarios", "market_shares", "assumptions")}
    rows = {
        row["scenario"]: row
        for row in run_model_sql("concentration_scenarios", inputs).rows(named=True)
    }
    assert all(row["valid"] for row in rows.values()), rows
    assert rows["diversify_nvidia_to_amd_10pct"]["hhi_after"] == pytest.approx(6038)
    assert rows["diversify_nvidia_to_intel_5pct"]["hhi_after"] == pytest.approx(6568)
    assert rows["illustrative_merger_amd_intel"]["hhi_after"] == pytest.approx(7398)
