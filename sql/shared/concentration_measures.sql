-- Shared by analytics.market_concentration and analytics.hardware_vendor_concentration: HHI,
-- concentration ratios and guideline classes per period, market and region. Included after the
-- model's own CTEs `source` (period, market, region, vendor, share) and `assumptions`
-- (raw.assumptions), with the line `-- include: concentration_measures`.
groups as (
    select distinct period, market, region from source
),

named_vendors as (
    select
        period,
        market,
        region,
        vendor,
        share,
        row_number() over (
            partition by period, market, region order by share desc, vendor
        ) as share_rank
    from source
    where vendor <> 'other'
),

aggregated as (
    select
        period,
        market,
        region,
        sum(power(100 * share, 2)) as hhi,
        count(*) filter (where share > 0) as n_vendors,
        max(share) as cr1,
        sum(share) filter (where share_rank <= 4) as cr4,
        sum(share) as allocated_share,
        max(vendor) filter (where share_rank = 1) as leading_vendor
    from named_vendors
    group by period, market, region
),

measured as (
    select
        groups.period,
        groups.market,
        groups.region,
        coalesce(aggregated.hhi, 0) as hhi,
        greatest(0, 1 - coalesce(aggregated.allocated_share, 0)) as unallocated_share,
        coalesce(aggregated.n_vendors, 0) as n_vendors,
        coalesce(aggregated.cr1, 0) as cr1,
        coalesce(aggregated.cr4, 0) as cr4,
        aggregated.leading_vendor
    from groups
    left join aggregated using (period, market, region)
)

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
order by measured.market, measured.region, measured.period
