-- Every catalog chip screened against the US export-control clauses of seeds/policy/us.yaml, then
-- the notes that take chips out of an ECCN (Note 2 to 3A090), also from us.yaml.
--
-- A missing input is unknown, never zero. Each bound a clause or note gives (TPP, performance
-- density, interconnect, market) is true, false or unknown for a chip: a missing TPP, applicable
-- die area, interconnect or market leaves its bound unknown. So does missing matrix throughput
-- (analytics.accelerators.matrix_throughput_missing: tensor units but no matrix figure): TPP and
-- PD are then lower bounds, which settle a minimum they reach (TPP >= 4800 meets 3A090.a.1) but
-- neither a minimum they miss nor a ceiling they are under. A clause is met when every bound
-- holds, not met when one fails, unknown otherwise.
-- The first ECCN of a rule (a before b) that is not ruled out decides: met gives the ECCN, unknown
-- gives 'indeterminate' with the missing inputs named. A note that applies makes the verdict
-- not_controlled (the verdict before it is kept); a note that may apply makes a controlled verdict
-- indeterminate.
-- The screening runs on tpp (TF32 counted as 32 bits), the published verdict, and again on
-- tpp_tf32_19 (TF32 as 19 bits, Epoch AI's convention) to flag chips whose verdict depends on it.
with chips as (
    select
        hardware_name,
        manufacturer,
        type,
        release_date,
        tpp,
        tpp_source,
        tpp_catalog,
        tpp_tf32_19,
        matrix_throughput_missing,
        die_area_mm2,
        applicable_die_area_mm2,
        die_area_basis,
        performance_density,
        interconnect_bandwidth_gb_s,
        designed_for_datacenter,
        datacenter_source
    from analytics.accelerators
),

bases as (
    select hardware_name, 'tf32_32' as basis, tpp from chips
    union all
    select hardware_name, 'tf32_19' as basis, tpp_tf32_19 from chips
),

-- One value per chip, basis and measure, with the input to name when it is unknown and whether it
-- is only a lower bound. The market is 1 (designed or marketed for datacenters) or 0 (not).
measures as (
    select
        bases.hardware_name,
        bases.basis,
        measure.name as measure,
        measure.value,
        measure.lower_bound,
        measure.missing_input
    from bases
    inner join chips using (hardware_name)
    cross join lateral (
        select unnest([
            {
                name: 'tpp',
                value: bases.tpp,
                lower_bound: chips.matrix_throughput_missing,
                missing_input: case
                    when bases.tpp is null then 'tpp'
                    when chips.matrix_throughput_missing then 'matrix_throughput'
                end
            },
            {
                name: 'performance_density',
                value: bases.tpp / chips.applicable_die_area_mm2,
                lower_bound: chips.matrix_throughput_missing,
                missing_input: case
                    when chips.applicable_die_area_mm2 is null then 'applicable_die_area_mm2'
                    when bases.tpp is null then 'tpp'
                    when chips.matrix_throughput_missing then 'matrix_throughput'
                end
            },
            {
                name: 'interconnect_bandwidth_gb_s',
                value: chips.interconnect_bandwidth_gb_s,
                lower_bound: false,
                missing_input: 'interconnect_bandwidth_gb_s'
            },
            {
                name: 'market',
                value: chips.designed_for_datacenter::double,
                lower_bound: false,
                missing_input: 'designed_for_datacenter'
            }
        ], recursive := true)
    ) as measure
),

-- Clauses (kind 'clause') and notes (kind 'exclusion') as ranges [at_least, below) per measure.
conditions as (
    select
        'clause' as kind,
        rule,
        eccn,
        clause as condition,
        legal_source,
        unnest([
            {measure: 'tpp', at_least: tpp_min, below: tpp_below},
            {measure: 'performance_density', at_least: pd_min, below: pd_below},
            {
                measure: 'interconnect_bandwidth_gb_s',
                at_least: interconnect_min_gb_s,
                below: null::double
            }
        ], recursive := true)
    from raw.export_control_clauses
    where jurisdiction = 'us'
    union all
    select
        'exclusion' as kind,
        rule,
        eccn,
        exclusion as condition,
        legal_source,
        unnest([
            {measure: 'tpp', at_least: null::double, below: tpp_below},
            {
                measure: 'market',
                at_least: case applies_to_market when 'datacenter' then 1.0 else 0.0 end,
                below: case applies_to_market when 'datacenter' then 2.0 else 1.0 end
            }
        ], recursive := true)
    from raw.export_control_exclusions
    where jurisdiction = 'us'
),

bounds as (
    select
        measures.hardware_name,
        measures.basis,
        conditions.kind,
        conditions.rule,
        conditions.eccn,
        conditions.condition,
        conditions.legal_source,
        case
            when conditions.at_least is null and conditions.below is null then true
            when measures.value is null then null
            when measures.lower_bound
                and (measures.value < conditions.at_least or measures.value < conditions.below)
                then null
            else coalesce(measures.value >= conditions.at_least, true)
                and coalesce(measures.value < conditions.below, true)
        end as holds,
        measures.missing_input
    from measures
    inner join conditions using (measure)
),

met as (
    select
        hardware_name,
        basis,
        kind,
        rule,
        eccn,
        condition,
        legal_source,
        case
            when bool_or(holds = false) then false
            when bool_or(holds is null) then null
            else true
        end as met,
        list_sort(list_distinct(list(missing_input) filter (where holds is null))) as missing
    from bounds
    group by all
),

by_eccn as (
    select
        hardware_name,
        basis,
        rule,
        eccn,
        case when bool_or(met) then true when bool_or(met is null) then null else false end
            as met
    from met
    where kind = 'clause'
    group by all
),

deciding as (
    select *
    from by_eccn
    where met is distinct from false
    qualify row_number() over (partition by hardware_name, basis, rule order by eccn) = 1
),

details as (
    select
        hardware_name,
        basis,
        rule,
        list(condition order by condition) filter (where met) as clauses_met,
        string_agg(legal_source, '; ' order by condition) filter (where met) as legal_basis,
        list_sort(list_distinct(flatten(list(missing) filter (where met is null))))
            as missing_inputs
    from met
    where kind = 'clause'
    group by all
),

-- The rule's verdict before its notes.
before_notes as (
    select
        chips.hardware_name,
        rules.rule,
        bases.basis,
        case
            when deciding.eccn is null then 'not_controlled'
            when deciding.met then deciding.eccn
            else 'indeterminate'
        end as verdict,
        coalesce(details.clauses_met, []) as clauses_met,
        details.legal_basis,
        case when deciding.met is null and deciding.eccn is not null
            then details.missing_inputs else [] end as missing_inputs
    from chips
    inner join bases using (hardware_name)
    cross join (
        select distinct rule from raw.export_control_clauses where jurisdiction = 'us'
    ) as rules
    left join deciding using (hardware_name, basis, rule)
    left join details using (hardware_name, basis, rule)
),

notes as (
    select
        hardware_name,
        basis,
        rule,
        bool_or(met) as applies,
        bool_or(met is null) as may_apply,
        string_agg(condition, '; ' order by condition) filter (where met) as excluded_by,
        string_agg(legal_source, '; ' order by condition) filter (where met) as legal_basis,
        list_sort(list_distinct(flatten(list(missing) filter (where met is null)))) as missing
    from met
    where kind = 'exclusion'
    group by all
),

verdicts as (
    select
        before_notes.hardware_name,
        before_notes.rule,
        before_notes.basis,
        before_notes.verdict as verdict_before_notes,
        case
            when before_notes.verdict = 'not_controlled' then 'not_controlled'
            when notes.applies then 'not_controlled'
            when notes.may_apply then 'indeterminate'
            else before_notes.verdict
        end as verdict,
        before_notes.clauses_met,
        case
            when before_notes.verdict <> 'not_controlled' and notes.applies then notes.excluded_by
        end as excluded_by,
        case
            when before_notes.verdict <> 'not_controlled' and notes.applies then notes.legal_basis
            else before_notes.legal_basis
        end as legal_basis,
        case
            when before_notes.verdict = 'not_controlled' or notes.applies then []
            when notes.may_apply
                then list_sort(list_distinct(before_notes.missing_inputs || notes.missing))
            else before_notes.missing_inputs
        end as missing_inputs
    from before_notes
    left join notes using (hardware_name, basis, rule)
),

published as (
    select
        *,
        case verdict when 'not_controlled' then false when 'indeterminate' then null else true end
            as controlled
    from verdicts
    where basis = 'tf32_32'
),

tf32_19 as (
    select * from verdicts where basis = 'tf32_19'
)

select
    chips.*,
    v2023.verdict as verdict_2023,
    v2023.controlled as controlled_2023,
    v2023.clauses_met as clauses_met_2023,
    v2023.missing_inputs as missing_inputs_2023,
    v2023.legal_basis as legal_basis_2023,
    v2023.verdict_before_notes as verdict_2023_before_notes,
    v2023.excluded_by as excluded_by_2023,
    v2022.verdict as verdict_2022,
    v2022.controlled as controlled_2022,
    v2022.clauses_met as clauses_met_2022,
    v2022.missing_inputs as missing_inputs_2022,
    v2022.legal_basis as legal_basis_2022,
    alt2023.verdict as verdict_2023_tf32_19,
    alt2022.verdict as verdict_2022_tf32_19,
    alt2023.verdict <> v2023.verdict or alt2022.verdict <> v2022.verdict
        as verdict_depends_on_tf32_bits
from chips
left join published as v2023 on v2023.hardware_name = chips.hardware_name and v2023.rule = 2023
left join published as v2022 on v2022.hardware_name = chips.hardware_name and v2022.rule = 2022
left join tf32_19 as alt2023 on alt2023.hardware_name = chips.hardware_name and alt2023.rule = 2023
left join tf32_19 as alt2022 on alt2022.hardware_name = chips.hardware_name and alt2022.rule = 2022
order by chips.tpp desc nulls last, chips.hardware_name
