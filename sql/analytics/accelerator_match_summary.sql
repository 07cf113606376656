-- How many MLPerf accelerator names, and results, matched a catalog chip.
with matches as (
    select * from analytics.accelerator_matches
)

select
    count(*) as accelerator_names,
    count(*) filter (where status = 'matched') as matched_names,
    count(*) filter (where status = 'matched') / count(*) as name_match_rate,
    sum(n_results) as results_with_accelerator,
    coalesce(sum(n_results) filter (where status = 'matched'), 0) as matched_results,
    coalesce(sum(n_results) filter (where status = 'matched'), 0) / sum(n_results)
        as result_match_rate,
    count(*) filter (where status = 'ambiguous') as ambiguous_names,
    coalesce(list(mlperf_accelerator order by mlperf_accelerator)
        filter (where status <> 'matched'), []) as unmatched_names
from matches
