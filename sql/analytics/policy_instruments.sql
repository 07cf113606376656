-- National AI policy instruments with their funding and time frame.
with source as (
    select * from raw.policy_instruments
)

select
    jurisdiction,
    instrument,
    kind,
    funding_usd,
    ai_specific_allocation_usd,
    ai_specific_allocation_usd / nullif(funding_usd, 0) as ai_share_of_funding,
    start_year,
    end_year,
    end_year - start_year + 1 as duration_years,
    funding_usd / nullif(end_year - start_year + 1, 0) as funding_usd_per_year,
    focus,
    purpose,
    source
from source
order by jurisdiction, funding_usd desc nulls last, instrument
