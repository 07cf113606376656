"""Export-control screening: the real A100, A800, H800, H20 and H100 verdicts from the real
catalog, TPP and performance density against public figures, and three-valued verdicts."""

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql
from tests.sql.hardware import real_tables, row


@pytest.fixture(scope="module")
def screening() -> pl.DataFrame:
    return real_tables()["analytics.export_control_screening"]


def test_tpp_is_dense_tops_times_bit_length_and_matches_public_figures():
    accelerators = real_tables()["analytics.accelerators"]
    a100 = row(accelerators, hardware_name="NVIDIA A100 SXM4 80 GB")
    # 624 dense INT8 TOPS x 8 bits (sparse would be 1248 TOPS and give 9984)
    assert a100["int8_tops"] == pytest.approx(624)
    assert a100["tpp"] == pytest.approx(4992) and a100["tpp_computed"] == pytest.approx(4992)
    h100 = row(accelerators, hardware_name="NVIDIA H100 SXM5 80GB")
    assert h100["tpp"] == pytest.approx(15832)  # 989.5 dense BF16 TFLOPS x 16
    assert h100["performance_density"] == pytest.approx(15832 / 814)
    h20 = row(accelerators, hardware_name="NVIDIA HGX H20")
    assert h20["tpp"] == pytest.approx(2368)  # 148 dense BF16 TFLOPS x 16 = 296 INT8 TOPS x 8
    assert h20["die_area_mm2"] == 814 and h20["supplemented_fields"] == ["die_size_mm2"]
    assert h20["performance_density"] == pytest.approx(2.909, abs=1e-3)


def test_catalog_and_computed_tpp_agree_where_the_catalog_gives_its_own_figures():
    accelerators = real_tables()["analytics.accelerators"].filter(
        pl.col("supplemented_fields").list.len() == 0
    )
    both = accelerators.filter(
        pl.col("tpp_catalog").is_not_null() & pl.col("tpp_computed").is_not_null()
    )
    assert both.filter(pl.col("tpp_catalog_agrees")).height / both.height > 0.9


@pytest.mark.parametrize(
    "chip", ["NVIDIA A100", "NVIDIA A100 PCIe", "NVIDIA A100 SXM4 40 GB", "NVIDIA A100 SXM4 80 GB"]
)
def test_the_a100_is_controlled_under_both_rules(screening, chip):
    a100 = row(screening, hardware_name=chip)
    assert a100["interconnect_bandwidth_gb_s"] == 600
    assert (a100["verdict_2023"], a100["controlled_2023"]) == ("3A090.a", True)
    assert (a100["verdict_2022"], a100["controlled_2022"]) == ("3A090.a", True)
    assert "3A090.a.1" in a100["clauses_met_2023"]
    assert "88 FR 73458" in a100["legal_basis_2023"]
    assert "87 FR 62186" in a100["legal_basis_2022"]


@pytest.mark.parametrize(
    "chip",
    ["NVIDIA A800 SXM", "NVIDIA A800 PCIe 40 GB", "NVIDIA A800 PCIe 80 GB", "NVIDIA H800 SXM5"],
)
def test_the_a800_and_h800_are_3a090a_in_2023_and_indeterminate_in_2022(screening, chip):
    china = row(screening, hardware_name=chip)
    assert china["tpp"] >= 4800
    assert (china["verdict_2023"], china["controlled_2023"]) == ("3A090.a", True)
    # Their interconnect is missing in the catalog: 2022 cannot say controlled (nor not).
    assert china["interconnect_bandwidth_gb_s"] is None
    assert (china["verdict_2022"], china["controlled_2022"]) == ("indeterminate", None)
    assert china["missing_inputs_2022"] == ["interconnect_bandwidth_gb_s"]
    assert china["missing_inputs_2023"] == []


def test_the_h20_is_below_both_rules(screening):
    h20 = row(screening, hardware_name="NVIDIA HGX H20")
    assert (h20["verdict_2023"], h20["controlled_2023"]) == ("not_controlled", False)
    assert (h20["verdict_2022"], h20["controlled_2022"]) == ("not_controlled", False)
    assert h20["missing_inputs_2022"] == []  # TPP < 4800 settles 2022 without the interconnect


def test_the_h100_is_controlled_under_both_rules(screening):
    h100 = row(screening, hardware_name="NVIDIA H100 SXM5 80GB")
    assert (h100["verdict_2023"], h100["verdict_2022"]) == ("3A090.a", "3A090.a")


def test_every_chip_gets_one_verdict_per_rule(screening):
    assert screening.height == 170
    assert screening.get_column("hardware_name").n_unique() == 170
    allowed = {"3A090.a", "3A090.b", "not_controlled", "indeterminate"}
    assert set(screening.get_column("verdict_2023")) <= allowed
    assert set(screening.get_column("verdict_2022")) <= {
        "3A090.a",
        "not_controlled",
        "indeterminate",
    }


