-- Herfindahl-Hirschman Index and concentration classes per market, region and period.
-- 'other' is an unallocated remainder, not a firm: it is left out of hhi and bounded by hhi_upper.
-- A run recomputes only the periods whose shares changed since the table last read them
-- (pipelines/warehouse/changes.py): their range is period_start to period_end, the periods
-- themselves the list scope_periods. Without these variables, every period.
with scope as (
    select unnest(getvariable('scope_periods')) as period
),

source as (
    select * from raw.market_shares
    where period between coalesce(getvariable('period_start'), date '0001-01-01')
        and coalesce(getvariable('period_end'), date '9999-12-31')
        and (getvariable('scope_periods') is null or period in (select period from scope))
),

assumptions as (
    select * from raw.assumptions
),

-- include: concentration_measures

select * from concentration
order by market, region, period
