"""MLPerf results: -99/-99.9 de-duplication, unit normalization, per-result efficiency, and the
best/median aggregation of analytics.accelerator_efficiency."""

import polars as pl
import pytest

from models.mlperf import MlperfResultModel
from pipelines.metrics.sql import run_model_sql
from tests.sql.hardware import real_tables, row

H200_MAXQ = "closed/NVIDIA/results/H200-SXM-141GBx8_TRT_MaxQ"


def test_identical_99_and_99_9_results_are_counted_once():
    results = real_tables()["analytics.benchmark_results"]
    llama = results.filter(
        pl.col("result_id").str.starts_with(H200_MAXQ),
        benchmark="llama2-70b",
        scenario="Offline",
    )
    assert llama.height == 1
    kept = llama.row(0, named=True)
    assert kept["accuracy_variants"] == ["llama2-70b-99", "llama2-70b-99.9"]
    assert (kept["model"], kept["accuracy_target"]) == ("llama2-70b-99.9", "99.9")
    assert kept["throughput"] == 25262.1


def test_variants_with_different_numbers_are_two_results():
    results = real_tables()["analytics.benchmark_results"]
    bert = results.filter(
        pl.col("result_id").str.starts_with(H200_MAXQ), benchmark="bert", scenario="Offline"
    ).sort("model")
    assert bert.get_column("throughput").to_list() == [54063.2, 46534.6]
    assert bert.get_column("accuracy_variants").to_list() == [["bert-99"], ["bert-99.9"]]


def test_every_published_result_is_in_exactly_one_row():
    tables = real_tables()
    results = tables["analytics.benchmark_results"]
    assert results.height == 786
    assert results.get_column("accuracy_variants").list.len().sum() == 937
    assert results.get_column("result_id").n_unique() == results.height


def test_latency_scenarios_are_kept_apart_with_energy_in_millijoules():
    results = real_tables()["analytics.benchmark_results"]
    with_energy = results.filter(pl.col("energy_mj").is_not_null())
    single = row(with_energy, submitter="UntetherAI", scenario="SingleStream")
    assert (single["metric_kind"], single["latency_ms"], single["throughput"]) == (
        "latency",
        0.120438,
        None,
    )
    assert single["energy_mj"] == pytest.approx(29.2389869184)
    assert single["measured_power_w"] is None and single["power_basis"] is None
    assert single["throughput_per_w_measured"] is None and single["throughput_per_w_tdp"] is None
    latency = results.filter(metric_kind="latency")
    assert set(latency.get_column("scenario")) == {"SingleStream", "MultiStream"}
    assert latency.get_column("throughput").is_null().all()


def mlperf(**values) -> dict:
    base = {name: None for name in MlperfResultModel.to_schema().columns}
    base.update(
        system_id="s1",
        submitter="acme",
        availability="available",
        category="closed",
        suite="datacenter",
        system="box",
        model="llama2-70b-99",
        scenario="Offline",
        nodes=2,
        accelerator="Chip X-80GB",
        accelerators_per_node=4,
        version="v4.1",
        performance_result=8000.0,
        performance_units="Tokens/s",
    )
    base.update(values)
    base.setdefault("location", None)
    return base


ASSUMPTIONS = pl.DataFrame(
    {"pue": [1.5], "grid_kg_co2_per_kwh": [0.4], "min_submissions_for_median": [3]}
)
MATCHES = pl.DataFrame(
    {
        "mlperf_accelerator": ["Chip X-80GB"],
        "hardware_name": ["Chip X"],
        "manufacturer": ["Acme"],
        "status": ["matched"],
    }
)
ACCELERATORS = pl.DataFrame({"hardware_name": ["Chip X"], "tdp_w": [500.0], "price_usd": [20000.0]})
OVERRIDES = pl.DataFrame(
    schema={"mlperf_accelerator": pl.String, "accelerator_power_w": pl.Float64, "source": pl.String}
)
PRICE_BASES = pl.DataFrame(
    {
        "hardware_name": ["Chip X"],
        "price_usd": [20000.0],
        "price_basis": ["chip_estimate"],
        "source": ["a test"],
    }
)


def benchmark(rows: list[dict]) -> pl.DataFrame:
    raw = pl.DataFrame(
        [{**r, "location": r["location"] or f"r{i}"} for i, r in enumerate(rows)],
        schema_overrides={"power_result": pl.Float64, "power_units": pl.String},
    )
    return run_model_sql(
        "benchmark_results",
        {
            "raw.mlperf_results": raw,
            "raw.assumptions": ASSUMPTIONS,
            "analytics.accelerator_matches": MATCHES,
            "analytics.accelerators": ACCELERATORS,
            "raw.accelerator_power_overrides": OVERRIDES,
            "raw.hardware_price_bases": PRICE_BASES,
        },
    )


