-- Every catalog chip screened against the US export-control clauses of seeds/policy/us.yaml.
-- A clause is met when each bound it gives holds. Comparisons with a missing input are unknown
-- (SQL's three-valued logic), so known inputs still settle a verdict where they can: TPP >= 4800
-- meets 3A090.a.1 without a die area, and TPP < 4800 fails the 2022 rule without an interconnect.
-- The first ECCN of a rule (a before b) that is not ruled out decides: met gives the ECCN,
-- unknown gives 'indeterminate' with the missing inputs named.
with chips as (
    select
        hardware_name,
        manufacturer,
        type,
        release_date,
        tpp,
        tpp_source,
        die_area_mm2,
        performance_density,
        interconnect_bandwidth_gb_s
    from analytics.accelerators
),

clauses as (
    select * from raw.export_control_clauses where jurisdiction = 'us'
),

evaluated as (
    select
        chips.hardware_name,
        clauses.rule,
        clauses.eccn,
        clauses.clause,
        clauses.legal_source,
        (clauses.tpp_min is null or chips.tpp >= clauses.tpp_min)
        and (clauses.tpp_below is null or chips.tpp < clauses.tpp_below)
        and (clauses.pd_min is null or chips.performance_density >= clauses.pd_min)
        and (clauses.pd_below is null or chips.performance_density < clauses.pd_below)
        and (
            clauses.interconnect_min_gb_s is null
            or chips.interconnect_bandwidth_gb_s >= clauses.interconnect_min_gb_s
        ) as met,
        list_filter(
            [
                case when chips.tpp is null then 'tpp' end,
                case
                    when (clauses.pd_min is not null or clauses.pd_below is not null)
                        and chips.die_area_mm2 is null
                        then 'die_area_mm2'
                end,
                case
                    when clauses.interconnect_min_gb_s is not null
                        and chips.interconnect_bandwidth_gb_s is null
                        then 'interconnect_bandwidth_gb_s'
                end
            ],
            lambda field: field is not null
        ) as missing
    from chips
    cross join clauses
),

by_eccn as (
    select
        hardware_name,
        rule,
        eccn,
        case when bool_or(met) then true when bool_or(met is null) then null else false end
            as met
    from evaluated
    group by hardware_name, rule, eccn
),

by_rule as (
    select
        hardware_name,
        rule,
        case when bool_or(met) then true when bool_or(met is null) then null else false end
            as controlled
    from by_eccn
    group by hardware_name, rule
),

deciding as (
    select *
    from by_eccn
    where met is distinct from false
    qualify row_number() over (partition by hardware_name, rule order by eccn) = 1
),

details as (
    select
        hardware_name,
        rule,
        list(clause order by clause) filter (where met) as clauses_met,
        string_agg(legal_source, '; ' order by clause) filter (where met) as legal_basis,
        list_sort(list_distinct(flatten(list(missing) filter (where met is null))))
            as missing_inputs
    from evaluated
    group by hardware_name, rule
),

verdicts as (
    select
        by_rule.hardware_name,
        by_rule.rule,
        case
            when deciding.eccn is null then 'not_controlled'
            when deciding.met then deciding.eccn
            else 'indeterminate'
        end as verdict,
        by_rule.controlled,
        coalesce(details.clauses_met, []) as clauses_met,
        details.legal_basis,
        case when deciding.met is null and deciding.eccn is not null
            then details.missing_inputs else [] end as missing_inputs
    from by_rule
    left join deciding using (hardware_name, rule)
    left join details using (hardware_name, rule)
)

select
    chips.*,
    v2023.verdict as verdict_2023,
    v2023.controlled as controlled_2023,
    v2023.clauses_met as clauses_met_2023,
    v2023.missing_inputs as missing_inputs_2023,
    v2023.legal_basis as legal_basis_2023,
    v2022.verdict as verdict_2022,
    v2022.controlled as controlled_2022,
    v2022.clauses_met as clauses_met_2022,
    v2022.missing_inputs as missing_inputs_2022,
    v2022.legal_basis as legal_basis_2022
from chips
left join verdicts as v2023 on v2023.hardware_name = chips.hardware_name and v2023.rule = 2023
left join verdicts as v2022 on v2022.hardware_name = chips.hardware_name and v2022.rule = 2022
order by chips.tpp desc nulls last, chips.hardware_name
