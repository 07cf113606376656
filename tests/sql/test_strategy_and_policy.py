"""Strategy, policy and infrastructure models against hand-computed values on small inputs."""

from datetime import date

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql

ASSUMPTIONS = pl.DataFrame(
    {
        "risk_score_hhi_divisor": [1000.0],
        "hhi_2010_moderate_from": [1500.0],
        "hhi_2010_high_above": [2500.0],
        "hhi_2023_moderate_from": [1000.0],
        "hhi_2023_high_above": [1800.0],
    }
)


def shares(period: date, **by_vendor: float) -> list[dict]:
    return [
        {"period": period, "market": "chips", "region": "eu", "vendor": v, "share": s}
        for v, s in by_vendor.items()
    ]


def test_strategy_position_sums_benefits_and_scores_the_latest_hhi():
    market_shares = pl.DataFrame(
        shares(date(2025, 1, 1), big=0.9, small=0.1) + shares(date(2026, 1, 1), big=0.6, small=0.4)
    )
    concentration = run_model_sql(
        "market_concentration",
        {"raw.market_shares": market_shares, "raw.assumptions": ASSUMPTIONS},
    )
    position = run_model_sql(
        "strategy_position",
        {
            "raw.strategies": pl.DataFrame(
                {
                    "company": ["acme"],
                    "primary_vendor": ["big"],
                    "market": ["chips"],
                    "region": ["eu"],
                    "fallback_strategy": ["diversify"],
                    "diversification_targets": [["small"]],
                    "mitigation_actions": [["hedge"]],
                    "recommendation": ["stay"],
                }
            ),
            "raw.strategy_benefits": pl.DataFrame(
                {"company": ["acme", "acme"], "benefit": ["a", "b"], "value": [0.2, 0.3]}
            ),
            "analytics.market_concentration": concentration,
            "raw.market_shares": market_shares,
            "raw.assumptions": ASSUMPTIONS,
        },
    ).row(0, named=True)
    assert position["period"] == date(2026, 1, 1)
    assert position["primary_vendor_share"] == pytest.approx(0.6)
    assert position["immediate_benefit"] == pytest.approx(0.5)
    assert position["hhi"] == pytest.approx(60**2 + 40**2)
    assert position["long_term_risk"] == pytest.approx(5.2)


def test_policy_effectiveness_level_over_target_progress_from_baseline_and_leverage():
    """The US share of global chip capacity: 12% now, 20% targeted, 12% in 2020 when the policy
    started. Level / target reads 0.6 (the article's 'progress'); measured from the baseline no
    progress has been made."""
    inputs = pl.DataFrame(
        {
            "jurisdiction": ["us"] * 4,
            "metric": ["workers", "capacity", "public_funding", "private_investment"],
            "unit": ["workers", "percent", "usd", "usd"],
            "current": [85000.0, 12.0, 52e9, 210e9],
            "target": [200000.0, 20.0, None, None],
            "target_year": [2030, 2030, None, None],
            "baseline": [None, 12.0, None, None],
            "baseline_year": [None, 2020, None, None],
            "baseline_source": [None, "SIA/BCG 2020", None, None],
            "note": [None, None, "CHIPS Act semiconductor incentives", None],
            "status": [None, "on_track", None, None],
            "article_value": [None, None, None, "4.04"],
        }
    )
    rows = {
        row["metric"]: row
        for row in run_model_sql(
            "policy_effectiveness", {"raw.policy_effectiveness_inputs": inputs}
        ).iter_rows(named=True)
    }
    assert rows["workers"]["current_over_target"] == pytest.approx(0.425)
    assert rows["workers"]["progress_from_baseline"] is None  # no baseline known
    assert rows["capacity"]["current_over_target"] == pytest.approx(0.6)
    assert rows["capacity"]["progress_from_baseline"] == pytest.approx(0.0)
    assert rows["public_funding"]["current_over_target"] is None
    leverage = rows["private_investment_leverage"]
    assert leverage["current"] == pytest.approx(210 / 52)
    assert leverage["derivation"] == "private_investment / public_funding"
    assert "not AI-specific" in leverage["note"]


