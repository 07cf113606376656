-- Measured efficiency per accelerator, benchmark, scenario and power basis: best and median over
-- the distinct closed-division throughput results (analytics.benchmark_results). Open-division
-- results run modified models and are left out; latency scenarios have no throughput. Results
-- with measured power and results with TDP-based power are never pooled: a row holds one basis.
with results as (
    select * from analytics.benchmark_results
    where metric_kind = 'throughput'
        and category = 'closed'
        and mlperf_accelerator is not null
)

select
    coalesce(hardware_name, mlperf_accelerator) as accelerator,
    hardware_name,
    any_value(manufacturer) as manufacturer,
    benchmark,
    scenario,
    throughput_unit,
    coalesce(power_basis, 'none') as power_basis,
    count(*) as n_submissions,
    count(distinct submitter) as n_submitters,
    list_sort(list(distinct mlperf_accelerator)) as mlperf_accelerators,
    max(throughput_per_accelerator) as best_throughput_per_accelerator,
    median(throughput_per_accelerator) as median_throughput_per_accelerator,
    max(throughput_per_watt) as best_throughput_per_watt,
    median(throughput_per_watt) as median_throughput_per_watt,
    max(throughput_per_1k_usd) as best_throughput_per_1k_usd,
    median(throughput_per_1k_usd) as median_throughput_per_1k_usd,
    min(co2_kg_per_million_tokens) as best_co2_kg_per_million_tokens,
    median(co2_kg_per_million_tokens) as median_co2_kg_per_million_tokens,
    any_value(tdp_w) as tdp_w,
    any_value(price_usd) as price_usd
from results
group by all
order by benchmark, scenario, best_throughput_per_accelerator desc, accelerator
