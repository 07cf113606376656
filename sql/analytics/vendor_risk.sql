-- Each vendor's supply-risk attributes beside its latest share of every market it is in.
with vendors as (
    select * from raw.vendors
),

shares as (
    select * from raw.market_shares where vendor <> 'other'
),

latest_periods as (
    select market, region, max(period) as period from shares group by market, region
),

latest_shares as (
    select shares.market, shares.region, shares.period, shares.vendor, shares.share
    from shares
    inner join latest_periods using (market, region, period)
),

scored as (
    select
        *,
        case geopolitical_risk
            when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'very_high' then 4
        end as geopolitical_risk_score
    from vendors
)

select
    scored.vendor,
    scored.display_name,
    latest_shares.market,
    latest_shares.region,
    latest_shares.period,
    latest_shares.share,
    power(100 * latest_shares.share, 2) as hhi_contribution,
    scored.geopolitical_risk,
    scored.geopolitical_risk_score,
    scored.geopolitical_note,
    scored.supply_capacity,
    scored.supply_capacity in ('constrained', 'limited', 'captive') as supply_constrained,
    scored.pricing_power,
    scored.notable_risk,
    scored.notable_risk_level,
    scored.notable_risk_note,
    scored.alternatives,
    len(coalesce(scored.alternatives, [])) as n_alternatives
from scored
left join latest_shares using (vendor)
order by latest_shares.market, latest_shares.region, latest_shares.share desc nulls last, vendor
