-- What a merger or a shift of share would do to a market's HHI, judged by the 2010 and 2023 US
-- merger guidelines. As in market_concentration, 'other' is an unallocated remainder, not a firm,
-- and is left out of the HHI. A scenario that cannot be applied (market or vendor not found, a
-- shift larger than the share it takes from) has valid = false, a problem and no HHI after.
-- Scenarios do not stack: each is applied alone to the market's published shares, so two
-- scenarios of one market and period both start from the same hhi_before.
with scenarios as (
    select * from raw.scenarios
),

shares as (
    -- only the market periods a scenario names (a refresh can bring millions of other shares)
    select market_shares.*
    from raw.market_shares
    semi join scenarios
        on scenarios.period = market_shares.period
        and scenarios.market = market_shares.market
        and scenarios.region = market_shares.region
),

assumptions as (
    select * from raw.assumptions
),

named_shares as (
    select period, market, region, vendor, share
    from shares
    where vendor <> 'other'
),

markets as (
    -- every market period with shares, also one whose shares are all 'other' (HHI 0)
    select
        groups.period,
        groups.market,
        groups.region,
        -- exact decimal sums, as in market_concentration: the same shares give the same HHI
        coalesce(sum(power(100 * named_shares.share, 2)::decimal(38, 12))::double, 0) as hhi
    from (select distinct period, market, region from shares) as groups
    left join named_shares using (period, market, region)
    group by groups.period, groups.market, groups.region
),

scenario_markets as (
    -- each scenario with the market it applies to and the shares the vendors it names hold there
    select
        scenarios.*,
        coalesce(scenarios.merged_vendor, scenarios.vendor_a) as merged_as,
        markets.market is not null as market_found,
        markets.hhi as hhi_before,
        share_a.share as share_a,
        share_b.share as share_b,
        share_from.share as share_from,
        share_to.share as share_to,
        -- a merged firm may not take the name of a third vendor of the market
        merged_as_other.vendor is not null as merged_name_taken
    from scenarios
    left join markets
        on markets.period = scenarios.period
        and markets.market = scenarios.market
        and markets.region = scenarios.region
    left join named_shares as share_a
        on share_a.period = scenarios.period
        and share_a.market = scenarios.market
        and share_a.region = scenarios.region
        and share_a.vendor = scenarios.vendor_a
    left join named_shares as share_b
        on share_b.period = scenarios.period
        and share_b.market = scenarios.market
        and share_b.region = scenarios.region
        and share_b.vendor = scenarios.vendor_b
    left join named_shares as share_from
        on share_from.period = scenarios.period
        and share_from.market = scenarios.market
        and share_from.region = scenarios.region
        and share_from.vendor = scenarios.from_vendor
    left join named_shares as share_to
        on share_to.period = scenarios.period
        and share_to.market = scenarios.market
        and share_to.region = scenarios.region
        and share_to.vendor = scenarios.to_vendor
    left join named_shares as merged_as_other
        on merged_as_other.period = scenarios.period
        and merged_as_other.market = scenarios.market
        and merged_as_other.region = scenarios.region
        and merged_as_other.vendor = coalesce(scenarios.merged_vendor, scenarios.vendor_a)
        and merged_as_other.vendor not in (scenarios.vendor_a, scenarios.vendor_b)
),

checked as (
    -- every reason a scenario cannot be applied, joined into one text (null when there is none)
    select
        *,
        nullif(concat_ws('; ',
            case when not market_found then
                'no market shares for market ' || market || ', region ' || region
                || ', period ' || strftime(period, '%Y-%m-%d')
            end,
            case when coalesce(kind, '') not in ('merger', 'shift') then
                'kind must be merger or shift, not ' || coalesce(kind, 'empty')
            end,
            case when market_found and kind = 'merger' and share_a is null then
                'vendor_a ' || coalesce(vendor_a, '(empty)') || ' has no share in this market'
            end,
            case when market_found and kind = 'merger' and share_b is null then
                'vendor_b ' || coalesce(vendor_b, '(empty)') || ' has no share in this market'
            end,
            case when kind = 'merger' and vendor_a = vendor_b then
                'vendor_a and vendor_b are the same vendor'
            end,
            case when kind = 'merger' and merged_name_taken then
                'merged_vendor ' || merged_as || ' is already another vendor in this market'
            end,
            case when market_found and kind = 'shift' and share_from is null then
                'from_vendor ' || coalesce(from_vendor, '(empty)') || ' has no share in this market'
            end,
            case when kind = 'shift' and (to_vendor is null or to_vendor = from_vendor) then
                'to_vendor must name a vendor other than from_vendor'
            end,
            case when kind = 'shift' and amount is null then 'amount is missing' end,
            case when kind = 'shift' and amount > share_from then
                'amount ' || amount || ' is more than the share of ' || from_vendor || ' ('
                || share_from || ')'
            end
        ), '') as problem
    from scenario_markets
),

