"""MLPerf accelerator names to catalog chips: the rule, the aliases, and refusing to guess."""

from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.seeds import load_seeds
from pipelines.metrics.matching import (
    match_accelerators,
    match_name,
    match_rates,
    step_key,
    tokens,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NO_ALIASES = pl.DataFrame(
    schema={
        "mlperf_accelerator": pl.String,
        "hardware_name": pl.String,
        "manufacturer": pl.String,
        "note": pl.String,
    }
)


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return load_seeds(SEEDS)


@pytest.fixture(scope="module")
def chips(tables) -> list[str]:
    return tables["hardware_catalog"].get_column("hardware_name").to_list()


def results(*names: str | None) -> pl.DataFrame:
    return pl.DataFrame({"accelerator": list(names)}, schema={"accelerator": pl.String})


def test_tokens_drop_partition_power_and_filler_and_join_memory_sizes():
    assert tokens("AMD Instinct MI300X-NPS1-SPX-192GB-750W") == [
        "amd",
        "instinct",
        "mi300x",
        "192gb",
    ]
    assert tokens("NVIDIA A100 SXM4 80 GB") == ["nvidia", "a100", "sxm4", "80gb"]
    assert tokens("NVIDIA Jetson AGX Orin 64G") == ["nvidia", "jetson", "agx", "orin", "64gb"]
    assert step_key("NVIDIA H100 SXM5 80GB", "form_factor") == ("nvidia", "h100", "sxm", "80gb")
    assert step_key("NVIDIA H200-SXM-141GB-CTS", "without_memory") == ("nvidia", "h200", "sxm")


@pytest.mark.parametrize(
    ("name", "chip", "step"),
    [
        ("NVIDIA H200-SXM-141GB", "NVIDIA H200 SXM", "without_memory"),
        ("NVIDIA H100-SXM-80GB", "NVIDIA H100 SXM5 80GB", "form_factor"),
        ("AMD Instinct MI300X-NPS1-SPX-192GB-750W", "AMD Instinct MI300X", "without_memory"),
        ("NVIDIA GH200 Grace Hopper Superchip 96GB", "NVIDIA GH200", "without_memory"),
        ("NVIDIA A100-SXM4-80GB", "NVIDIA A100 SXM4 80 GB", "exact"),
        ("NVIDIA L4", "NVIDIA L4", "exact"),
    ],
)
def test_the_rule_matches_real_mlperf_names_to_real_catalog_chips(chips, name, chip, step):
    assert match_name(name, chips) == (chip, step, [])


def test_two_chips_that_fit_equally_are_refused_not_guessed(chips):
    chip, step, candidates = match_name("NVIDIA A100-SXM-64GB", chips)
    assert (chip, step) == (None, None)
    assert candidates == ["NVIDIA A100 SXM4 40 GB", "NVIDIA A100 SXM4 80 GB"]


def test_an_ambiguous_name_is_published_as_ambiguous_until_an_alias_decides(tables):
    catalog = tables["hardware_catalog"]
    names = results("NVIDIA A800-PCIe", "NVIDIA A800-PCIe", None)
    (row,) = match_accelerators(names, catalog, NO_ALIASES).iter_rows(named=True)
    assert row["status"] == "ambiguous" and row["hardware_name"] is None
    assert row["candidates"] == ["NVIDIA A800 PCIe 40 GB", "NVIDIA A800 PCIe 80 GB"]
    assert row["manufacturer"] == "NVIDIA"  # by the name's prefix; no chip is guessed
    assert row["n_results"] == 2  # the CPU-only row (no accelerator) is not a name

    alias = pl.DataFrame(
        {
            "mlperf_accelerator": ["NVIDIA A800-PCIe"],
            "hardware_name": ["NVIDIA A800 PCIe 80 GB"],
            "manufacturer": [None],
            "note": ["the submitter's system notes say 80 GB"],
        },
        schema=NO_ALIASES.schema,
    )
    (row,) = match_accelerators(names, catalog, alias).iter_rows(named=True)
    assert (row["status"], row["method"], row["hardware_name"]) == (
        "matched",
        "alias",
        "NVIDIA A800 PCIe 80 GB",
    )


def test_an_alias_overrides_the_rule_and_can_say_not_in_catalog(tables):
    matches = match_accelerators(
        results("Tesla T4", "UntetherAI speedAI240 Slim"),
        tables["hardware_catalog"],
        tables["accelerator_aliases"],
    )
    rows = {row["mlperf_accelerator"]: row for row in matches.iter_rows(named=True)}
    # Without the alias, the prefix rule would credit Tesla (the carmaker's Dojo is in the catalog).
    assert rows["Tesla T4"]["hardware_name"] == "NVIDIA Tesla T4"
    assert rows["Tesla T4"]["manufacturer"] == "NVIDIA"
    assert rows["UntetherAI speedAI240 Slim"]["status"] == "not_in_catalog"
    assert rows["UntetherAI speedAI240 Slim"]["manufacturer"] == "UntetherAI"


def test_the_real_results_match_four_names_in_five_and_list_the_rest(tables):
    matches = match_accelerators(
        tables["mlperf_results"], tables["hardware_catalog"], tables["accelerator_aliases"]
    )
    rates = match_rates(matches)
    assert (rates["accelerator_names"], rates["matched_names"]) == (20, 16)
    assert rates["name_match_rate"] == pytest.approx(0.8)
    assert (rates["results_with_accelerator"], rates["matched_results"]) == (827, 700)
    assert rates["unmatched_names"] == [
        "NVIDIA Jetson AGX Orin 64G",
        "NVIDIA L40S",  # not the L40: the catalog has no L40S, and no guess is made
        "UntetherAI speedAI240 Preview",
        "UntetherAI speedAI240 Slim",
    ]
    assert matches.filter(pl.col("status") == "ambiguous").is_empty()
