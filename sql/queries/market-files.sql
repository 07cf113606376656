-- Every market file ingested (seeds and landing): when, how many shares it gave, how many are still in force.
with given as (
    select file_name, file_sha256, _version, _published_at, _retired_in
    from history.raw_market_shares
)

select
    file_name,
    file_sha256,
    min(_published_at) as ingested_at,
    min(_version) as version_of_market_shares,
    count(*) as shares_given,
    count(*) filter (where _retired_in is null) as shares_in_force
from given
group by file_name, file_sha256
order by ingested_at, file_name
