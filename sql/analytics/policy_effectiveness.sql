-- Reported policy figures against their targets, plus the ratios derived from them. Two measures
-- of "progress": the article's level / target, and progress from the baseline where one is known,
-- (current - baseline) / (target - baseline), which is what moving towards a target means.
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
        'private_investment / public_funding' as derivation,
        'Private investment per dollar of public_funding (CHIPS Act semiconductor incentives, '
        || 'not AI-specific funding)' as note
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
        baseline,
        baseline_year,
        baseline_source,
        note,
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
    current / nullif(target, 0) as current_over_target,
    baseline,
    baseline_year,
    (current - baseline) / nullif(target - baseline, 0) as progress_from_baseline,
    baseline_source,
    status,
    note,
    article_value,
    derivation
from combined
order by jurisdiction, metric
