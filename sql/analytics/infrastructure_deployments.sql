-- The infrastructure plan, one row per planned component, with its deployment window as years.
with source as (
    select * from raw.infrastructure_components
),

windows as (
    select
        *,
        cast(split_part(deployment, '-', 1) as integer) as deployment_start_year,
        cast(coalesce(nullif(split_part(deployment, '-', 2), ''), split_part(deployment, '-', 1))
            as integer) as deployment_end_year
    from source
)

select
    company,
    vendor,
    component,
    generation,
    model,
    quantity as quantity_label,
    deployment as deployment_window,
    deployment_start_year,
    deployment_end_year,
    purpose,
    note
from windows
order by company, deployment_start_year, component, model
