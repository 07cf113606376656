-- The figures in force for each period, market and region: every file ever submitted is kept in
-- raw.market_share_submissions, and the latest submission for a period+market+region replaces
-- the earlier ones (which stay in the submissions table and in history).
with submissions as (
    select * from raw.market_share_submissions
    where period between coalesce(getvariable('period_start'), date '0001-01-01')
        and coalesce(getvariable('period_end'), date '9999-12-31')
),

latest_submissions as (
    -- per period, market and region, the file ingested last (the later one within a run)
    select
        period,
        market,
        region,
        max({'ingested_at': ingested_at, 'submission_index': submission_index}) as submission
    from submissions
    group by period, market, region
)

select
    submissions.period,
    submissions.market,
    submissions.region,
    submissions.vendor,
    submissions.share,
    submissions.source,
    submissions.file_name,
    submissions.file_sha256
from submissions
inner join latest_submissions
    on latest_submissions.period = submissions.period
    and latest_submissions.market = submissions.market
    and latest_submissions.region = submissions.region
    and latest_submissions.submission.ingested_at = submissions.ingested_at
    and latest_submissions.submission.submission_index = submissions.submission_index
