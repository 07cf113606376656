-- Every table's version history at a glance: versions, first and latest publish, rows now.
select
    view_name as "table",
    count(*) as versions,
    max(version) as latest_version,
    strftime(min(published_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S') as first_published_utc,
    strftime(max(published_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S') as latest_published_utc,
    arg_max(row_count, version) as "rows"
from meta.table_versions
group by view_name
order by view_name