def test_units_are_normalized_and_power_basis_is_named():
    results = benchmark(
        [
            mlperf(location="tokens", performance_result=8000.0),
            mlperf(
                location="queries",
                model="bert-99",
                scenario="Server",
                performance_units="Queries/s",
                power_result=2000.0,
                power_units="Watts",
            ),
            mlperf(
                location="latency",
                model="resnet",
                scenario="SingleStream",
                performance_result=0.5,
                performance_units="Latency (ms)",
                power_result=30.0,
                power_units="millijoules",
            ),
        ]
    )
    tokens = row(results, result_id="tokens")
    assert (tokens["throughput_unit"], tokens["accelerators_total"]) == ("tokens/s", 8)
    assert (tokens["power_basis"], tokens["accelerators_power_w"]) == ("tdp", 500.0 * 8)
    assert (tokens["accelerator_power_w"], tokens["accelerator_power_source"]) == (
        500.0,
        "catalog_tdp",
    )
    assert tokens["throughput_per_accelerator"] == 1000.0
    assert tokens["throughput_per_w_tdp"] == pytest.approx(8000 / 4000)
    assert tokens["throughput_per_w_measured"] is None
    assert tokens["throughput_per_1k_usd"] == pytest.approx(1000 / 20)
    assert tokens["price_basis"] == "chip_estimate"
    # 4000 W x 1.5 PUE / 8000 tokens/s = 0.75 J per token; x 1e6 / 3.6e6 x 0.4 kg/kWh
    assert tokens["co2_kg_per_million_tokens_tdp"] == pytest.approx(0.75 * 1e6 / 3.6e6 * 0.4)
    assert tokens["co2_kg_per_million_tokens_measured"] is None
    queries = row(results, result_id="queries")
    assert (queries["throughput_unit"], queries["power_basis"]) == ("queries/s", "measured")
    assert queries["throughput_per_w_measured"] == pytest.approx(8000 / 2000)
    assert queries["throughput_per_w_tdp"] is None
    assert queries["measured_power_w"] == 2000.0
    assert queries["co2_kg_per_million_tokens_measured"] is None  # not tokens
    latency = row(results, result_id="latency")
    assert (latency["metric_kind"], latency["latency_ms"], latency["energy_mj"]) == (
        "latency",
        0.5,
        30.0,
    )
    assert latency["power_basis"] is None and latency["throughput"] is None


def test_deduplication_needs_the_same_system_scenario_and_numbers():
    results = benchmark(
        [
            mlperf(model="llama2-70b-99"),
            mlperf(model="llama2-70b-99.9"),  # same numbers: one result with the first
            mlperf(model="llama2-70b-99", system_id="s2"),  # another system: its own result
            mlperf(model="llama2-70b-99.9", system_id="s2", performance_result=7000.0),
            mlperf(model="llama2-70b-99", scenario="Server"),  # another scenario
        ]
    )
    assert results.height == 4
    assert sorted(results.get_column("accuracy_variants").list.len().to_list()) == [1, 1, 1, 2]


def test_efficiency_takes_best_and_median_and_keeps_power_bases_in_their_own_columns():
    results = benchmark(
        [
            mlperf(system_id="a", performance_result=8000.0),
            mlperf(system_id="b", performance_result=4000.0),
            mlperf(system_id="c", performance_result=6000.0),
            mlperf(
                system_id="d", performance_result=6000.0, power_result=5000.0, power_units="Watts"
            ),
            mlperf(system_id="e", performance_result=99999.0, category="open"),
        ]
    )
    efficiency = run_model_sql(
        "accelerator_efficiency",
        {"analytics.benchmark_results": results, "raw.assumptions": ASSUMPTIONS},
    )
    chip = row(efficiency, accelerator="Chip X")  # open division left out
    assert (chip["n_submissions"], chip["n_tdp"], chip["n_measured"]) == (4, 3, 1)
    assert chip["best_throughput_per_accelerator"] == 1000.0
    assert chip["median_throughput_per_accelerator"] == 750.0
    assert chip["best_throughput_per_w_tdp"] == pytest.approx(2.0)
    assert chip["median_throughput_per_w_tdp"] == pytest.approx(1.5)
    assert chip["best_throughput_per_w_measured"] == pytest.approx(6000 / 5000)
    assert chip["median_throughput_per_w_measured"] is None  # one measured result
    assert chip["median_note"] == (
        "measured medians withheld: 1 with measured power (fewer than 3)"
    )


def test_real_efficiency_of_llama2_70b_offline():
    efficiency = real_tables()["analytics.accelerator_efficiency"]
    llama = efficiency.filter(model="llama2-70b-99.9", scenario="Offline", availability="available")
    h200 = row(llama, accelerator="NVIDIA H200 SXM", accelerator_power_w=700.0)
    assert h200["best_throughput_per_w_measured"] == pytest.approx(25262.1 / 6152.9844351733)
    mi300x = row(llama, accelerator="AMD Instinct MI300X")
    assert mi300x["mlperf_accelerators"] == [
        "AMD Instinct MI300X-NPS1-SPX-192GB-750W",
        "AMD MI300X-NPS1-SPX-192GB-750W",
    ]
    assert mi300x["price_usd"] == 15000 and mi300x["best_throughput_per_1k_usd"] > 0
