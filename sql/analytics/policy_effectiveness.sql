-- Reported policy figures with progress towards their targets, plus the ratios derived from them.
with source as (
    select * from raw.policy_effectiveness_inputs
),

leverage as (
    select
        private.jurisdiction,
        'private_investment_leverage' as metric,
        'ratio' as unit,
        private.current / public.current as current,
        cast(null as double) as target,
        cast(null as bigint) as target_year,
        cast(null as varchar) as status,
        private.article_value,
        'private_investment / public_funding' as derivation
    from source as private
    inner join source as public
        on public.jurisdiction = private.jurisdiction and public.metric = 'public_funding'
    where private.metric = 'private_investment'
),

reported as (
    select
        jurisdiction,
        metric,
        unit,
        current,
        target,
        target_year,
        status,
        article_value,
        'reported' as derivation
    from source
),

combined as (
    select * from reported
    union all by name
    select * from leverage
)

select
    jurisdiction,
    metric,
    unit,
    current,
    target,
    target_year,
    current / nullif(target, 0) as progress,
    status,
    article_value,
    derivation
from combined
order by jurisdiction, metric
