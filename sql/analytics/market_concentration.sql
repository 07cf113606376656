-- Herfindahl-Hirschman Index and concentration classes per market, region and period.
-- 'other' is an unallocated remainder, not a firm: it is left out of hhi and bounded by hhi_upper.
-- A partitioned run sets the variables period_start and period_end to the periods it recomputes.
with source as (
    select * from raw.market_shares
    where period between coalesce(getvariable('period_start'), date '0001-01-01')
        and coalesce(getvariable('period_end'), date '9999-12-31')
),

assumptions as (
    select * from raw.assumptions
),

-- include: concentration_measures
