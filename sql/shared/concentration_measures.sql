-- Shared by analytics.market_concentration and analytics.hardware_vendor_concentration: HHI,
-- concentration ratios and guideline classes per period, market and region. Included after the
-- model's own CTEs `source` (period, market, region, vendor, share) and `assumptions`
-- (raw.assumptions), with the line `-- include: concentration_measures`; it ends with the CTE
-- `concentration`, which the model selects from.
aggregated as (
    -- One pass over the shares, without sorting them: 'other' rows count only towards a group's
    -- existence (a group whose shares are all 'other' has HHI 0), so every measure filters them.
    select
        period,
        market,
        region,
        -- Sums in exact decimals: a float sum depends on the order threads add rows in, so a rerun
        -- on the same shares would differ in the last bits and publish a spurious new version.
        sum(power(100 * share, 2)::decimal(38, 12)) filter (where vendor <> 'other')::double
            as hhi,
        count(*) filter (where vendor <> 'other' and share > 0) as n_vendors,
        max(share) filter (where vendor <> 'other') as cr1,
        list_sum(max(share, 4) filter (where vendor <> 'other')) as cr4,  -- the 4 largest
        sum(share::decimal(38, 18)) filter (where vendor <> 'other')::double as allocated_share,
        -- the largest share; on a tie, the first vendor key in alphabetical order
        first(vendor order by share desc, vendor) filter (where vendor <> 'other')
            as leading_vendor
    from source
    group by period, market, region
),

measured as (
    select
        period,
        market,
        region,
        coalesce(hhi, 0) as hhi,
        greatest(0, 1 - coalesce(allocated_share, 0)) as unallocated_share,
        n_vendors,
        coalesce(cr1, 0) as cr1,
        coalesce(cr4, 0) as cr4,
        leading_vendor
    from aggregated
),

concentration as (
    select
        measured.period,
        measured.market,
        measured.region,
        measured.hhi,
        measured.hhi + power(100 * measured.unallocated_share, 2) as hhi_upper,
        measured.unallocated_share,
        measured.n_vendors,
        measured.leading_vendor,
        measured.cr1,
        measured.cr4,
        case when measured.hhi > 0 then 10000 / measured.hhi end as equivalent_firms,
        case
            when measured.hhi < assumptions.hhi_2010_moderate_from then 'unconcentrated'
            when measured.hhi <= assumptions.hhi_2010_high_above then 'moderately_concentrated'
            else 'highly_concentrated'
        end as class_2010,
        case
            when measured.hhi < assumptions.hhi_2023_moderate_from then 'unconcentrated'
            when measured.hhi <= assumptions.hhi_2023_high_above then 'moderately_concentrated'
            else 'highly_concentrated'
        end as class_2023
    from measured
    cross join assumptions
)
