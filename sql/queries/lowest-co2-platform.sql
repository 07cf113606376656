-- Which platform has the lowest CO2 per million tokens (every platform tied at the minimum).
select
    platform,
    status,
    co2_kg_per_million_tokens,
    co2_vs_baseline,
    baseline_platform
from analytics.platform_efficiency
where co2_kg_per_million_tokens = (
    select min(co2_kg_per_million_tokens) from analytics.platform_efficiency
)
order by platform
