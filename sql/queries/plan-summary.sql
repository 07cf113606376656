-- For each sovereign compute plan: the cheapest way to serve its workload with accelerators obtainable without an export licence, its CO2, the fastest, the capacity export controls leave and the obtainable supply's concentration.
select
    plan,
    model,
    export_rule as rule,
    n_obtainable || ' of ' || n_options as obtainable,
    cheapest_option,
    round(cheapest_cost_per_million_tokens_usd, 4) as usd_per_m_tokens,
    round(cheapest_co2_kg_per_million_tokens, 4) as kg_co2_per_m_tokens,
    fastest_option,
    round(obtainable_capacity_ratio, 2) as capacity_kept,
    round(obtainable_capacity_hhi) as hhi,
    top_manufacturer
from analytics.sovereign_compute_plan_summary
order by plan
