"""The export-control method on the real catalog rows: a missing matrix figure is not a zero, Note
2 to 3A090 takes consumer cards below TPP 4800 out, one TPP with its TF32 convention, and the
applicable die area of multi-die packages."""

import csv

import polars as pl
import pytest

from tests.sql.hardware import SEEDS, real_tables, row


@pytest.fixture(scope="module")
def screening() -> pl.DataFrame:
    return real_tables()["analytics.export_control_screening"]


@pytest.fixture(scope="module")
def accelerators() -> pl.DataFrame:
    return real_tables()["analytics.accelerators"]


# Intel's Max GPUs have XMX matrix engines (the catalog counts them as tensor cores) but only
# vector FP32/FP16 figures; the A10G has tensor cores and only its vector FP32/FP16 figures.
VECTOR_ONLY = {
    "Intel Data Center GPU Max 1550": 1677.76,
    "Intel Data Center GPU Max 1350": 1422.08,
    "Intel Data Center GPU Max 1100": 711.04,
    "NVIDIA A10G": 1008.0,
}


@pytest.mark.parametrize("chip", VECTOR_ONLY)
def test_a_chip_with_matrix_units_but_no_matrix_figure_is_indeterminate(screening, chip):
    got = row(screening, hardware_name=chip)
    assert got["matrix_throughput_missing"]
    assert got["tpp"] == pytest.approx(VECTOR_ONLY[chip])  # a lower bound, from vector figures
    assert (got["verdict_2023"], got["controlled_2023"]) == ("indeterminate", None)
    assert "matrix_throughput" in got["missing_inputs_2023"]
    assert got["verdict_2022"] == "indeterminate"
    assert "matrix_throughput" in got["missing_inputs_2022"]


@pytest.mark.parametrize("chip", ["AMD Radeon Instinct MI300", "AMD Radeon Instinct MI308X"])
def test_a_lower_bound_tpp_that_reaches_4800_still_settles_3a090a(screening, chip):
    got = row(screening, hardware_name=chip)
    assert got["matrix_throughput_missing"] and got["tpp"] >= 4800
    assert (got["verdict_2023"], got["missing_inputs_2023"]) == ("3A090.a", [])


@pytest.mark.parametrize(
    ("chip", "tpp"),
    [
        ("NVIDIA Tesla T4", 1042.08),  # 65.13 TFLOPS FP16 (catalog) x 16; INT8 130 TOPS x 8 = 1040
        ("NVIDIA Titan V", 1760.0),  # 110 tensor TFLOPS x 16
        ("NVIDIA Quadro RTX 8000", 2088.0),  # 130.5 x 16
        ("NVIDIA GeForce RTX 3080", 1904.0),  # 119 x 16 = 238 INT8 TOPS x 8
        ("NVIDIA RTX A6000", 2477.6),  # 309.7 sparse / 2 x 16
        ("AMD Radeon RX 7900 XTX", 1965.44),  # 122.8 x 16
    ],
)
def test_cited_matrix_figures_settle_the_tpp_of_chips_the_catalog_leaves_without(
    accelerators, chip, tpp
):
    got = row(accelerators, hardware_name=chip)
    assert got["tensor_cores"] > 0 and not got["matrix_throughput_missing"]
    assert "tensor_fp16_bf16_flop_s" in got["supplemented_fields"]
    assert got["tpp"] == pytest.approx(tpp)


def test_no_chip_is_published_not_controlled_on_a_missing_deciding_input(screening):
    settled = screening.filter(pl.col("verdict_2023") == "not_controlled")
    assert settled.filter(pl.col("tpp").is_null() | pl.col("matrix_throughput_missing")).is_empty()
    # Every exclusion rests on a known market and a TPP known to be below 4800.
    excluded = settled.filter(pl.col("excluded_by_2023").is_not_null())
    assert excluded.get_column("designed_for_datacenter").to_list() == [False] * excluded.height
    assert (excluded.get_column("tpp") < 4800).all()
    # Without a note, TPP below 1600 or a known density settles it.
    by_clauses = settled.filter(pl.col("excluded_by_2023").is_null())
    assert by_clauses.filter(
        (pl.col("tpp") >= 1600) & pl.col("performance_density").is_null()
    ).is_empty()


