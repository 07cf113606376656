-- Each vendor's supply risk beside its latest market share, largest HHI contribution first.
select
    vendor,
    display_name,
    market,
    region,
    period,
    share,
    round(hhi_contribution, 1) as hhi_contribution,
    geopolitical_risk,
    supply_capacity,
    supply_constrained,
    pricing_power,
    notable_risk,
    notable_risk_level,
    n_alternatives
from analytics.vendor_risk
order by market nulls last, region, hhi_contribution desc nulls last, vendor
