-- MLPerf Inference results, one row per distinct result, with units normalized and each result's
-- efficiency. A system's -99 and -99.9 variants of a benchmark and scenario that report identical
-- numbers are one result (kept as the stricter -99.9, both listed in accuracy_variants), so they
-- are not counted twice. Throughput scenarios (Offline, Server) give tokens/s, samples/s or
-- queries/s and system power in W; latency scenarios (SingleStream, MultiStream) give latency in
-- ms and energy per query in mJ, kept in their own columns.
-- Power has two bases that are never mixed: measured wall power of the whole system (hosts
-- included) where MLPerf measured it, else the rated power of the accelerators only. A result's
-- rated power is its variant's: a cited override (raw.accelerator_power_overrides), else the power
-- the result states (a TGP/TDP in its notes, a wattage in its accelerator name), else the catalog
-- TDP. Results whose UsedModel is not the benchmark's model are flagged (runs_benchmark_model).
with source as (
    select * from raw.mlperf_results
),

assumptions as (
    select pue, grid_kg_co2_per_kwh from raw.assumptions
),

performance_units as (
    select * from (
        values
            ('Tokens/s', 'throughput', 'tokens/s'),
            ('Samples/s', 'throughput', 'samples/s'),
            ('Queries/s', 'throughput', 'queries/s'),
            ('Latency (ms)', 'latency', 'ms')
    ) as units (performance_units, metric_kind, unit)
),

power_units as (
    select * from (
        values ('Watts', 'power', 'W'), ('millijoules', 'energy', 'mJ')
    ) as units (power_units, power_kind, unit)
),

-- Models MLPerf names differently in Model and UsedModel while running the reference model.
reference_model_names as (
    select * from (values ('resnet', 'resnet50')) as names (benchmark, used_model)
),

price_bases as (
    select hardware_name, price_usd, price_basis from raw.hardware_price_bases
),

renamed as (
    select
        location as result_id,
        system_id,
        submitter,
        system,
        platform,
        suite,
        category,
        availability,
        version as mlperf_version,
        regexp_replace(model, '-99(\.9)?$', '') as benchmark,
        model,
        used_model,
        nullif(regexp_extract(model, '-(99(\.9)?)$', 1), '') as accuracy_target,
        scenario,
        accelerator as mlperf_accelerator,
        accelerators_per_node,
        nodes,
        accelerators_per_node * nodes as accelerators_total,
        weight_data_types,
        notes,
        -- A power the result states for its accelerator, in W: "TGP 1000W" in the notes,
        -- "-750W" in the name.
        try_cast(
            nullif(regexp_extract(notes, '(?i)\b(?:TGP|TDP)\s*(\d{2,4})\s*W\b', 1), '')
            as double
        ) as notes_power_w,
        try_cast(
            nullif(regexp_extract(accelerator, '(?i)(?:^|[\s-])(\d{2,4})W(?:$|[\s-])', 1), '')
            as double
        ) as name_power_w,
        performance_result,
        performance_units,
        power_result,
        power_units,
        details_url
    from source
),

deduplicated as (
    select
        *,
        list(model order by model) over identical as accuracy_variants
    from renamed
    window identical as (
        partition by system_id, benchmark, scenario, performance_result, power_result
    )
    qualify row_number() over (
        partition by system_id, benchmark, scenario, performance_result, power_result
        order by accuracy_target desc nulls last, result_id
    ) = 1
),

normalized as (
    select
        deduplicated.*,
        performance_units.metric_kind,
        case when performance_units.metric_kind = 'throughput' then performance_result end
            as throughput,
        case when performance_units.metric_kind = 'throughput' then performance_units.unit end
            as throughput_unit,
        case when performance_units.metric_kind = 'latency' then performance_result end
            as latency_ms,
        case when power_units.power_kind = 'power' then power_result end as measured_power_w,
        case when power_units.power_kind = 'energy' then power_result end as energy_mj
    from deduplicated
    inner join performance_units using (performance_units)
    left join power_units using (power_units)
),