# The consumer cards the October 2023 clauses alone flag, with the clauses' verdict.
CONSUMER = {
    "NVIDIA GeForce RTX 4080": "3A090.a",  # PD 8.23
    "NVIDIA GeForce RTX 4070": "3A090.a",  # PD 6.32
    "NVIDIA GeForce RTX 3090": "3A090.b",
    "NVIDIA GeForce RTX 3090 Ti": "3A090.b",
    "AMD Radeon RX 7900 XTX": "3A090.b",
}


@pytest.mark.parametrize("chip", CONSUMER)
def test_note_2_takes_consumer_cards_below_tpp_4800_out_of_3a090(screening, chip):
    got = row(screening, hardware_name=chip)
    assert got["designed_for_datacenter"] is False and got["tpp"] < 4800
    assert "consumer" in got["datacenter_source"]
    assert got["verdict_2023_before_notes"] == CONSUMER[chip]
    assert (got["verdict_2023"], got["controlled_2023"]) == ("not_controlled", False)
    assert got["excluded_by_2023"] == "Note 2 to 3A090"
    assert "Note 2 to 3A090" in got["legal_basis_2023"] and "88 FR 73458" in got["legal_basis_2023"]
    assert got["clauses_met_2023"]  # the clauses it meets stay visible


def test_a_consumer_card_with_tpp_of_4800_or_more_stays_controlled(screening):
    rtx_4090 = row(screening, hardware_name="NVIDIA GeForce RTX 4090")
    assert rtx_4090["designed_for_datacenter"] is False and rtx_4090["tpp"] >= 4800
    assert rtx_4090["verdict_2023"] == "3A090.a" and rtx_4090["excluded_by_2023"] is None


@pytest.mark.parametrize(
    ("chip", "verdict"),
    [("NVIDIA L40", "3A090.b"), ("NVIDIA A40 PCIe", "3A090.b"), ("Google TPU v4i", "3A090.b")],
)
def test_a_datacenter_chip_below_tpp_4800_stays_controlled(screening, chip, verdict):
    got = row(screening, hardware_name=chip)
    assert got["designed_for_datacenter"] is True and got["tpp"] < 4800
    assert (got["verdict_2023"], got["excluded_by_2023"]) == (verdict, None)


def test_an_unknown_market_leaves_a_verdict_note_2_could_change_indeterminate(screening):
    a6000 = row(screening, hardware_name="NVIDIA RTX A6000")
    assert a6000["designed_for_datacenter"] is None
    assert a6000["verdict_2023_before_notes"] == "3A090.b"
    assert a6000["verdict_2023"] == "indeterminate"
    assert a6000["missing_inputs_2023"] == ["designed_for_datacenter"]


def test_every_designation_in_the_seed_has_a_source_and_reaches_the_table(accelerators):
    with (SEEDS / "hardware/datacenter_designation.csv").open(encoding="utf-8") as file:
        seed = list(csv.DictReader(file))
    for item in seed:
        got = row(accelerators, hardware_name=item["hardware_name"])
        assert got["designed_for_datacenter"] is (
            item["designed_or_marketed_for_datacenters"] == "yes"
        )
        assert got["datacenter_source"] == item["source"] and len(item["source"]) > 40


# Chips on which Epoch AI's TPP differs from the maximum of its own per-precision columns.
CATALOG_DIFFERS = {
    "AMD Instinct MI355X": (40265.6, 37440.0),  # INT8 5033.2 x 8 is above the catalog's figure
    "NVIDIA GB300 (Blackwell Ultra)": (60000.0, 61120.0),  # the catalog's is above every product
    "Amazon Trainium3": (21472.0, 20136.0),  # TF32 671 x 32
    "AMD Instinct MI325X": (20918.4, 20800.0),
    "Google TPU v2": (736.0, 720.0),
    "AWS Inferentia2": (6080.0, 3610.0),  # TF32 190 x 32, or x 19 = 3610
    "Amazon Trainium1": (6080.0, 3610.0),
    "NVIDIA L2 PCle": (1545.6, 1544.0),
    "NVIDIA L20 PCle": (1913.6, 1912.0),
}


