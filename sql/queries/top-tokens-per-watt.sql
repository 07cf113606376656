-- Real accelerators with the most tokens per second per watt on MLPerf llama2-70b Offline (mind power_basis).
select
    accelerator,
    power_basis,
    n_submissions,
    round(best_throughput_per_watt, 2) as best_tokens_per_w,
    round(median_throughput_per_watt, 2) as median_tokens_per_w
from analytics.accelerator_efficiency
where benchmark = 'llama2-70b'
    and scenario = 'Offline'
    and throughput_unit = 'tokens/s'
    and power_basis <> 'none'
order by best_throughput_per_watt desc
limit 10
