-- Benefits the company attributes to staying with its primary vendor.
with source as (
    select * from raw.strategy_benefits
),

strategies as (
    select company, primary_vendor from raw.strategies
)

select
    source.company,
    strategies.primary_vendor,
    source.benefit,
    source.value,
    100 * source.value as percent,
    source.meaning
from source
left join strategies using (company)
order by source.company, source.benefit
