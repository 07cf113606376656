-- What leaving the primary vendor would cost, as the strategy seed states it.
with source as (
    select * from raw.switching_costs
),

strategies as (
    select company, primary_vendor from raw.strategies
)

select
    source.company,
    strategies.primary_vendor,
    source.item,
    source.value,
    source.unit,
    case when source.unit like 'fraction%' then 100 * source.value end as percent
from source
left join strategies using (company)
order by source.company, source.item