def instruments(**columns) -> pl.DataFrame:
    defaults = {
        "jurisdiction": ["us"],
        "instrument": ["chips_act"],
        "kind": ["funding_program"],
        "funding_usd": [280e9],
        "earmarked_usd": [52e9],
        "earmarked_for": ["semiconductor incentives"],
        "earmark_scope": ["semiconductors"],
        "article_label": ["ai_specific_allocation"],
        "start_year": [2022],
        "end_year": [2032],
        "focus": [["fabs"]],
        "purpose": [None],
        "source": ["test"],
    }
    return pl.DataFrame({**defaults, **columns}, schema_overrides={"purpose": pl.String})


def test_the_chips_acts_52_billion_is_an_earmark_for_chips_not_ai_funding():
    row = run_model_sql("policy_instruments", {"raw.policy_instruments": instruments()}).row(
        0, named=True
    )
    assert row["earmarked_share_of_funding"] == pytest.approx(52 / 280)
    assert row["ai_specific_funding_usd"] is None and row["ai_share_of_funding"] is None
    assert row["article_label"] == "ai_specific_allocation"  # the article's word, kept apart
    assert row["duration_years"] == 11
    assert row["funding_usd_per_year"] == pytest.approx(280e9 / 11)
    assert row["funding_span"] == "2022-2032, 11 years counting both ends"


def test_an_earmark_for_ai_counts_as_ai_funding():
    ai = instruments(earmark_scope=["ai"], start_year=[None], end_year=[None])
    row = run_model_sql("policy_instruments", {"raw.policy_instruments": ai}).row(0, named=True)
    assert row["ai_specific_funding_usd"] == 52e9
    assert row["ai_share_of_funding"] == pytest.approx(52 / 280)
    assert row["funding_usd_per_year"] is None and row["funding_span"] is None


def test_vendor_risk_uses_the_latest_period_and_each_vendors_hhi_term():
    market_shares = pl.DataFrame(
        shares(date(2025, 1, 1), big=0.9) + shares(date(2026, 1, 1), big=0.7, other=0.3)
    )
    vendors = pl.DataFrame(
        {
            "vendor": ["big", "idle"],
            "display_name": ["Big", "Idle"],
            "geopolitical_risk": ["high", "low"],
            "geopolitical_note": [None, None],
            "supply_capacity": ["constrained", "ample"],
            "pricing_power": ["high", "low"],
            "alternatives": [["idle"], []],
            "notable_risk": [None, None],
            "notable_risk_level": [None, None],
            "notable_risk_note": [None, None],
        },
        schema_overrides={
            "geopolitical_note": pl.String,
            "notable_risk": pl.String,
            "notable_risk_level": pl.String,
            "notable_risk_note": pl.String,
        },
    )
    rows = {
        row["vendor"]: row
        for row in run_model_sql(
            "vendor_risk", {"raw.vendors": vendors, "raw.market_shares": market_shares}
        ).iter_rows(named=True)
    }
    assert rows["big"]["period"] == date(2026, 1, 1)
    assert rows["big"]["hhi_contribution"] == pytest.approx(4900)
    assert rows["big"]["geopolitical_risk_score"] == 3
    assert rows["big"]["supply_constrained"] is True
    assert rows["idle"]["share"] is None  # a vendor without share data is still listed
    assert "other" not in rows


def test_infrastructure_windows_become_first_and_last_years():
    components = pl.DataFrame(
        {
            "company": ["m", "m"],
            "vendor": ["n", "n"],
            "component": ["gpu", "cpu"],
            "generation": ["g1", None],
            "model": ["x", "y"],
            "quantity": ["millions", None],
            "deployment": ["2027-2028", "2026"],
            "purpose": ["train", "serve"],
            "note": [None, None],
        },
        schema_overrides={"note": pl.String},
    )
    rows = run_model_sql(
        "infrastructure_deployments", {"raw.infrastructure_components": components}
    ).select("model", "deployment_start_year", "deployment_end_year")
    assert rows.rows() == [("y", 2026, 2026), ("x", 2027, 2028)]
