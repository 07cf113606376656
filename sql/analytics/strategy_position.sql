-- The article's net position: summed benefits against a long-term risk score of HHI / divisor,
-- using the latest concentration of the market the strategy depends on.
with strategies as (
    select * from raw.strategies
),

benefits as (
    select company, sum(value) as immediate_benefit, count(*) as n_benefits
    from raw.strategy_benefits
    group by company
),

concentration as (
    select * from analytics.market_concentration
),

latest_concentration as (
    select * from concentration
    qualify row_number() over (partition by market, region order by period desc) = 1
),

primary_shares as (
    select market, region, period, vendor, share from raw.market_shares
),

assumptions as (
    select * from raw.assumptions
)

select
    strategies.company,
    strategies.primary_vendor,
    strategies.market,
    strategies.region,
    latest_concentration.period,
    primary_shares.share as primary_vendor_share,
    benefits.immediate_benefit,
    benefits.n_benefits,
    latest_concentration.hhi,
    latest_concentration.class_2010,
    latest_concentration.class_2023,
    latest_concentration.hhi / assumptions.risk_score_hhi_divisor as long_term_risk,
    strategies.fallback_strategy,
    strategies.diversification_targets,
    strategies.mitigation_actions,
    strategies.recommendation
from strategies
cross join assumptions
left join benefits using (company)
left join latest_concentration
    on latest_concentration.market = strategies.market
    and latest_concentration.region = strategies.region
left join primary_shares
    on primary_shares.market = strategies.market
    and primary_shares.region = strategies.region
    and primary_shares.period = latest_concentration.period
    and primary_shares.vendor = strategies.primary_vendor
order by strategies.company
