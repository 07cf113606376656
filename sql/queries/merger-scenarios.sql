-- What each what-if merger or share shift would do to HHI, with the 2010 and 2023 guideline verdicts.
select
    scenario,
    kind,
    market,
    period,
    round(hhi_before, 1) as hhi_before,
    round(hhi_after, 1) as hhi_after,
    round(delta_hhi, 1) as delta_hhi,
    round(firm_share_after, 3) as firm_share_after,
    verdict_2010,
    verdict_2023,
    presumption_2023_by,
    valid,
    problem
from analytics.concentration_scenarios
order by market, region, period, scenario
