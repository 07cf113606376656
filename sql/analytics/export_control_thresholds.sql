-- Export-control thresholds with their legal source, and whether the article states them right.
with source as (
    select * from raw.export_control_thresholds
)

select
    jurisdiction,
    parameter,
    rule,
    value,
    unit,
    legal_source,
    article_value,
    try_cast(article_value as double) = value as matches_article,
    note,
    targeted_countries
from source
order by jurisdiction, rule desc, parameter
