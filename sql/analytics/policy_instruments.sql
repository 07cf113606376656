-- National AI policy instruments with their funding, the part set aside and what for, and the
-- time frame. The article calls the CHIPS Act's $52B semiconductor incentives its "AI-specific
-- allocation"; here the earmark says what it pays for, AI funding counts only earmarks for AI,
-- and the article's label stays in a column of its own.
with source as (
    select * from raw.policy_instruments
),

spans as (
    select
        *,
        -- both the first and the last year count: 2022 to 2032 is 11 years
        end_year - start_year + 1 as duration_years
    from source
)

select
    jurisdiction,
    instrument,
    kind,
    funding_usd,
    earmarked_usd,
    earmarked_for,
    earmark_scope,
    earmarked_usd / nullif(funding_usd, 0) as earmarked_share_of_funding,
    case when earmark_scope = 'ai' then earmarked_usd end as ai_specific_funding_usd,
    case when earmark_scope = 'ai' then earmarked_usd end / nullif(funding_usd, 0)
        as ai_share_of_funding,
    article_label,
    start_year,
    end_year,
    duration_years,
    funding_usd / nullif(duration_years, 0) as funding_usd_per_year,
    case when duration_years is not null then
        start_year || '-' || end_year || ', ' || duration_years || ' years counting both ends'
    end as funding_span,
    focus,
    purpose,
    source
from spans
order by jurisdiction, funding_usd desc nulls last, instrument