CHIPS = {
    # name: (tpp, die area, interconnect, datacenter, matrix missing)
    #   -> expected 2023 verdict, 2023 missing inputs, 2022 verdict
    "big_no_die": (5000.0, None, None, True, False, "3A090.a", [], "indeterminate"),
    "big_slow_link": (5000.0, None, 400.0, True, False, "3A090.a", [], "not_controlled"),
    "big_fast_link": (5000.0, 2000.0, 900.0, True, False, "3A090.a", [], "3A090.a"),
    "mid_no_die": (
        3000.0,
        None,
        None,
        True,
        False,
        "indeterminate",
        ["applicable_die_area_mm2"],
        "not_controlled",
    ),
    "mid_low_density": (3000.0, 1500.0, None, True, False, "3A090.b", [], "not_controlled"),
    "small_dense": (1700.0, 500.0, None, True, False, "3A090.b", [], "not_controlled"),  # b.2
    "small_very_dense": (1700.0, 250.0, None, True, False, "3A090.a", [], "not_controlled"),
    "small_sparse": (1700.0, 1000.0, None, True, False, "not_controlled", [], "not_controlled"),
    "tiny_no_die": (1000.0, None, None, True, False, "not_controlled", [], "not_controlled"),
    "unknown": (None, 800.0, None, True, False, "indeterminate", ["tpp"], "indeterminate"),
    # Note 2 to 3A090: not designed or marketed for datacenters and TPP below 4800 is out.
    "consumer_dense": (1700.0, 250.0, None, False, False, "not_controlled", [], "not_controlled"),
    "consumer_no_die": (3000.0, None, None, False, False, "not_controlled", [], "not_controlled"),
    "consumer_big": (5000.0, 250.0, None, False, False, "3A090.a", [], "indeterminate"),
    "market_unknown": (
        1700.0,
        250.0,
        None,
        None,
        False,
        "indeterminate",
        ["designed_for_datacenter"],
        "not_controlled",
    ),
    "market_unknown_sparse": (
        1700.0,
        1000.0,
        None,
        None,
        False,
        "not_controlled",
        [],
        "not_controlled",
    ),
    # Vector figures only, though the chip has tensor units: TPP is a lower bound.
    "lower_bound_small": (
        1000.0,
        500.0,
        None,
        True,
        True,
        "indeterminate",
        ["matrix_throughput"],
        "indeterminate",
    ),
    "lower_bound_big": (5000.0, None, 400.0, True, True, "3A090.a", [], "not_controlled"),
    "lower_bound_consumer": (
        1000.0,
        500.0,
        None,
        False,
        True,
        "indeterminate",
        ["matrix_throughput"],
        "indeterminate",
    ),
}


def screen(chips: dict[str, tuple]) -> pl.DataFrame:
    """The screening SQL on made-up chips and the real clauses and notes of us.yaml."""
    frame = pl.DataFrame(
        [
            {
                "hardware_name": name,
                "manufacturer": "x",
                "type": "GPU",
                "release_date": None,
                "tpp": tpp,
                "tpp_source": "computed",
                "tpp_catalog": tpp,
                "tpp_tf32_19": tpp,
                "matrix_throughput_missing": lower_bound,
                "die_area_mm2": die,
                "applicable_die_area_mm2": die,
                "die_area_basis": None if die is None else "die_size",
                "performance_density": None if tpp is None or die is None else tpp / die,
                "interconnect_bandwidth_gb_s": link,
                "designed_for_datacenter": datacenter,
                "datacenter_source": "test",
            }
            for name, (tpp, die, link, datacenter, lower_bound, *_) in chips.items()
        ],
        schema_overrides={
            "release_date": pl.Date,
            "tpp": pl.Float64,
            "tpp_catalog": pl.Float64,
            "tpp_tf32_19": pl.Float64,
            "die_area_mm2": pl.Float64,
            "applicable_die_area_mm2": pl.Float64,
            "die_area_basis": pl.String,
            "performance_density": pl.Float64,
            "interconnect_bandwidth_gb_s": pl.Float64,
            "designed_for_datacenter": pl.Boolean,
        },
    )
    tables = real_tables()
    return run_model_sql(
        "export_control_screening",
        {
            "analytics.accelerators": frame,
            "raw.export_control_clauses": tables["raw.export_control_clauses"],
            "raw.export_control_exclusions": tables["raw.export_control_exclusions"],
        },
    )


def test_known_inputs_settle_a_verdict_and_missing_ones_are_named():
    screened = screen(CHIPS)
    for name, (*_, verdict_2023, missing_2023, verdict_2022) in CHIPS.items():
        got = row(screened, hardware_name=name)
        assert got["verdict_2023"] == verdict_2023, name
        assert got["missing_inputs_2023"] == missing_2023, name
        assert got["verdict_2022"] == verdict_2022, name
    consumer = row(screened, hardware_name="consumer_dense")
    assert consumer["verdict_2023_before_notes"] == "3A090.a"
    assert consumer["excluded_by_2023"] == "Note 2 to 3A090"
    assert row(screened, hardware_name="consumer_big")["excluded_by_2023"] is None
