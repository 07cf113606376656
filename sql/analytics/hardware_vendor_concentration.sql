-- Concentration of the hardware markets (manufacturers' shares of MLPerf results and of catalog
-- chips), computed by the same HHI logic as analytics.market_concentration, with the same columns,
-- so the two can be read together (union all). Kept in its own table: market_concentration is
-- recomputed from the market files and fed from checked vendor keys, which catalog manufacturers
-- are not.
-- 'other' is an unknown manufacturer, left out of hhi and bounded by hhi_upper.
with source as (
    select period, market, region, vendor, share from analytics.hardware_vendor_shares
),

assumptions as (
    select * from raw.assumptions
),

-- include: concentration_measures
