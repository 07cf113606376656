-- How each plan's ranking by cost per million tokens moves when the electricity price, or the
-- accelerator prices, move down and up by the fractions in seeds/assumptions.yaml
-- (sensitivity_electricity_price_change, sensitivity_accelerator_price_change; 30% each), one at a
-- time. Every option the plan considers that has a cost is costed in every case; the rank is among
-- those obtainable without a licence, as in analytics.sovereign_compute_plans (null for the
-- others). Energy and capital scale linearly, so each case's cost per million tokens is
-- (capital x price factor + energy cost x electricity factor) / tokens over the horizon x 1e6.
with assumptions as (
    select
        sensitivity_electricity_price_change as electricity_change,
        sensitivity_accelerator_price_change as price_change
    from raw.assumptions
),

cases as (
    select case_name, case_order, electricity_factor, accelerator_price_factor
    from assumptions
    cross join lateral (
        select unnest([
            {case_name: 'base', case_order: 1, electricity_factor: 1.0,
                accelerator_price_factor: 1.0},
            {case_name: 'electricity_low', case_order: 2,
                electricity_factor: 1 - electricity_change, accelerator_price_factor: 1.0},
            {case_name: 'electricity_high', case_order: 3,
                electricity_factor: 1 + electricity_change, accelerator_price_factor: 1.0},
            {case_name: 'accelerator_price_low', case_order: 4, electricity_factor: 1.0,
                accelerator_price_factor: 1 - price_change},
            {case_name: 'accelerator_price_high', case_order: 5, electricity_factor: 1.0,
                accelerator_price_factor: 1 + price_change}
        ], recursive := true)
    )
),

priced_options as (
    select
        plan,
        option,
        manufacturer,
        price_basis,
        capital_cost_usd,
        energy_cost_usd,
        tokens_over_horizon,
        licence_status,
        licence_status = 'not_required' as obtainable,
        rank_by_cost as base_rank_by_cost
    from analytics.sovereign_compute_plans
    where considered and cost_per_million_tokens_usd is not null
),

costed as (
    select
        priced_options.*,
        cases.case_name,
        cases.case_order,
        cases.electricity_factor,
        cases.accelerator_price_factor,
        (capital_cost_usd * cases.accelerator_price_factor
            + energy_cost_usd * cases.electricity_factor)
        / tokens_over_horizon * 1e6 as cost_per_million_tokens_usd
    from priced_options
    cross join cases
),

ranked as (
    select
        costed.*,
        case when obtainable then
            rank() over (
                partition by plan, case_name, obtainable order by cost_per_million_tokens_usd
            )
        end as rank_by_cost
    from costed
)

select
    plan,
    case_name as "case",
    electricity_factor,
    accelerator_price_factor,
    option,
    manufacturer,
    licence_status,
    price_basis,
    cost_per_million_tokens_usd,
    rank_by_cost,
    base_rank_by_cost,
    rank_by_cost - base_rank_by_cost as rank_change
from ranked
order by plan, case_order, rank_by_cost nulls last, cost_per_million_tokens_usd, option
