-- Export-control thresholds on AI chips with their legal source, and whether the article states them right.
select
    jurisdiction,
    parameter,
    rule,
    value,
    unit,
    article_value,
    matches_article,
    legal_source
from analytics.export_control_thresholds
order by jurisdiction, rule desc, parameter
