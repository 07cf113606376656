-- The figures in force for each period, market and region: every file ever submitted is kept in
-- raw.market_share_submissions, and the latest submission for a period+market+region replaces
-- the earlier ones (which stay in the submissions table and in history).
with submissions as (
    select * from raw.market_share_submissions
    where period between coalesce(getvariable('period_start'), date '0001-01-01')
        and coalesce(getvariable('period_end'), date '9999-12-31')
),

ranked as (
    select
        *,
        dense_rank() over (
            partition by period, market, region
            order by ingested_at desc, submission_index desc
        ) as submission_rank
    from submissions
)

select period, market, region, vendor, share, source, file_name, file_sha256
from ranked
where submission_rank = 1
