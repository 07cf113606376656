-- Concentration over time: each period's HHI beside the previous period's, what moved it, and
-- whether its guideline class changed. A partitioned run recomputes from its first period on
-- (period_start), reading one period further back in each series for the first row's previous;
-- without a run's periods, every period.
with run_start as (
    select coalesce(getvariable('period_start'), date '0001-01-01') as first_period
),

all_concentration as (
    select * from analytics.market_concentration
),

lookback as (
    -- per market and region, the last period before the run's first
    select market, region, max(period) as period
    from all_concentration
    where period < (select first_period from run_start)
    group by market, region
),

concentration as (
    select * from all_concentration
    where period >= (select first_period from run_start)
    union all
    select all_concentration.*
    from all_concentration
    inner join lookback using (market, region, period)
),

shares as (
    select market_shares.period, market_shares.market, market_shares.region,
        market_shares.vendor, market_shares.share
    from raw.market_shares
    semi join concentration
        on concentration.period = market_shares.period
        and concentration.market = market_shares.market
        and concentration.region = market_shares.region
    where market_shares.vendor <> 'other'
),

sequenced as (
    select
        *,
        lag(period) over series as previous_period,
        lag(hhi) over series as previous_hhi,
        lag(class_2010) over series as previous_class_2010,
        lag(class_2023) over series as previous_class_2023
    from concentration
    window series as (partition by market, region order by period)
),

next_periods as (
    -- per series, each period and the one after it
    select market, region, previous_period as period, period as next_period
    from sequenced
    where previous_period is not null
),

-- Each vendor's HHI term in a period, minus its term in the previous period (a vendor absent from
-- one of the two counts as 0 there): a period's terms count for itself and, negated, for the
-- period after it. One equality join, so the work grows with the rows, not with the square of a
-- series' length.
vendor_terms as (
    select market, region, period, vendor, sum(hhi_term) as hhi_change
    from (
        select market, region, period, vendor, power(100 * share, 2) as hhi_term
        from shares
        union all
        select
            shares.market,
            shares.region,
            next_periods.next_period as period,
            shares.vendor,
            -power(100 * shares.share, 2) as hhi_term
        from shares
        inner join next_periods
            on next_periods.market = shares.market
            and next_periods.region = shares.region
            and next_periods.period = shares.period
    )
    group by all
),

top_movers as (
    -- the largest change in absolute value; on a tie, the first vendor key in alphabetical order
    select
        market,
        region,
        period,
        arg_min({'vendor': vendor, 'change': hhi_change}, (-abs(hhi_change), vendor)) as moved
    from vendor_terms
    group by market, region, period
)

select
    sequenced.period,
    sequenced.market,
    sequenced.region,
    sequenced.hhi,
    sequenced.hhi_upper,
    sequenced.previous_period,
    sequenced.previous_hhi,
    sequenced.hhi - sequenced.previous_hhi as delta_hhi,
    -- a series' first period has no previous, so nothing moved
    case when sequenced.previous_period is not null then top_movers.moved.vendor end as top_mover,
    case when sequenced.previous_period is not null then top_movers.moved.change end
        as top_mover_hhi_change,
    sequenced.class_2010,
    sequenced.class_2023,
    coalesce(sequenced.class_2010 <> sequenced.previous_class_2010, false) as class_2010_changed,
    coalesce(sequenced.class_2023 <> sequenced.previous_class_2023, false) as class_2023_changed,
    sequenced.n_vendors,
    sequenced.cr1,
    sequenced.unallocated_share
from sequenced
left join top_movers using (market, region, period)
where sequenced.period >= (select first_period from run_start)
order by sequenced.market, sequenced.region, sequenced.period
