"""Sovereign compute plans on a small plan worked by hand: three accelerators, one blocked by the
2023 rule at the plan's destination; the figures below are computed on paper from the fixture.

The plan: 1 MW of IT power, PUE 1.5, electricity 0.50 USD/kWh, grid 0.5 kg CO2/kWh, 2 years at
utilization 0.5 with 8,000 hours a year, so it serves 8,000 hours. Its destination, Freedonia, is
in Country Group D:4, where the 2023 rule requires a licence for 3A090 items.

| option | power / accelerator         | count | tokens/s  | price  | verdict 2023   |
| ------ | --------------------------- | ----- | --------- | ------ | -------------- |
| Alpha X1 | 600 W measured at the wall  | 1,666 | 1,000     | 10,000 | not_controlled |
| Beta B2  | 400 W TDP x 1.25 = 500 W    | 2,000 | 600       | 5,000  | not_controlled |
| Alpha Z9 | 800 W TDP x 1.25 = 1,000 W  | 1,000 | 2,000     | 20,000 | 3A090.a        |
"""

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql
from tests.sql.hardware import real_raw, row

PLAN = "test-plan"


def efficiency_row(accelerator, manufacturer, power_w, tokens_per_s, measured_w, price) -> dict:
    return {
        "accelerator": accelerator,
        "hardware_name": accelerator,
        "manufacturer": manufacturer,
        "accelerator_power_w": power_w,
        "model": "llama2-70b-99",
        "scenario": "Offline",
        "availability": "available",
        "throughput_unit": "tokens/s",
        "n_submissions": 3,
        "n_measured": 0 if measured_w is None else 1,
        "best_throughput_per_accelerator": tokens_per_s,
        "median_throughput_per_accelerator": tokens_per_s,
        "median_measured_w_per_accelerator": measured_w,
        "price_usd": price,
        "price_basis": "chip_estimate",
    }


def screening_row(chip: str, verdict_2023: str) -> dict:
    return {
        "hardware_name": chip,
        "verdict_2023": verdict_2023,
        "missing_inputs_2023": [],
        "verdict_2022": "not_controlled",
        "missing_inputs_2022": [],
    }


def inputs(**plan_changes) -> dict[str, pl.DataFrame]:
    assumptions = real_raw()["raw.assumptions"].with_columns(
        hours_per_year=pl.lit(8000.0),
        host_power_overhead=pl.lit(0.25),
        sensitivity_electricity_price_change=pl.lit(0.30),
        sensitivity_accelerator_price_change=pl.lit(0.30),
    )
    plan = {
        "plan": PLAN,
        "name": "A plan worked by hand",
        "destination": "freedonia",
        "export_rule": 2023,
        "power_budget_mw": 1.0,
        "pue": 1.5,
        "electricity_usd_per_kwh": 0.50,
        "grid_kg_co2_per_kwh": 0.5,
        "horizon_years": 2.0,
        "utilization": 0.5,
        "benchmark": "llama2-70b",
        "accuracy_target": "99",
        "scenario": "Offline",
        "availability": None,
        "excluded_manufacturers": None,
    } | plan_changes
    return {
        "raw.assumptions": assumptions,
        "raw.compute_plans": pl.DataFrame(
            [plan], schema_overrides={"availability": pl.List(pl.String)}
        ),
        "raw.export_control_destinations": pl.DataFrame(
            [{"destination": "freedonia", "name": "Freedonia", "country_groups": ["D:4"]}]
        ),
        "raw.export_control_licence_requirements": pl.DataFrame(
            [
                {
                    "rule": 2023,
                    "eccn": "3A090",
                    "country_groups": ["D:1", "D:4", "D:5"],
                    "except_country_groups": ["A:5", "A:6"],
                    "destinations": [],
                    "legal_source": "15 CFR 742.6(a)(6)(iii) (88 FR 73458)",
                }
            ],
            schema_overrides={"destinations": pl.List(pl.String)},
        ),
        "analytics.accelerator_efficiency": pl.DataFrame(
            [
                efficiency_row("Alpha X1", "Alpha", 500.0, 1000.0, 600.0, 10_000.0),
                efficiency_row("Beta B2", "Beta", 400.0, 600.0, None, 5_000.0),
                efficiency_row("Alpha Z9", "Alpha", 800.0, 2000.0, None, 20_000.0),
            ]
        ),
        "analytics.export_control_screening": pl.DataFrame(
            [
                screening_row("Alpha X1", "not_controlled"),
                screening_row("Beta B2", "not_controlled"),
                screening_row("Alpha Z9", "3A090.a"),
            ]
        ),
    }