matched as (
    select
        normalized.*,
        matches.hardware_name,
        matches.manufacturer,
        coalesce(matches.status, 'cpu_only') as match_status,
        accelerators.tdp_w,
        accelerators.price_usd
    from normalized
    left join analytics.accelerator_matches as matches using (mlperf_accelerator)
    left join analytics.accelerators as accelerators using (hardware_name)
),

model_checked as (
    select
        matched.*,
        matched.used_model is null
        or matched.used_model in (matched.model, matched.benchmark)
        or reference_model_names.used_model is not null as runs_benchmark_model
    from matched
    left join reference_model_names
        on reference_model_names.benchmark = matched.benchmark
        and reference_model_names.used_model = matched.used_model
),

variant_power as (
    select
        model_checked.*,
        coalesce(overrides.accelerator_power_w, notes_power_w, name_power_w, tdp_w)
            as accelerator_power_w,
        case
            when overrides.accelerator_power_w is not null then 'override'
            when notes_power_w is not null then 'result_notes'
            when name_power_w is not null then 'accelerator_name'
            when tdp_w is not null then 'catalog_tdp'
        end as accelerator_power_source
    from model_checked
    left join raw.accelerator_power_overrides as overrides using (mlperf_accelerator)
),

priced as (
    select
        variant_power.*,
        -- A basis describes one price: when the catalog's price changed, its basis is unknown.
        case
            when price_bases.price_usd = variant_power.price_usd then price_bases.price_basis
            when variant_power.price_usd is not null then 'unrecorded'
        end as price_basis
    from variant_power
    left join price_bases using (hardware_name)
),

powered as (
    select
        *,
        case
            when metric_kind <> 'throughput' then null
            when measured_power_w is not null then 'measured'
            when accelerator_power_w is not null and accelerators_total > 0 then 'tdp'
        end as power_basis,
        accelerator_power_w * accelerators_total as accelerators_power_w
    from priced
),

per_basis as (
    select
        *,
        -- the watts of this result's basis: the system's measured power, else its accelerators'
        case power_basis
            when 'measured' then measured_power_w
            when 'tdp' then accelerators_power_w
        end as basis_power_w
    from powered
),

efficiency as (
    select
        per_basis.*,
        throughput / basis_power_w as throughput_per_basis_w,
        case
            when throughput_unit = 'tokens/s'
                then basis_power_w * assumptions.pue / throughput * 1e6 / 3.6e6
                * assumptions.grid_kg_co2_per_kwh
        end as co2_kg_per_million_tokens
    from per_basis
    cross join assumptions
)

select
    result_id,
    system_id,
    submitter,
    system,
    suite,
    category,
    availability,
    mlperf_version,
    benchmark,
    model,
    accuracy_target,
    accuracy_variants,
    scenario,
    mlperf_accelerator,
    hardware_name,
    manufacturer,
    match_status,
    accelerators_per_node,
    nodes,
    accelerators_total,
    weight_data_types,
    used_model,
    runs_benchmark_model,
    notes,
    performance_result as result,
    performance_units as result_unit,
    power_result,
    power_units,
    metric_kind,
    throughput,
    throughput_unit,
    latency_ms,
    measured_power_w,
    energy_mj,
    tdp_w,
    accelerator_power_w,
    accelerator_power_source,
    power_basis,
    accelerators_power_w,
    throughput / nullif(accelerators_total, 0) as throughput_per_accelerator,
    case when power_basis = 'measured' then throughput_per_basis_w end
        as throughput_per_w_measured,
    case when power_basis = 'tdp' then throughput_per_basis_w end as throughput_per_w_tdp,
    case when power_basis = 'measured' then co2_kg_per_million_tokens end
        as co2_kg_per_million_tokens_measured,
    case when power_basis = 'tdp' then co2_kg_per_million_tokens end
        as co2_kg_per_million_tokens_tdp,
    price_usd,
    price_basis,
    throughput / nullif(accelerators_total, 0) / (price_usd / 1000) as throughput_per_1k_usd,
    details_url
from efficiency
order by benchmark, scenario, submitter, system, model
