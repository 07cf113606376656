"""The real Epoch AI and MLPerf files read as published, and what a broken one reports."""

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from models.validation import SeedValidationError
from pipelines.ingest.seeds import load_seeds
from tests.conftest import edit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CATALOG = "hardware/epoch_ml_hardware.csv"
RESULTS = "hardware/mlperf_inference_v4.1_summary.json"


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return load_seeds(SEEDS)


def problems(seeds_dir: Path):
    with pytest.raises(SeedValidationError) as caught:
        load_seeds(seeds_dir)
    return caught.value.problems


def start_line(path: Path, prefix: str) -> int:
    """1-based line of the file on which the record starting with prefix begins."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(prefix))


def test_the_real_catalog_keeps_every_row_multi_line_notes_and_empty_cells(tables):
    catalog = tables["hardware_catalog"]
    assert catalog.height == 170
    assert catalog.get_column("hardware_name").n_unique() == 170
    ironwood = catalog.filter(pl.col("hardware_name") == "Google TPU v7 Ironwood").row(
        0, named=True
    )
    assert "\n" in ironwood["notes"] and "We round to 960 W" in ironwood["notes"]
    assert ironwood["tdp_w"] == 960.0
    h20 = catalog.filter(pl.col("hardware_name") == "NVIDIA HGX H20").row(0, named=True)
    assert h20["die_size_mm2"] is None  # empty in the file: missing, not an error
    assert h20["fp8_flop_s"] is None
    h200 = catalog.filter(pl.col("hardware_name") == "NVIDIA H200 SXM").row(0, named=True)
    assert h200["total_processing_performance_bit_op_s"] == pytest.approx(1.5832e16)  # 1.5832e+16
    assert catalog.schema["release_date"] == pl.Date


def test_the_real_mlperf_results_keep_every_record_and_their_units(tables):
    results = tables["mlperf_results"]
    assert results.height == 937
    assert results.get_column("location").n_unique() == 937
    assert results.filter(pl.col("accelerator").is_null()).height == 110  # CPU-only systems
    assert set(results.get_column("performance_units").unique()) == {
        "Tokens/s",
        "Samples/s",
        "Queries/s",
        "Latency (ms)",
    }
    assert results.filter(pl.col("power_result").is_not_null()).height == 31
    assert results.schema["accelerators_per_node"] == pl.Int64


def test_sources_record_the_file_read_its_hash_and_attribution(tables):
    sources = {row["kind"]: row for row in tables["hardware_sources"].iter_rows(named=True)}
    catalog, results = sources["hardware_catalog"], sources["benchmark_results"]
    assert catalog["attribution"] == "Epoch AI" and catalog["license"] == "CC BY 4.0"
    assert results["attribution"] == "MLCommons" and results["license"] == "Apache-2.0"
    assert catalog["path_from"] == "sources.yaml"
    assert catalog["resolved_path"] == CATALOG  # relative: a moved project is the same data
    assert catalog["env_var"] == "SOVAI_HARDWARE_CATALOG"
    assert results["env_var"] == "SOVAI_MLPERF_RESULTS"
    assert len(catalog["sha256"]) == 64


def referenced_chips() -> set[str]:
    """Catalog chips the aliases, supplements, manufacturers and datacenter designations name."""
    names = set()
    for seed in (
        "accelerator_aliases.csv",
        "hardware/catalog_supplements.csv",
        "hardware/catalog_manufacturers.csv",
        "hardware/datacenter_designation.csv",
    ):
        with (SEEDS / seed).open(newline="", encoding="utf-8") as file:
            names |= {item["hardware_name"] for item in csv.DictReader(file)}
    return names - {""}


# The chips the seeds name (a newer catalog must keep them), plus the A100 whose TDP the small
# copy changes.
KEPT_CHIPS = referenced_chips() | {"NVIDIA A100 SXM4 80 GB"}


def small_catalog(path: Path, a100_tdp: str = "450.0") -> Path:
    """A newer-release stand-in: some of the real rows, the A100 SXM4 80 GB's TDP changed."""
    with (SEEDS / CATALOG).open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    kept = [row for row in rows if row[0] in KEPT_CHIPS]
    tdp = header.index("TDP (W)")
    for row in kept:
        if row[0] == "NVIDIA A100 SXM4 80 GB":
            row[tdp] = a100_tdp
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([header, *kept])
    return path


