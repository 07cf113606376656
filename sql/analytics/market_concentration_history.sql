-- Concentration over time: each period's HHI beside the previous period's, what moved it, and
-- whether its guideline class changed. A run recomputes from the first period whose
-- concentration changed (period_start, see pipelines/warehouse/changes.py) on, reading one
-- period further back in each series for the first row's previous; without it, every period.
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

sequenced as (
    select
        *,
        lag(period) over series as previous_period,
        lead(period) over series as next_period,
        lag(hhi) over series as previous_hhi,
        lag(class_2010) over series as previous_class_2010,
        lag(class_2023) over series as previous_class_2023,
        -- a number per market and region: the vendor terms below join on it, not on two strings
        dense_rank() over (order by market, region) as series_id
    from concentration
    window series as (partition by market, region order by period)
),

terms as (
    -- each named vendor's HHI term, (100 x share)^2, in each period of the run and the lookback
    select
        sequenced.series_id,
        sequenced.period,
        sequenced.next_period,
        market_shares.vendor,
        power(100 * market_shares.share, 2) as hhi_term
    from raw.market_shares
    inner join sequenced
        on sequenced.period = market_shares.period
        and sequenced.market = market_shares.market
        and sequenced.region = market_shares.region
    where market_shares.vendor <> 'other'
),

-- Each vendor's term in a period minus its term in the series' previous period; a vendor absent
-- from one of the two counts as 0 there (an entry or an exit). One equality join, so the work
-- grows with the rows, not with the square of a series' length.
vendor_terms as (
    select
        coalesce(current_terms.series_id, previous_terms.series_id) as series_id,
        coalesce(current_terms.period, previous_terms.next_period) as period,
        coalesce(current_terms.vendor, previous_terms.vendor) as vendor,
        coalesce(current_terms.hhi_term, 0) - coalesce(previous_terms.hhi_term, 0) as hhi_change
    from terms as current_terms
    full outer join (select * from terms where next_period is not null) as previous_terms
        on previous_terms.series_id = current_terms.series_id
        and previous_terms.next_period = current_terms.period
        and previous_terms.vendor = current_terms.vendor
),

top_movers as (
    -- the largest change in absolute value; on a tie, the first vendor key in alphabetical order
    select
        series_id,
        period,
        arg_min({'vendor': vendor, 'change': hhi_change}, (-abs(hhi_change), vendor)) as moved
    from vendor_terms
    group by series_id, period
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
left join top_movers using (series_id, period)
where sequenced.period >= (select first_period from run_start)
order by sequenced.market, sequenced.region, sequenced.period