def plan_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    for name in (
        "sovereign_compute_plans",
        "sovereign_compute_plan_sensitivity",
        "sovereign_compute_plan_summary",
    ):
        tables[f"analytics.{name}"] = run_model_sql(name, tables)
    return tables


@pytest.fixture(scope="module")
def worked() -> dict[str, pl.DataFrame]:
    return plan_tables(inputs())


def option(tables: dict[str, pl.DataFrame], name: str) -> dict:
    return row(tables["analytics.sovereign_compute_plans"], plan=PLAN, accelerator=name)


def test_the_power_budget_holds_the_accelerators_its_power_basis_allows(worked):
    alpha, beta, blocked = (option(worked, n) for n in ("Alpha X1", "Beta B2", "Alpha Z9"))
    # measured wall power where MLPerf measured it: 1,000,000 W / 600 W = 1,666.7 -> 1,666
    assert (alpha["power_basis"], alpha["power_per_accelerator_w"]) == ("measured", 600.0)
    assert alpha["accelerators"] == 1666
    # else TDP x (1 + host overhead 0.25): 400 W -> 500 W, 2,000 of them
    assert beta["power_basis"] == "tdp_plus_host_overhead"
    assert (beta["power_per_accelerator_w"], beta["accelerators"]) == (500.0, 2000)
    assert blocked["accelerators"] == 1000  # 800 W x 1.25 = 1,000 W
    assert alpha["total_tokens_per_s"] == pytest.approx(1_666_000)
    assert beta["total_tokens_per_s"] == pytest.approx(1_200_000)
    assert alpha["it_power_mw"] == pytest.approx(0.9996)


def test_cost_per_million_tokens_is_capital_and_energy_over_the_tokens_served(worked):
    alpha, beta = option(worked, "Alpha X1"), option(worked, "Beta B2")
    assert alpha["hours_served"] == pytest.approx(8000)  # 8,000 h x 2 years x 0.5
    # Alpha X1: 1,666 x 1,000 tokens/s x 3,600 s x 8,000 h = 47,980.8 billion tokens;
    # energy 1,666 x 600 W x 1.5 x 8,000 h = 11,995.2 MWh, 5,997,600 USD at 0.50 USD/kWh;
    # capital 1,666 x 10,000 = 16,660,000 USD; (16,660,000 + 5,997,600) / 47,980,800 M tokens.
    assert alpha["tokens_over_horizon"] == pytest.approx(4.79808e13)
    assert alpha["energy_mwh"] == pytest.approx(11_995.2)
    assert alpha["energy_cost_usd"] == pytest.approx(5_997_600)
    assert alpha["capital_cost_usd"] == pytest.approx(16_660_000)
    assert alpha["cost_per_million_tokens_usd"] == pytest.approx(0.472222, abs=1e-6)
    # Beta B2: 2,000 x 600 x 3,600 x 8,000 = 34,560 billion tokens; energy 12,000 MWh (6,000,000
    # USD), capital 10,000,000 USD: 16,000,000 / 34,560,000 M tokens.
    assert beta["cost_per_million_tokens_usd"] == pytest.approx(0.462963, abs=1e-6)
    assert beta["energy_cost_per_million_tokens_usd"] == pytest.approx(0.173611, abs=1e-6)


def test_co2_per_million_tokens_is_energy_per_token_times_the_grid(worked):
    # Alpha X1: 600 W x 1.5 / 1,000 tokens/s = 0.9 J per token = 0.25 kWh per million tokens,
    # x 0.5 kg/kWh = 0.125 kg; utilization and the count cancel out.
    assert option(worked, "Alpha X1")["co2_kg_per_million_tokens"] == pytest.approx(0.125)
    # Beta B2: 500 W x 1.5 / 600 = 1.25 J = 0.34722 kWh per million tokens -> 0.17361 kg
    assert option(worked, "Beta B2")["co2_kg_per_million_tokens"] == pytest.approx(0.173611, 1e-5)
    assert option(worked, "Alpha X1")["co2_tonnes"] == pytest.approx(5_997.6)
    assert option(worked, "Alpha X1")["tokens_per_joule"] == pytest.approx(1000 / 900)


