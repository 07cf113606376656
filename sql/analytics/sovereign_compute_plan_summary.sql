-- Each sovereign compute plan in one row: its best option obtainable without a licence by cost
-- per million tokens and by tokens/s, the capacity export controls cost it (the best obtainable
-- tokens/s over the best of every option the plan allows, licence or not), the concentration of
-- what it can obtain (HHI of obtainable capacity by manufacturer, and the top manufacturer's
-- share), and whether its cheapest option stays the cheapest under the sensitivity cases.
-- A manufacturer's obtainable capacity is the sum, over its obtainable chips, of the tokens/s the
-- plan's power budget gets from each (variants of one chip count once, at their best): what the
-- plan could build from that manufacturer, chip by chip. The HHI is the market formula
-- (sql/shared/concentration_measures.sql) over these capacity shares.
with assumptions as (
    select * from raw.assumptions
),

options as (
    select * from analytics.sovereign_compute_plans
),

counts as (
    select
        plan,
        count(*) filter (where considered) as n_options,
        count(*) filter (where considered and licence_status = 'not_required') as n_obtainable,
        count(*) filter (where considered and licence_status = 'required')
            as n_licence_required,
        count(*) filter (where considered and licence_status = 'unknown')
            as n_obtainability_unknown,
        max(total_tokens_per_s) filter (where considered) as best_overall_tokens_per_s,
        arg_max(option, total_tokens_per_s) filter (
            where considered and total_tokens_per_s is not null
        ) as best_overall_option,
        list_sort(list(distinct price_basis) filter (where rank_by_cost is not null))
            as price_bases_ranked,
        -- the option ranked first (on a tie, the first by name), whole
        arg_min(options, option) filter (where rank_by_cost = 1) as cheapest,
        arg_min(options, option) filter (where rank_by_tokens_per_s = 1) as fastest
    from options
    group by plan
),

-- Obtainable capacity per manufacturer: each chip at its best variant, then summed.
chip_capacity as (
    select plan, manufacturer, accelerator, max(total_tokens_per_s) as tokens_per_s
    from options
    where rank_by_tokens_per_s is not null
    group by all
),

manufacturer_capacity as (
    select plan, manufacturer, sum(tokens_per_s) as tokens_per_s
    from chip_capacity
    group by all
),

sensitivity as (
    select
        plan,
        coalesce(
            list_sort(
                list(distinct "case") filter (where rank_by_cost = 1 and base_rank_by_cost <> 1)
            ),
            []
        ) as cases_changing_cheapest
    from analytics.sovereign_compute_plan_sensitivity
    group by plan
),

source as (
    select
        null::date as period,
        plan as market,
        'obtainable' as region,
        manufacturer as vendor,
        tokens_per_s / sum(tokens_per_s) over (partition by plan) as share
    from manufacturer_capacity
),

-- include: concentration_measures

select
    plans.plan,
    plans.name,
    plans.destination,
    plans.export_rule,
    plans.benchmark || coalesce('-' || plans.accuracy_target, '') as model,
    plans.scenario,
    plans.power_budget_mw,
    coalesce(counts.n_options, 0) as n_options,
    coalesce(counts.n_obtainable, 0) as n_obtainable,
    coalesce(counts.n_licence_required, 0) as n_licence_required,
    coalesce(counts.n_obtainability_unknown, 0) as n_obtainability_unknown,
    counts.cheapest.option as cheapest_option,
    counts.cheapest.manufacturer as cheapest_manufacturer,
    counts.cheapest.cost_per_million_tokens_usd as cheapest_cost_per_million_tokens_usd,
    counts.cheapest.co2_kg_per_million_tokens as cheapest_co2_kg_per_million_tokens,
    counts.cheapest.price_basis as cheapest_price_basis,
    counts.price_bases_ranked,
    counts.fastest.option as fastest_option,
    counts.fastest.manufacturer as fastest_manufacturer,
    counts.fastest.total_tokens_per_s as fastest_tokens_per_s,
    counts.fastest.accelerators as fastest_accelerators,
    counts.best_overall_option,
    counts.best_overall_tokens_per_s,
    coalesce(counts.fastest.total_tokens_per_s, 0) / counts.best_overall_tokens_per_s
        as obtainable_capacity_ratio,
    1 - coalesce(counts.fastest.total_tokens_per_s, 0) / counts.best_overall_tokens_per_s
        as capacity_lost_to_export_controls,
    concentration.hhi as obtainable_capacity_hhi,
    concentration.leading_vendor as top_manufacturer,
    concentration.cr1 as top_manufacturer_share,
    concentration.n_vendors as n_obtainable_manufacturers,
    case
        when counts.cheapest is not null
            then len(coalesce(sensitivity.cases_changing_cheapest, [])) = 0
    end as cheapest_is_robust,
    case
        when counts.cheapest is not null
            then coalesce(sensitivity.cases_changing_cheapest, [])
    end as cases_changing_cheapest,
    case
        when coalesce(counts.n_options, 0) = 0
            then 'no MLPerf result with a tokens/s throughput on this workload and availability'
        when coalesce(counts.n_obtainable, 0) = 0
            then 'no option can be obtained without a licence: ' || counts.n_licence_required
            || ' need one, ' || counts.n_obtainability_unknown || ' unknown'
        when counts.cheapest is null
            then 'no obtainable option has a price: cost per million tokens unknown'
        when len(counts.price_bases_ranked) > 1
            then 'the cost ranking compares prices on different bases ('
            || array_to_string(counts.price_bases_ranked, ', ') || ')'
    end as note
from raw.compute_plans as plans
left join counts using (plan)
left join concentration on concentration.market = plans.plan
left join sensitivity using (plan)
order by plans.plan
