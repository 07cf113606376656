"""Manufacturer concentration of MLPerf results and catalog chip models, by the market HHI
logic: shares of counts, named as such, with the guideline classes marked illustrative."""

from datetime import date

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql
from tests.sql.hardware import real_tables, row


def test_shares_count_each_deduplicated_result_once_and_sum_to_one():
    tables = real_tables()
    shares = tables["analytics.hardware_vendor_shares"]
    submissions = shares.filter(market="mlperf_results")
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
    assert set(submissions.get_column("counted")) == {
        "MLPerf Inference results naming an accelerator (one per system, benchmark and scenario)"
    }
    chips = shares.filter(market="catalog_chip_models")
    assert chips.get_column("items").sum() == 170
    assert row(chips, vendor="nvidia")["items"] == 89
    assert set(chips.get_column("counted")) == {
        "chip models in Epoch AI's catalog (one per model, whatever its sales)"
    }


def test_a_chip_the_catalog_gives_no_manufacturer_takes_the_cited_one_not_unallocated():
    """GroqChip LPU v1 is the only catalog chip without a manufacturer; its name and datasheet
    say Groq, and seeds/hardware/catalog_manufacturers.csv cites it."""
    chips = real_tables()["analytics.hardware_vendor_shares"].filter(market="catalog_chip_models")
    assert "other" not in set(chips.get_column("vendor"))
    assert row(chips, vendor="groq")["items"] == 1
    accelerators = real_tables()["analytics.accelerators"]
    assert row(accelerators, hardware_name="GroqChip LPU v1")["manufacturer"] == "Groq"


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
    published = tables["analytics.hardware_vendor_concentration"].sort("market")
    assert published.columns == [*expected.columns, "counted", "classes_note"]
    got = published.select(expected.columns)
    assert got.equals(expected)
    submissions = row(got, market="mlperf_results")
    assert submissions["leading_vendor"] == "nvidia"
    counts = [649, 21, 8, 4]
    assert submissions["hhi"] == pytest.approx(sum((100 * n / 682) ** 2 for n in counts))
    assert submissions["class_2023"] == "highly_concentrated"
    chips = row(got, market="catalog_chip_models")
    assert chips["unallocated_share"] == pytest.approx(0)  # GroqChip is Groq's, cited


def test_the_guideline_classes_of_counts_are_marked_illustrative():
    concentration = real_tables()["analytics.hardware_vendor_concentration"]
    for note in concentration.get_column("classes_note"):
        assert note.startswith("illustrative only: shares of ")
        assert "not of sales or capacity" in note
