"""HHI, bounds, concentration ratios and guideline classes on hand-made markets."""

from datetime import date

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql

ASSUMPTIONS = pl.DataFrame(
    {
        "hhi_2010_moderate_from": [1500.0],
        "hhi_2010_high_above": [2500.0],
        "hhi_2023_moderate_from": [1000.0],
        "hhi_2023_high_above": [1800.0],
    }
)

MARKETS = {
    "monopoly": {"solo": 1.0},
    "four_equal": {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25},
    "ten_equal": {f"v{i}": 0.1 for i in range(10)},
    "article": {"nvidia": 0.85, "amd": 0.10, "intel": 0.03, "google_tpu": 0.02},
    "with_remainder": {"a": 0.5, "b": 0.3, "other": 0.2},
    "unreported_remainder": {"a": 0.3, "b": 0.3},
    "competitive": {f"v{i}": 0.05 for i in range(20)},
    "tied_leaders": {"nvidia": 0.4, "amd": 0.4, "intel": 0.2},
    "all_unallocated": {"other": 1.0},
}


def concentration() -> dict[str, dict]:
    rows = [
        {
            "period": date(2026, 2, 1),
            "market": market,
            "region": "global",
            "vendor": vendor,
            "share": share,
            "source": "test",
        }
        for market, shares in MARKETS.items()
        for vendor, share in shares.items()
    ]
    result = run_model_sql(
        "market_concentration",
        {"raw.market_shares": pl.DataFrame(rows), "raw.assumptions": ASSUMPTIONS},
    )
    return {row["market"]: row for row in result.iter_rows(named=True)}


@pytest.fixture(scope="module")
def markets() -> dict[str, dict]:
    return concentration()


def test_a_monopoly_has_the_maximum_hhi_and_one_equivalent_firm(markets):
    row = markets["monopoly"]
    assert row["hhi"] == pytest.approx(10000)
    assert row["equivalent_firms"] == pytest.approx(1)
    assert row["cr1"] == row["cr4"] == pytest.approx(1)
    assert (row["class_2010"], row["class_2023"]) == ("highly_concentrated", "highly_concentrated")


def test_four_equal_firms_sit_on_the_2010_upper_boundary(markets):
    row = markets["four_equal"]
    assert row["hhi"] == pytest.approx(2500)
    assert row["equivalent_firms"] == pytest.approx(4)
    assert row["class_2010"] == "moderately_concentrated"  # 2500 is still moderate in 2010
    assert row["class_2023"] == "highly_concentrated"  # above 1800


def test_ten_equal_firms_sit_on_the_2023_lower_boundary(markets):
    row = markets["ten_equal"]
    assert row["hhi"] == pytest.approx(1000)
    assert row["n_vendors"] == 10
    assert row["cr4"] == pytest.approx(0.4)
    assert row["class_2010"] == "unconcentrated"
    assert row["class_2023"] == "moderately_concentrated"


def test_the_article_market_is_7338_and_highly_concentrated(markets):
    row = markets["article"]
    assert round(row["hhi"]) == 7338
    assert row["leading_vendor"] == "nvidia"
    assert row["cr1"] == pytest.approx(0.85)
    assert row["unallocated_share"] == pytest.approx(0, abs=1e-12)
    assert row["hhi_upper"] == pytest.approx(row["hhi"])
    assert (row["class_2010"], row["class_2023"]) == ("highly_concentrated", "highly_concentrated")


def test_an_other_remainder_is_not_a_firm_but_bounds_the_hhi(markets):
    row = markets["with_remainder"]
    assert row["hhi"] == pytest.approx(50**2 + 30**2)  # 3400
    assert row["unallocated_share"] == pytest.approx(0.2)
    assert row["hhi_upper"] == pytest.approx(3400 + 20**2)
    assert row["n_vendors"] == 2
    assert row["cr4"] == pytest.approx(0.8)


def test_shares_that_do_not_reach_one_leave_an_unallocated_remainder(markets):
    row = markets["unreported_remainder"]
    assert row["hhi"] == pytest.approx(1800)
    assert row["unallocated_share"] == pytest.approx(0.4)
    assert row["hhi_upper"] == pytest.approx(1800 + 40**2)
    assert row["class_2023"] == "moderately_concentrated"  # 1800 is the top of moderate


def test_a_fragmented_market_is_unconcentrated_under_both_guidelines(markets):
    row = markets["competitive"]
    assert row["hhi"] == pytest.approx(500)
    assert row["equivalent_firms"] == pytest.approx(20)
    assert (row["class_2010"], row["class_2023"]) == ("unconcentrated", "unconcentrated")


def test_one_row_per_market_region_and_period(markets):
    assert set(markets) == set(MARKETS)


def test_a_shared_sql_piece_is_included_where_a_model_names_it():
    from pipelines.metrics.sql import INCLUDE, included_paths, read_model_sql, sql_path

    for name in ("market_concentration", "hardware_vendor_concentration"):
        path = sql_path(name)
        assert [p.name for p in included_paths(path)] == ["concentration_measures.sql"]
        sql = read_model_sql(path)
        assert not INCLUDE.search(sql)  # every include line was replaced
        assert "as equivalent_firms" in sql  # the shared measures are in the model's SQL


def test_tied_leaders_name_the_first_vendor_key_alphabetically(markets):
    row = markets["tied_leaders"]
    assert row["leading_vendor"] == "amd"
    assert row["cr1"] == pytest.approx(0.4)
    assert row["cr4"] == pytest.approx(1.0)


def test_a_market_of_only_unallocated_share_is_kept_with_hhi_0(markets):
    row = markets["all_unallocated"]
    assert (row["hhi"], row["n_vendors"], row["cr1"], row["cr4"]) == (0, 0, 0, 0)
    assert row["leading_vendor"] is None
    assert row["hhi_upper"] == pytest.approx(10000)


# Six shares whose float sum of HHI terms depends on the order they are added in.
ORDER_SENSITIVE = [
    0.004681048073671008,
    0.29770926091273087,
    0.09219694621687259,
    0.08330157938194384,
    0.3539386640631307,
    0.16717250135165104,
]


def test_the_same_shares_in_any_row_order_give_bit_identical_hhi():
    """Threads add rows in varying order; a float sum would differ in its last bits between two
    runs on the same shares, and the rerun would publish a spurious new version."""
    rows = [
        {
            "period": date(2026, 2, 1),
            "market": "m",
            "region": "global",
            "vendor": f"v{index}",
            "share": share,
            "source": "test",
        }
        for index, share in enumerate(ORDER_SENSITIVE)
    ]
    results = [
        run_model_sql(
            "market_concentration",
            {"raw.market_shares": pl.DataFrame(ordered), "raw.assumptions": ASSUMPTIONS},
        ).row(0, named=True)
        for ordered in (rows, rows[::-1])
    ]
    assert results[0]["hhi"] == results[1]["hhi"]
    assert results[0]["unallocated_share"] == results[1]["unallocated_share"]
