-- Manufacturers' shares of two counts, not markets: distinct MLPerf results naming an accelerator
-- (market mlperf_results) and chip models in the catalog (market catalog_chip_models), region
-- global, dated by the sources' as_of; `counted` says what is counted. A chip the catalog gives
-- no manufacturer takes one from a cited row of seeds/hardware/catalog_manufacturers.csv; one
-- still unknown is the 'other' remainder.
with sources as (
    select kind, as_of from raw.hardware_sources
),

submissions as (
    select manufacturer from analytics.benchmark_results where mlperf_accelerator is not null
),

chips as (
    select coalesce(catalog.manufacturer, cited.manufacturer) as manufacturer
    from raw.hardware_catalog as catalog
    left join raw.hardware_catalog_manufacturers as cited using (hardware_name)
),

tallies as (
    select
        'mlperf_results' as market,
        'MLPerf Inference results naming an accelerator (one per system, benchmark and scenario)'
            as counted,
        'benchmark_results' as kind,
        manufacturer,
        count(*) as items
    from submissions
    group by manufacturer
    union all
    select
        'catalog_chip_models' as market,
        'chip models in Epoch AI''s catalog (one per model, whatever its sales)' as counted,
        'hardware_catalog' as kind,
        manufacturer,
        count(*) as items
    from chips
    group by manufacturer
),

keyed as (
    select
        sources.as_of as period,
        tallies.market,
        tallies.counted,
        'global' as region,
        coalesce(
            nullif(trim(regexp_replace(lower(tallies.manufacturer), '[^a-z0-9]+', '_', 'g'), '_'), ''),
            'other'
        ) as vendor,
        tallies.manufacturer,
        tallies.items
    from tallies
    inner join sources using (kind)
)

select
    period,
    market,
    region,
    vendor,
    manufacturer,
    counted,
    items,
    items / sum(items) over (partition by period, market, region) as share
from keyed
order by market, share desc, vendor