shares_after as (
    -- the named vendors of each valid scenario's market after the change: the merging vendors
    -- become one firm, a shift takes amount from one vendor and gives it to another
    select
        checked.scenario,
        case
            when checked.kind = 'merger' and s.vendor in (checked.vendor_a, checked.vendor_b)
                then checked.merged_as
            else s.vendor
        end as vendor,
        s.share
        - case when checked.kind = 'shift' and s.vendor = checked.from_vendor then checked.amount
            else 0 end
        + case when checked.kind = 'shift' and s.vendor = checked.to_vendor then checked.amount
            else 0 end
        as share
    from checked
    join named_shares as s using (period, market, region)
    where checked.problem is null

    union all

    -- a shift's to_vendor that had no share in the market before
    select checked.scenario, checked.to_vendor as vendor, checked.amount as share
    from checked
    where checked.problem is null
        and checked.kind = 'shift'
        and checked.share_to is null
),

firms_after as (
    select scenario, vendor, sum(share) as share
    from shares_after
    group by scenario, vendor
),

hhi_after as (
    select scenario, sum(power(100 * share, 2)::decimal(38, 12))::double as hhi_after
    from firms_after
    group by scenario
),

enlarged_firm as (
    -- the firm the scenario makes bigger: the merged firm, or the vendor a shift gives to
    select checked.scenario, firms_after.share as firm_share_after
    from checked
    join firms_after
        on firms_after.scenario = checked.scenario
        and firms_after.vendor = case when checked.kind = 'merger' then checked.merged_as
            else checked.to_vendor end
),

measured as (
    select
        checked.scenario,
        checked.kind,
        checked.market,
        checked.region,
        checked.period,
        checked.description,
        checked.hhi_before,
        hhi_after.hhi_after,
        enlarged_firm.firm_share_after,
        checked.problem
    from checked
    left join hhi_after using (scenario)
    left join enlarged_firm using (scenario)
),

judged as (
    -- the guidelines' thresholds are compared with HHI rounded to 1e-6 points, so that float
    -- noise (100.00000000000006 for a change of exactly 100) does not cross a boundary
    select
        measured.*,
        measured.hhi_after - measured.hhi_before as delta_hhi,
        round(measured.hhi_after, 6) as post,
        round(measured.hhi_after - measured.hhi_before, 6) as delta,
        round(measured.firm_share_after, 9) as firm_share
    from measured
),

presumed as (
    -- 2023 Merger Guidelines, guideline 1: a change of more than 100 points is presumed to
    -- lessen competition when the market is highly concentrated after it (HHI above 1800), or
    -- when the firm it enlarges holds more than 30% after it; either test may fire, or both
    select
        judged.*,
        judged.problem is null and judged.delta > thresholds.hhi_delta_presumption_2023
            and judged.post > thresholds.hhi_2023_high_above as by_hhi,
        judged.problem is null and judged.delta > thresholds.hhi_delta_presumption_2023
            and judged.firm_share > thresholds.merger_share_presumption_2023 as by_share
    from judged
    cross join assumptions as thresholds
)

select
    judged.scenario,
    judged.kind,
    judged.market,
    judged.region,
    judged.period,
    judged.description,
    judged.hhi_before,
    judged.hhi_after,
    judged.delta_hhi,
    judged.firm_share_after,
    case
        when judged.post < thresholds.hhi_2010_moderate_from then 'unconcentrated'
        when judged.post <= thresholds.hhi_2010_high_above then 'moderately_concentrated'
        when judged.post > thresholds.hhi_2010_high_above then 'highly_concentrated'
    end as class_2010_after,
    case
        when judged.post < thresholds.hhi_2023_moderate_from then 'unconcentrated'
        when judged.post <= thresholds.hhi_2023_high_above then 'moderately_concentrated'
        when judged.post > thresholds.hhi_2023_high_above then 'highly_concentrated'
    end as class_2023_after,
    -- 2010 Horizontal Merger Guidelines, section 5.3
    case
        when judged.problem is not null then null
        when judged.delta < 0 then 'reduces concentration'
        when judged.post < thresholds.hhi_2010_moderate_from
            then 'unconcentrated: unlikely adverse effects'
        when judged.post <= thresholds.hhi_2010_high_above
            then case
                when judged.delta > thresholds.hhi_delta_concern
                    then 'potentially raises significant competitive concerns'
                else 'unlikely to have adverse competitive effects'
            end
        when judged.delta < thresholds.hhi_delta_concern
            then 'unlikely to have adverse competitive effects'
        when judged.delta <= thresholds.hhi_delta_presumption_2010
            then 'potentially raises significant competitive concerns'
        else 'presumed likely to enhance market power'
    end as verdict_2010,
    -- 2023 Merger Guidelines, guideline 1: the structural presumption, and which test fired
    case
        when judged.problem is not null then null
        when judged.delta < 0 then 'reduces concentration'
        when judged.by_hhi or judged.by_share then 'presumed to substantially lessen competition'
        else 'no structural presumption'
    end as verdict_2023,
    case
        when judged.by_hhi and judged.by_share then 'hhi_and_share'
        when judged.by_hhi then 'hhi'
        when judged.by_share then 'share'
    end as presumption_2023_by,
    judged.problem is null as valid,
    judged.problem
from presumed as judged
cross join assumptions as thresholds
order by judged.market, judged.region, judged.period, judged.scenario
