-- Concentration of the hardware markets (manufacturers' shares of MLPerf results and of catalog
-- chips), computed by the same HHI logic as analytics.market_concentration, with the same columns,
-- so the two can be read together (union all). Kept in its own table: market_concentration is
-- recomputed from the market files and fed from checked vendor keys, which catalog manufacturers
-- are not.
-- 'other' is an unknown manufacturer, left out of hhi and bounded by hhi_upper.
-- These shares are shares of counts (MLPerf results, catalog chip models), not of a market's
-- sales or capacity, so the merger-guideline classes are published only as an illustration, and
-- say so in classes_note; counted names what each market counts.
with source as (
    select period, market, region, vendor, share from analytics.hardware_vendor_shares
),

counted as (
    select distinct market, counted from analytics.hardware_vendor_shares
),

assumptions as (
    select * from raw.assumptions
),

-- include: concentration_measures

select
    concentration.*,
    counted.counted,
    'illustrative only: shares of ' || counted.counted || ', not of sales or capacity in a '
    || 'market; the merger guidelines classify markets' as classes_note
from concentration
inner join counted using (market)
order by concentration.market, concentration.region, concentration.period
