"""Manufacturer concentration of MLPerf results and catalog chips, by the market HHI logic."""

from datetime import date

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql
from tests.sql.hardware import real_tables, row


def test_shares_count_each_deduplicated_result_once_and_sum_to_one():
    tables = real_tables()
    shares = tables["analytics.hardware_vendor_shares"]
    submissions = shares.filter(market="mlperf_submissions")
    results = tables["analytics.benchmark_results"].filter(
        pl.col("mlperf_accelerator").is_not_null()
    )
    assert (
        submissions.get_column("items").sum() == results.height == 682
    )  # 682 results, not 827 raw rows
    assert submissions.get_column("share").sum() == pytest.approx(1.0)
    nvidia = row(submissions, vendor="nvidia")
    assert nvidia["period"] == date(2024, 8, 28)  # the MLPerf source's as_of
    assert nvidia["items"] == 649
    assert set(submissions.get_column("vendor")) == {"nvidia", "amd", "google", "untetherai"}
    chips = shares.filter(market="catalog_chips")
    assert chips.get_column("items").sum() == 170
    assert row(chips, vendor="nvidia")["items"] == 89
    assert row(chips, vendor="other")["manufacturer"] is None  # the one chip without one


def test_concentration_is_market_concentration_sql_on_the_same_shares():
    tables = real_tables()
    shares = tables["analytics.hardware_vendor_shares"]
    assumptions = tables["raw.assumptions"]
    expected = run_model_sql(
        "market_concentration",
        {
            "raw.market_shares": shares.select("period", "market", "region", "vendor", "share"),
            "raw.assumptions": assumptions,
        },
    ).sort("market")
    got = tables["analytics.hardware_vendor_concentration"].sort("market")
    assert got.columns == expected.columns
    assert got.equals(expected)
    submissions = row(got, market="mlperf_submissions")
    assert submissions["leading_vendor"] == "nvidia"
    counts = [649, 21, 8, 4]
    assert submissions["hhi"] == pytest.approx(sum((100 * n / 682) ** 2 for n in counts))
    assert submissions["class_2023"] == "highly_concentrated"
    chips = row(got, market="catalog_chips")
    assert chips["unallocated_share"] == pytest.approx(1 / 170)