def test_an_environment_variable_replaces_a_source_path(seeds, tmp_path, monkeypatch):
    newer = small_catalog(tmp_path / "newer_ml_hardware.csv")
    monkeypatch.setenv("SOVAI_HARDWARE_CATALOG", str(newer))
    tables = load_seeds(seeds)
    catalog = tables["hardware_catalog"]
    assert set(catalog.get_column("hardware_name")) == KEPT_CHIPS
    a100 = catalog.filter(pl.col("hardware_name") == "NVIDIA A100 SXM4 80 GB")
    assert a100.get_column("tdp_w").to_list() == [450.0]
    source = (
        tables["hardware_sources"].filter(pl.col("kind") == "hardware_catalog").row(0, named=True)
    )
    assert (source["path_from"], Path(source["resolved_path"])) == ("environment", newer)
    assert tables["mlperf_results"].height == 937  # the other source is untouched


def test_a_file_outside_the_seeds_folder_is_recorded_by_its_absolute_path(seeds, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    elsewhere = small_catalog(tmp_path / "elsewhere" / "ml_hardware.csv")
    edit(seeds / "sources.yaml", f"path: {CATALOG}", f"path: {elsewhere}")
    tables = load_seeds(seeds)
    source = (
        tables["hardware_sources"].filter(pl.col("kind") == "hardware_catalog").row(0, named=True)
    )
    assert (source["path_from"], source["resolved_path"]) == ("sources.yaml", str(elsewhere))
    assert set(tables["hardware_catalog"].get_column("hardware_name")) == KEPT_CHIPS


def test_a_bad_cell_is_reported_on_the_line_its_record_starts(seeds):
    path = seeds / CATALOG
    line = start_line(path, "NVIDIA HGX H20,")
    index = [row[0] for row in csv.reader(path.open(encoding="utf-8"))].index("NVIDIA HGX H20")
    assert line != index + 1, "multi-line notes above must shift the line number"
    edit(path, "2023-11-09,12000.0,148000000000000.0", "2023-11-09,cheap,148000000000000.0")
    (problem,) = problems(seeds)
    assert problem.file.endswith(CATALOG)
    assert (problem.row, problem.column, problem.value) == (
        f"line {line}",
        "release_price_usd",
        "cheap",
    )
    assert "number" in problem.rule


def test_a_negative_tdp_is_out_of_range(seeds):
    edit(seeds / CATALOG, "4000000000000.0,,,400.0,1000000000000.0", "4000000000000.0,,,-400,1e12")
    (problem,) = problems(seeds)
    assert problem.column == "tdp_w" and "greater than 0" in problem.rule


def test_a_column_missing_from_the_published_header_is_named(seeds):
    edit(seeds / CATALOG, "TDP (W),", "Thermal power,")
    (problem,) = problems(seeds)
    assert (problem.row, problem.column) == ("header", "TDP (W)")


def test_an_unknown_mlperf_unit_is_reported_with_its_record_and_column(seeds):
    path = seeds / RESULTS
    records = json.loads(path.read_text(encoding="utf-8"))
    records[4]["Performance_Units"] = "Tokens/min"
    path.write_text(json.dumps(records), encoding="utf-8")
    (problem,) = problems(seeds)
    assert problem.file.endswith(RESULTS)
    assert (problem.row, problem.column, problem.value) == (
        "record 5",
        "performance_units",
        "Tokens/min",
    )
    assert "Tokens/s" in problem.rule


def test_a_power_result_without_its_unit_is_reported(seeds):
    path = seeds / RESULTS
    records = json.loads(path.read_text(encoding="utf-8"))
    index = next(i for i, record in enumerate(records) if "Power_Units" in record)
    del records[index]["Power_Units"]
    path.write_text(json.dumps(records), encoding="utf-8")
    (problem,) = problems(seeds)
    assert (problem.row, problem.column) == (f"record {index + 1}", "power_units")


def test_a_missing_file_names_the_variable_that_pointed_to_it(seeds, tmp_path, monkeypatch):
    monkeypatch.setenv("SOVAI_MLPERF_RESULTS", str(tmp_path / "nowhere.json"))
    (problem,) = problems(seeds)
    assert problem.file.endswith("sources.yaml")
    assert (problem.row, problem.column) == ("sources item 2", "path")
    assert "SOVAI_MLPERF_RESULTS" in problem.rule


def test_an_alias_to_a_chip_not_in_the_catalog_is_reported(seeds):
    edit(seeds / "accelerator_aliases.csv", "TPU v5e,Google TPU v5e,", "TPU v5e,Google TPU v5x,")
    (problem,) = problems(seeds)
    assert problem.file.endswith("accelerator_aliases.csv")
    assert (problem.row, problem.column, problem.value) == (
        "line 3",
        "hardware_name",
        "Google TPU v5x",
    )


def test_a_supplement_may_only_fill_known_columns(seeds):
    edit(seeds / "hardware/catalog_supplements.csv", ",die_size_mm2,", ",die_colour,")
    (problem,) = problems(seeds)
    assert (problem.row, problem.column) == ("line 2", "field")


def test_only_an_applicable_die_area_may_be_left_empty(seeds):
    edit(
        seeds / "hardware/catalog_supplements.csv",
        "Titan V,tensor_fp16_bf16_flop_s,110000000000000,",
        "Titan V,tensor_fp16_bf16_flop_s,,",
    )
    (problem,) = problems(seeds)
    assert problem.file.endswith("catalog_supplements.csv")
    assert problem.column == "value" and "applicable_die_area_mm2" in problem.rule


def test_a_datacenter_designation_is_yes_or_no(seeds):
    edit(seeds / "hardware/datacenter_designation.csv", "NVIDIA L4,yes,", "NVIDIA L4,maybe,")
    (problem,) = problems(seeds)
    assert (problem.column, problem.value) == ("designed_or_marketed_for_datacenters", "maybe")


def test_a_datacenter_designation_must_name_a_catalog_chip(seeds):
    edit(seeds / "hardware/datacenter_designation.csv", "NVIDIA L40,yes,", "NVIDIA L40S,yes,")
    (problem,) = problems(seeds)
    assert (problem.column, problem.value) == ("hardware_name", "NVIDIA L40S")


def test_note_2_to_3a090_is_read_with_its_legal_source(tables):
    (note,) = tables["export_control_exclusions"].iter_rows(named=True)
    assert (note["rule"], note["eccn"], note["exclusion"]) == (2023, "3A090", "Note 2 to 3A090")
    assert (note["applies_to_market"], note["tpp_below"]) == ("not_datacenter", 4800)
    assert "88 FR 73458" in note["legal_source"]
    assert "not designed or marketed for use in datacenters" in note["legal_source"]


def test_the_screening_clauses_carry_their_legal_source_and_the_article_discrepancy(tables):
    clauses = tables["export_control_clauses"]
    assert set(clauses.get_column("clause")) == {
        "3A090.a.1",
        "3A090.a.2",
        "3A090.b.1",
        "3A090.b.2",
        "3A090.a (2022)",
    }
    assert clauses.get_column("legal_source").str.contains("15 CFR 774").all()
    density = clauses.filter(pl.col("clause") == "3A090.a.2").row(0, named=True)
    assert density["pd_min"] == 5.92
    assert "600" in density["note"] and "5.92" in density["note"]