@pytest.mark.parametrize("chip", CATALOG_DIFFERS)
def test_tpp_is_the_projects_formula_and_the_catalogs_figure_is_published_beside_it(
    screening, chip
):
    tpp, catalog = CATALOG_DIFFERS[chip]
    got = row(screening, hardware_name=chip)
    assert (got["tpp"], got["tpp_source"]) == (pytest.approx(tpp), "computed")
    assert got["tpp_catalog"] == pytest.approx(catalog)


def test_the_catalog_disagrees_on_exactly_these_chips(accelerators):
    own = accelerators.filter(pl.col("supplemented_fields").list.len() == 0)
    differs = own.filter(pl.col("tpp_catalog_agrees").not_())
    assert set(differs.get_column("hardware_name")) == set(CATALOG_DIFFERS)


def test_chips_whose_verdict_depends_on_tf32_bit_length_are_flagged(screening):
    flagged = screening.filter(pl.col("verdict_depends_on_tf32_bits"))
    assert set(flagged.get_column("hardware_name")) == {"AWS Inferentia2", "Amazon Trainium1"}
    for chip in flagged.iter_rows(named=True):
        assert chip["tpp_tf32_19"] == pytest.approx(chip["tpp_catalog"])  # Epoch AI: 19 bits
        assert (chip["verdict_2023"], chip["verdict_2023_tf32_19"]) == (
            "3A090.a",
            "indeterminate",
        )
    # Trainium3 and the L20 differ in TPP by convention but not in verdict.
    assert not row(screening, hardware_name="Amazon Trainium3")["verdict_depends_on_tf32_bits"]


def test_a_multi_die_package_uses_the_area_of_its_logic_dies(screening):
    ascend = row(screening, hardware_name="Huawei Ascend 910")
    assert ascend["die_area_mm2"] == 1228  # with four HBM2 stacks and two dummy dies
    assert (ascend["applicable_die_area_mm2"], ascend["die_area_basis"]) == (624, "logic_dies")
    assert ascend["performance_density"] == pytest.approx(4096 / 624)  # 6.56, was 3.34
    assert (ascend["verdict_2023"], ascend["clauses_met_2023"]) == ("3A090.a", ["3A090.a.2"])
    mi250x = row(screening, hardware_name="AMD Radeon Instinct MI250X")
    assert mi250x["die_area_mm2"] == 724  # one of its two compute dies
    assert (mi250x["applicable_die_area_mm2"], mi250x["die_area_basis"]) == (1448, "logic_dies")
    assert mi250x["performance_density"] == pytest.approx(6128 / 1448)


@pytest.mark.parametrize(
    "chip", ["AMD Instinct MI300X", "Intel Data Center GPU Max 1550", "AMD Radeon Instinct MI308X"]
)
def test_a_package_without_a_cited_logic_die_area_has_no_density(screening, chip):
    got = row(screening, hardware_name=chip)
    assert got["die_area_mm2"] is not None and got["die_area_basis"] == "unknown"
    assert got["applicable_die_area_mm2"] is None and got["performance_density"] is None


def test_only_the_single_die_rows_use_the_catalogs_die_size(accelerators):
    with (SEEDS / "hardware/catalog_supplements.csv").open(encoding="utf-8") as file:
        cited = {
            item["hardware_name"]
            for item in csv.DictReader(file)
            if item["field"] == "applicable_die_area_mm2"
        }
    other = accelerators.filter(pl.col("die_area_basis").is_in(["logic_dies", "unknown"]))
    assert set(other.get_column("hardware_name")) == cited
    single = accelerators.filter(pl.col("die_area_basis") == "die_size")
    assert (single.get_column("applicable_die_area_mm2") == single.get_column("die_area_mm2")).all()
