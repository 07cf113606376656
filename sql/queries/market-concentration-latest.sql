-- How concentrated each market and region is in its latest period: HHI, leader and guideline classes.
select
    period,
    market,
    region,
    round(hhi, 1) as hhi,
    round(hhi_upper, 1) as hhi_upper,
    leading_vendor,
    cr1,
    cr4,
    n_vendors,
    round(equivalent_firms, 2) as equivalent_firms,
    class_2010,
    class_2023
from analytics.market_concentration
qualify row_number() over (partition by market, region order by period desc) = 1
order by market, region
