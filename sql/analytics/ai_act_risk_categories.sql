-- EU AI Act: one row per use case in each risk category, with what it entails.
with source as (
    select * from raw.ai_act_risk_categories
)

select
    jurisdiction,
    risk_category,
    use_case,
    case risk_category
        when 'prohibited' then 'banned'
        when 'high_risk' then 'allowed with requirements'
        else 'allowed'
    end as treatment,
    requirements,
    len(coalesce(requirements, [])) as n_requirements,
    max_fine_percent_of_global_turnover,
    status
from source
order by jurisdiction, risk_category desc, use_case
