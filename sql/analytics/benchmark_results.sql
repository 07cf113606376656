-- MLPerf Inference results, one row per distinct result, with units normalized and each result's
-- efficiency. A system's -99 and -99.9 variants of a benchmark and scenario that report identical
-- numbers are one result (kept as the stricter -99.9, both listed in accuracy_variants), so they
-- are not counted twice. Throughput scenarios (Offline, Server) give tokens/s, samples/s or
-- queries/s and system power in W; latency scenarios (SingleStream, MultiStream) give latency in
-- ms and energy per query in mJ, kept in their own columns.
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
        nullif(regexp_extract(model, '-(99(\.9)?)$', 1), '') as accuracy_target,
        scenario,
        accelerator as mlperf_accelerator,
        accelerators_per_node,
        nodes,
        accelerators_per_node * nodes as accelerators_total,
        weight_data_types,
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

powered as (
    select
        *,
        case
            when metric_kind <> 'throughput' then null
            when measured_power_w is not null then 'measured'
            when tdp_w is not null and accelerators_total > 0 then 'tdp'
        end as power_basis,
        case
            when metric_kind <> 'throughput' then null
            when measured_power_w is not null then measured_power_w
            when accelerators_total > 0 then tdp_w * accelerators_total
        end as power_w
    from matched
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
    power_basis,
    power_w,
    throughput / nullif(accelerators_total, 0) as throughput_per_accelerator,
    throughput / power_w as throughput_per_watt,
    price_usd,
    throughput / nullif(accelerators_total, 0) / (price_usd / 1000) as throughput_per_1k_usd,
    case
        when throughput_unit = 'tokens/s'
            then power_w * assumptions.pue / throughput * 1e6 / 3.6e6
            * assumptions.grid_kg_co2_per_kwh
    end as co2_kg_per_million_tokens,
    details_url
from powered
cross join assumptions
order by benchmark, scenario, submitter, system, model
