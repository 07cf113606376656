-- Manufacturers' shares of two hardware "markets": distinct MLPerf results naming an accelerator
-- (market mlperf_submissions) and chips in the catalog (market catalog_chips), region global,
-- dated by the sources' as_of. A manufacturer that is not known is the 'other' remainder.
with sources as (
    select kind, as_of from raw.hardware_sources
),

submissions as (
    select manufacturer from analytics.benchmark_results where mlperf_accelerator is not null
),

chips as (
    select manufacturer from raw.hardware_catalog
),

counted as (
    select 'mlperf_submissions' as market, 'benchmark_results' as kind, manufacturer, count(*) as items
    from submissions
    group by manufacturer
    union all
    select 'catalog_chips' as market, 'hardware_catalog' as kind, manufacturer, count(*) as items
    from chips
    group by manufacturer
),

keyed as (
    select
        sources.as_of as period,
        counted.market,
        'global' as region,
        coalesce(
            nullif(trim(regexp_replace(lower(counted.manufacturer), '[^a-z0-9]+', '_', 'g'), '_'), ''),
            'other'
        ) as vendor,
        counted.manufacturer,
        counted.items
    from counted
    inner join sources using (kind)
)

select
    period,
    market,
    region,
    vendor,
    manufacturer,
    items,
    items / sum(items) over (partition by period, market, region) as share
from keyed
order by market, share desc, vendor
