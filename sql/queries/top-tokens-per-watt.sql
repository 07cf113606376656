-- Accelerators with the most tokens/s per watt of rated accelerator power (TDP basis), MLPerf llama2-70b-99.9 Offline, available systems, each variant at its own power.
select
    accelerator,
    accelerator_power_w as power_w,
    n_tdp as n,
    round(best_throughput_per_w_tdp, 2) as best_tokens_per_w,
    round(median_throughput_per_w_tdp, 2) as median_tokens_per_w,
    median_note
from analytics.accelerator_efficiency
where model = 'llama2-70b-99.9'
    and scenario = 'Offline'
    and availability = 'available'
    and throughput_unit = 'tokens/s'
    and best_throughput_per_w_tdp is not null
order by best_throughput_per_w_tdp desc
limit 10
