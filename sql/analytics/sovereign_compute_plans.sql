-- Sovereign compute plans: one row per plan (raw.compute_plans) and accelerator variant with
-- MLPerf results on the plan's workload (benchmark with accuracy target, scenario, availability
-- classes the plan allows), from analytics.accelerator_efficiency.
-- - Throughput is the best measured result per accelerator (what a tuned system has shown), its
--   n beside it, the median too where there are enough results.
-- - Whether it can be obtained without a licence comes from analytics.export_control_screening
--   (the verdict under the plan's rule) and the licence requirements of seeds/policy/us.yaml (the
--   destination's Country Groups): a controlled chip needs one where the rule requires it for its
--   ECCN; an indeterminate or unscreened one is unknown unless the destination needs no licence
--   for anything the rule controls.
-- - Power per accelerator: MLPerf-measured wall power of the system / its accelerators (median
--   over the variant's measured results on the same workload, accelerator_efficiency's
--   median_measured_w_per_accelerator) where submitted, else the rated
--   power x (1 + host_power_overhead). The power budget (IT power) holds floor(budget / that).
-- - Over the horizon, the cluster serves hours_per_year x horizon_years x utilization hours at
--   that throughput and power; utilization scales energy and tokens alike, idle hours are counted
--   as drawing nothing. Energy at the meter = IT power x PUE x those hours.
-- - Capital cost = accelerators x the catalog price on its price_basis; null, with cost_note
--   saying why, where there is no price. Cost and CO2 per million tokens divide by the tokens
--   served over the horizon.
-- - Ranks are within the plan, among the options it allows that can be obtained without a licence.
with assumptions as (
    select hours_per_year, host_power_overhead from raw.assumptions
),

plans as (
    select
        plan,
        destination,
        export_rule,
        power_budget_mw,
        pue,
        electricity_usd_per_kwh,
        grid_kg_co2_per_kwh,
        horizon_years,
        utilization,
        benchmark || coalesce('-' || accuracy_target, '') as model,
        scenario,
        coalesce(availability, ['available']) as allowed_availability,
        coalesce(excluded_manufacturers, []) as excluded_manufacturers
    from raw.compute_plans
),

options as (
    select
        plans.*,
        efficiency.accelerator,
        efficiency.hardware_name,
        efficiency.manufacturer,
        efficiency.accelerator_power_w,
        efficiency.availability,
        efficiency.n_submissions,
        efficiency.best_throughput_per_accelerator as tokens_per_s_per_accelerator,
        efficiency.median_throughput_per_accelerator,
        efficiency.median_measured_w_per_accelerator as measured_w_per_accelerator,
        efficiency.n_measured as n_measured_power,
        efficiency.price_usd,
        efficiency.price_basis
    from plans
    inner join analytics.accelerator_efficiency as efficiency
        on efficiency.model = plans.model
        and efficiency.scenario = plans.scenario
        and efficiency.throughput_unit = 'tokens/s'
        and list_contains(plans.allowed_availability, efficiency.availability)
),

destinations as (
    select destination, name as destination_name, country_groups
    from raw.export_control_destinations
),

-- The licence requirements each plan's destination falls under, by the plan's rule.
licences as (
    select
        plans.plan,
        requirements.eccn,
        requirements.legal_source,
        case
            when list_contains(coalesce(requirements.destinations, []), plans.destination)
                then 'named by the rule'
            else 'Country Group '
                || array_to_string(
                    list_intersect(destinations.country_groups, requirements.country_groups), ', '
                )
        end as why
    from plans
    inner join destinations using (destination)
    inner join raw.export_control_licence_requirements as requirements
        on requirements.rule = plans.export_rule
    where list_contains(coalesce(requirements.destinations, []), plans.destination)
        or (
            len(list_intersect(destinations.country_groups, requirements.country_groups)) > 0
            and len(
                list_intersect(
                    destinations.country_groups, coalesce(requirements.except_country_groups, [])
                )
            ) = 0
        )
),

plan_licences as (
    select
        plans.plan,
        destinations.destination is not null as destination_known,
        coalesce(destinations.destination_name, plans.destination) as destination_name,
        list({eccn: licences.eccn, why: licences.why, legal_source: licences.legal_source})
            filter (where licences.eccn is not null) as licences
    from plans
    left join destinations using (destination)
    left join licences using (plan)
    group by all
),

screened as (
    select
        options.*,
        screening.hardware_name is not null as screened,
        case options.export_rule
            when 2023 then screening.verdict_2023
            when 2022 then screening.verdict_2022
        end as verdict,
        case options.export_rule
            when 2023 then screening.missing_inputs_2023
            when 2022 then screening.missing_inputs_2022
        end as missing_inputs,
        plan_licences.destination_known,
        plan_licences.destination_name,
        coalesce(plan_licences.licences, []) as destination_licences
    from options
    inner join plan_licences using (plan)
    left join analytics.export_control_screening as screening
        on screening.hardware_name = options.hardware_name
),

licensed as (
    select
        screened.*,
        verdict is not null and verdict not in ('not_controlled', 'indeterminate') as controlled,
        list_filter(destination_licences, lambda licence: starts_with(verdict, licence.eccn))
            as verdict_licences,
        'the ' || export_rule || ' rule' as rule_text
    from screened
),

obtainability as (
    select
        licensed.*,
        case
            when not destination_known then 'unknown'
            when controlled and len(verdict_licences) > 0 then 'required'
            when controlled or verdict = 'not_controlled' then 'not_required'
            when len(destination_licences) = 0 then 'not_required'
            else 'unknown'
        end as licence_status,
        case
            when not destination_known
                then 'destination ' || destination
                || ' is not in seeds/policy/us.yaml (export_controls.destinations)'
            when controlled and len(verdict_licences) > 0
                then verdict || ' under ' || rule_text || '; a licence is required to '
                || destination_name || ' (' || verdict_licences[1].why || '): '
                || verdict_licences[1].legal_source
            when controlled
                then verdict || ' under ' || rule_text || ', but the rule requires no licence for '
                || 'it to ' || destination_name
            when verdict = 'not_controlled'
                then 'not_controlled under ' || rule_text
            when len(destination_licences) = 0
                then rule_text || ' requires no licence to ' || destination_name
                || ' for any item it controls ('
                || if(screened, 'verdict ' || verdict, 'not screened: not in the hardware catalog')
                || ')'
            when screened
                then 'indeterminate under ' || rule_text || ' (missing: '
                || array_to_string(missing_inputs, ', ') || '); a licence is required to '
                || destination_name || ' if it is controlled'
            else 'not screened: not in the hardware catalog; a licence is required to '
                || destination_name || ' if it is controlled'
        end as licence_reason,
        manufacturer is null or not list_contains(excluded_manufacturers, manufacturer)
            as considered
    from licensed
),

sized as (
    select
        obtainability.*,
        -- to 1e-6 W, so float noise (700 x 1.1 = 770.0000000000001) never costs a count
        round(
            coalesce(
                measured_w_per_accelerator,
                accelerator_power_w * (1 + assumptions.host_power_overhead)
            ),
            6
        ) as power_per_accelerator_w,
        case
            when measured_w_per_accelerator is not null then 'measured'
            when accelerator_power_w is not null then 'tdp_plus_host_overhead'
        end as power_basis,
        assumptions.hours_per_year * horizon_years * utilization as hours_served
    from obtainability
    cross join assumptions
),

counted as (
    select
        sized.*,
        cast(floor(power_budget_mw * 1e6 / power_per_accelerator_w) as bigint) as accelerators
    from sized
),

costed as (
    select
        counted.*,
        accelerators * power_per_accelerator_w / 1e6 as it_power_mw,
        accelerators * tokens_per_s_per_accelerator as total_tokens_per_s,
        accelerators * tokens_per_s_per_accelerator * 3600 * hours_served as tokens_over_horizon,
        accelerators * power_per_accelerator_w * pue * hours_served / 1e6 as energy_mwh,
        accelerators * price_usd as capital_cost_usd
    from counted
),

totals as (
    select
        costed.*,
        energy_mwh * 1000 * electricity_usd_per_kwh as energy_cost_usd,
        energy_mwh * grid_kg_co2_per_kwh as co2_tonnes
    from costed
),

per_token as (
    select
        totals.*,
        capital_cost_usd + energy_cost_usd as total_cost_usd,
        (capital_cost_usd + energy_cost_usd) / nullif(tokens_over_horizon, 0) * 1e6
            as cost_per_million_tokens_usd,
        energy_cost_usd / nullif(tokens_over_horizon, 0) * 1e6
            as energy_cost_per_million_tokens_usd,
        co2_tonnes * 1000 / nullif(tokens_over_horizon, 0) * 1e6 as co2_kg_per_million_tokens,
        tokens_per_s_per_accelerator / (power_per_accelerator_w * pue) as tokens_per_joule,
        considered and licence_status = 'not_required' as rankable
    from totals
)

select
    plan,
    accelerator
    || ' (' || coalesce(cast(cast(accelerator_power_w as bigint) as varchar) || ' W', 'power unknown')
    || if(availability = 'available', '', ', ' || availability) || ')' as option,
    accelerator,
    hardware_name,
    manufacturer,
    accelerator_power_w,
    availability,
    model,
    scenario,
    n_submissions,
    tokens_per_s_per_accelerator,
    median_throughput_per_accelerator as median_tokens_per_s_per_accelerator,
    destination,
    export_rule,
    verdict,
    licence_status,
    case licence_status when 'not_required' then true when 'required' then false end
        as obtainable_without_licence,
    licence_reason,
    considered,
    case when not considered then 'manufacturer ' || manufacturer || ' excluded by the plan' end
        as plan_constraint,
    power_basis,
    power_per_accelerator_w,
    n_measured_power,
    accelerators,
    it_power_mw,
    total_tokens_per_s,
    tokens_per_joule,
    hours_served,
    tokens_over_horizon,
    energy_mwh,
    price_usd,
    price_basis,
    capital_cost_usd,
    energy_cost_usd,
    total_cost_usd,
    case
        when power_per_accelerator_w is null
            then 'no power figure: neither measured wall power nor a rated power'
        when price_usd is null and hardware_name is null
            then 'no price: not in the hardware catalog'
        when price_usd is null then 'no price: the catalog gives none for ' || hardware_name
    end as cost_note,
    cost_per_million_tokens_usd,
    energy_cost_per_million_tokens_usd,
    co2_tonnes,
    co2_kg_per_million_tokens,
    case when rankable and cost_per_million_tokens_usd is not null then
        rank() over (
            partition by plan, rankable and cost_per_million_tokens_usd is not null
            order by cost_per_million_tokens_usd
        )
    end as rank_by_cost,
    case when rankable and total_tokens_per_s is not null then
        rank() over (
            partition by plan, rankable and total_tokens_per_s is not null
            order by total_tokens_per_s desc
        )
    end as rank_by_tokens_per_s
from per_token
order by plan, rank_by_cost nulls last, total_tokens_per_s desc nulls last, option
