-- Measured efficiency per accelerator variant, benchmark with its accuracy target, scenario and
-- availability: best and median over the distinct closed-division throughput results
-- (analytics.benchmark_results) that ran the benchmark's model. Nothing is pooled that an analyst
-- would have to take apart again:
-- - variants pool only at the same rated power (accelerator_power_w): a 1000 W H200 is not a
--   700 W one;
-- - -99 and -99.9 are different benchmarks: a result submitted for both (identical numbers, one
--   row of benchmark_results) counts once in each;
-- - available, preview and rdi results are separate rows;
-- - measured (whole system) and TDP (accelerators only) per-watt figures are separate columns,
--   each with its own n, and a median over fewer than min_submissions_for_median is withheld.
-- Open-division results run modified models and are left out; latency scenarios have no throughput.
with assumptions as (
    select min_submissions_for_median as min_n from raw.assumptions
),

results as (
    select
        * exclude (model, accuracy_target),
        unnest(accuracy_variants) as model
    from analytics.benchmark_results
    where metric_kind = 'throughput'
        and category = 'closed'
        and runs_benchmark_model
        and mlperf_accelerator is not null
),

grouped as (
    select
        coalesce(hardware_name, mlperf_accelerator) as accelerator,
        hardware_name,
        any_value(manufacturer) as manufacturer,
        accelerator_power_w,
        benchmark,
        nullif(regexp_extract(model, '-(99(\.9)?)$', 1), '') as accuracy_target,
        model,
        scenario,
        availability,
        throughput_unit,
        count(*) as n_submissions,
        count(distinct submitter) as n_submitters,
        count(throughput_per_w_tdp) as n_tdp,
        count(throughput_per_w_measured) as n_measured,
        list_sort(list(distinct mlperf_accelerator)) as mlperf_accelerators,
        list_sort(list(distinct accelerator_power_source)) as accelerator_power_sources,
        max(throughput_per_accelerator) as best_throughput_per_accelerator,
        median(throughput_per_accelerator) as median_throughput_per_accelerator,
        max(throughput_per_w_tdp) as best_throughput_per_w_tdp,
        median(throughput_per_w_tdp) as median_throughput_per_w_tdp,
        max(throughput_per_w_measured) as best_throughput_per_w_measured,
        median(throughput_per_w_measured) as median_throughput_per_w_measured,
        median(measured_power_w / accelerators_total) filter (where power_basis = 'measured')
            as median_measured_w_per_accelerator,
        min(co2_kg_per_million_tokens_tdp) as best_co2_kg_per_million_tokens_tdp,
        median(co2_kg_per_million_tokens_tdp) as median_co2_kg_per_million_tokens_tdp,
        min(co2_kg_per_million_tokens_measured) as best_co2_kg_per_million_tokens_measured,
        median(co2_kg_per_million_tokens_measured) as median_co2_kg_per_million_tokens_measured,
        any_value(price_usd) as price_usd,
        any_value(price_basis) as price_basis,
        max(throughput_per_1k_usd) as best_throughput_per_1k_usd,
        median(throughput_per_1k_usd) as median_throughput_per_1k_usd,
        any_value(tdp_w) as tdp_w
    from results
    group by all
),

-- A median over too few submissions says little: it is withheld, and median_note says why.
withheld as (
    select
        grouped.*,
        n_submissions < min_n as few_all,
        n_tdp < min_n as few_tdp,
        n_measured < min_n as few_measured,
        list_filter(
            [
                case when n_submissions < min_n
                    then 'medians withheld: ' || n_submissions
                        || if(n_submissions = 1, ' submission', ' submissions') end,
                case when n_submissions >= min_n and n_tdp between 1 and min_n - 1
                    then 'tdp medians withheld: ' || n_tdp || ' with tdp power' end,
                case when n_submissions >= min_n and n_measured between 1 and min_n - 1
                    then 'measured medians withheld: ' || n_measured || ' with measured power' end
            ],
            lambda reason: reason is not null
        ) as reasons,
        min_n
    from grouped
    cross join assumptions
)

select
    accelerator,
    hardware_name,
    manufacturer,
    accelerator_power_w,
    accelerator_power_sources,
    mlperf_accelerators,
    benchmark,
    accuracy_target,
    model,
    scenario,
    availability,
    throughput_unit,
    n_submissions,
    n_submitters,
    n_tdp,
    n_measured,
    case when len(reasons) > 0
        then array_to_string(reasons, '; ') || ' (fewer than ' || min_n || ')'
    end as median_note,
    best_throughput_per_accelerator,
    case when not few_all then median_throughput_per_accelerator end
        as median_throughput_per_accelerator,
    best_throughput_per_w_tdp,
    case when not few_tdp then median_throughput_per_w_tdp end as median_throughput_per_w_tdp,
    best_co2_kg_per_million_tokens_tdp,
    case when not few_tdp then median_co2_kg_per_million_tokens_tdp end
        as median_co2_kg_per_million_tokens_tdp,
    best_throughput_per_w_measured,
    case when not few_measured then median_throughput_per_w_measured end
        as median_throughput_per_w_measured,
    best_co2_kg_per_million_tokens_measured,
    case when not few_measured then median_co2_kg_per_million_tokens_measured end
        as median_co2_kg_per_million_tokens_measured,
    median_measured_w_per_accelerator,
    price_usd,
    price_basis,
    best_throughput_per_1k_usd,
    case when not few_all then median_throughput_per_1k_usd end as median_throughput_per_1k_usd,
    tdp_w
from withheld
order by benchmark, model, scenario, availability, best_throughput_per_accelerator desc,
    accelerator, accelerator_power_w
