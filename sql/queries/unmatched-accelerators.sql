-- MLPerf accelerator names that matched no catalog chip (or more than one), most results first.
select mlperf_accelerator, status, manufacturer, n_results, candidates
from analytics.accelerator_matches
where status <> 'matched'
order by n_results desc