def test_the_chip_the_rule_controls_needs_a_licence_at_a_d4_destination_and_is_not_ranked(worked):
    blocked = option(worked, "Alpha Z9")
    assert (blocked["licence_status"], blocked["obtainable_without_licence"]) == (
        "required",
        False,
    )
    assert "3A090.a under the 2023 rule" in blocked["licence_reason"]
    assert "Freedonia (Country Group D:4)" in blocked["licence_reason"]
    assert "88 FR 73458" in blocked["licence_reason"]
    assert blocked["rank_by_cost"] is None and blocked["rank_by_tokens_per_s"] is None
    free = option(worked, "Beta B2")
    assert (free["licence_status"], free["obtainable_without_licence"]) == ("not_required", True)
    # ranks among the obtainable: Beta B2 is cheaper, Alpha X1 delivers more
    assert (free["rank_by_cost"], option(worked, "Alpha X1")["rank_by_cost"]) == (1, 2)
    assert (free["rank_by_tokens_per_s"], option(worked, "Alpha X1")["rank_by_tokens_per_s"]) == (
        2,
        1,
    )


def test_the_summary_names_the_best_options_the_capacity_lost_and_the_hhi(worked):
    summary = row(worked["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    assert (summary["n_options"], summary["n_obtainable"], summary["n_licence_required"]) == (
        3,
        3 - 1,
        1,
    )
    assert summary["cheapest_option"] == "Beta B2 (400 W)"
    assert summary["cheapest_cost_per_million_tokens_usd"] == pytest.approx(0.462963, abs=1e-6)
    assert summary["fastest_option"] == "Alpha X1 (500 W)"
    assert summary["best_overall_option"] == "Alpha Z9 (800 W)"
    # 1,666,000 obtainable tokens/s of the 2,000,000 the blocked chip would give
    assert summary["obtainable_capacity_ratio"] == pytest.approx(0.833)
    assert summary["capacity_lost_to_export_controls"] == pytest.approx(0.167)
    # obtainable capacity: Alpha 1,666,000 and Beta 1,200,000 tokens/s of 2,866,000:
    # shares 58.13% and 41.87%, HHI 58.1298^2 + 41.8702^2 = 3,379.07 + 1,753.11
    assert summary["obtainable_capacity_hhi"] == pytest.approx(5132.18, abs=0.01)
    assert summary["top_manufacturer"] == "Alpha"
    assert summary["top_manufacturer_share"] == pytest.approx(0.581298, abs=1e-6)


def test_dearer_electricity_or_cheaper_chips_make_the_more_efficient_chip_the_cheaper(worked):
    sensitivity = worked["analytics.sovereign_compute_plan_sensitivity"]
    high = sensitivity.filter(pl.col("case") == "electricity_high")
    # at 0.65 USD/kWh: Alpha X1 0.347222 + 0.25 x 0.65 = 0.509722; Beta B2 0.289352 +
    # 0.347222 x 0.65 = 0.515046 USD per million tokens
    assert row(high, option="Alpha X1 (500 W)")["cost_per_million_tokens_usd"] == pytest.approx(
        0.509722, abs=1e-6
    )
    assert row(high, option="Alpha X1 (500 W)")["rank_change"] == -1
    # the blocked chip is costed for comparison, never ranked
    blocked = row(high, option="Alpha Z9 (800 W)")
    assert (blocked["licence_status"], blocked["rank_by_cost"]) == ("required", None)
    dear_chips = sensitivity.filter(pl.col("case") == "accelerator_price_high")
    # (10,000,000 x 1.3 + 6,000,000) / 34,560,000
    assert row(dear_chips, option="Beta B2 (400 W)")["cost_per_million_tokens_usd"] == (
        pytest.approx(0.549769, abs=1e-6)
    )
    summary = row(worked["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    # chips 30% cheaper: Alpha X1 0.347222 x 0.7 + 0.125 = 0.368056; Beta B2 0.289352 x 0.7 +
    # 0.173611 = 0.376157, so Alpha X1 is the cheaper there too
    low = sensitivity.filter(pl.col("case") == "accelerator_price_low")
    assert row(low, option="Alpha X1 (500 W)")["cost_per_million_tokens_usd"] == pytest.approx(
        0.368056, abs=1e-6
    )
    assert summary["cheapest_is_robust"] is False
    assert summary["cases_changing_cheapest"] == ["accelerator_price_low", "electricity_high"]


def test_under_the_2022_rule_the_same_chips_need_no_licence_outside_china():
    tables = inputs(export_rule=2022)
    tables["raw.export_control_licence_requirements"] = pl.DataFrame(
        [
            {
                "rule": 2022,
                "eccn": "3A090",
                "country_groups": [],
                "except_country_groups": [],
                "destinations": ["china"],
                "legal_source": "87 FR 62186",
            }
        ],
        schema_overrides={
            "country_groups": pl.List(pl.String),
            "except_country_groups": pl.List(pl.String),
        },
    )
    summary = row(plan_tables(tables)["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    assert (summary["n_obtainable"], summary["obtainable_capacity_ratio"]) == (3, 1.0)


def test_a_missing_price_gives_a_null_cost_with_its_reason_not_a_failure():
    tables = inputs()
    tables["analytics.accelerator_efficiency"] = tables[
        "analytics.accelerator_efficiency"
    ].with_columns(
        price_usd=pl.when(pl.col("accelerator") == "Beta B2").then(None).otherwise("price_usd")
    )
    tables = plan_tables(tables)
    beta = option(tables, "Beta B2")
    assert beta["cost_per_million_tokens_usd"] is None and beta["rank_by_cost"] is None
    assert beta["cost_note"] == "no price: the catalog gives none for Beta B2"
    assert beta["co2_kg_per_million_tokens"] == pytest.approx(0.173611, 1e-5)
    summary = row(tables["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    assert summary["cheapest_option"] == "Alpha X1 (500 W)"


def test_an_indeterminate_chip_is_unknown_where_licences_apply_and_left_out_of_the_set():
    tables = inputs()
    tables["analytics.export_control_screening"] = tables[
        "analytics.export_control_screening"
    ].with_columns(
        verdict_2023=pl.when(pl.col("hardware_name") == "Beta B2")
        .then(pl.lit("indeterminate"))
        .otherwise("verdict_2023"),
        missing_inputs_2023=pl.when(pl.col("hardware_name") == "Beta B2")
        .then(pl.lit(["applicable_die_area_mm2"]))
        .otherwise("missing_inputs_2023"),
    )
    tables = plan_tables(tables)
    beta = option(tables, "Beta B2")
    assert (beta["licence_status"], beta["obtainable_without_licence"]) == ("unknown", None)
    assert "missing: applicable_die_area_mm2" in beta["licence_reason"]
    summary = row(tables["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    assert summary["n_obtainability_unknown"] == 1
    assert summary["obtainable_capacity_hhi"] == pytest.approx(10_000)  # Alpha alone


def test_an_excluded_manufacturer_is_kept_with_its_reason_but_not_ranked():
    tables = plan_tables(inputs(excluded_manufacturers=["Beta"]))
    beta = option(tables, "Beta B2")
    assert (beta["considered"], beta["plan_constraint"]) == (
        False,
        "manufacturer Beta excluded by the plan",
    )
    assert beta["rank_by_cost"] is None
    summary = row(tables["analytics.sovereign_compute_plan_summary"], plan=PLAN)
    assert summary["n_options"] == 2 and summary["cheapest_option"] == "Alpha X1 (500 W)"


def test_the_shipped_plans_run_on_the_real_tables():
    from tests.sql.hardware import real_tables

    tables = plan_tables(dict(real_tables()))
    summary = tables["analytics.sovereign_compute_plan_summary"]
    eu = row(summary, plan="eu-sovereign-inference")
    assert eu["n_obtainable"] == eu["n_options"] > 0  # Germany needs no licence for 3A090
    assert eu["cheapest_option"] == "AMD Instinct MI300X (750 W)"
    gulf = row(summary, plan="gulf-sovereign-cluster")
    assert gulf["n_obtainable"] == 0 and gulf["obtainable_capacity_ratio"] == 0
    assert gulf["cheapest_is_robust"] is None, "nothing to be robust about"
    assert gulf["note"].startswith("no option can be obtained without a licence")
    what_if = row(summary, plan="gulf-sovereign-cluster-2022-rule")
    assert what_if["obtainable_capacity_ratio"] == 1.0
