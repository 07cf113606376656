-- One row per catalog chip (Epoch AI) in everyday units, with cited fills for cells the catalog
-- leaves empty, and the chip's total processing performance (TPP) and performance density (PD)
-- in the export-control sense. Epoch AI records dense (not sparse) peak throughput, so
-- TPP = peak dense TOPS x bit length, the maximum over precisions (= 2 x MacTOPS x bit length).
with source as (
    select * from raw.hardware_catalog
),

supplements as (
    select
        hardware_name,
        max(value) filter (where field = 'die_size_mm2') as die_size_mm2,
        max(value) filter (where field = 'tdp_w') as tdp_w,
        max(value) filter (where field = 'release_price_usd') as release_price_usd,
        max(value) filter (where field = 'intranode_bandwidth_byte_s') as intranode_bandwidth_byte_s,
        max(value) filter (where field = 'memory_bytes') as memory_bytes,
        max(value) filter (where field = 'memory_bandwidth_byte_s') as memory_bandwidth_byte_s
    from raw.hardware_catalog_supplements
    group by hardware_name
),

filled as (
    select
        source.* replace (
            coalesce(source.die_size_mm2, supplements.die_size_mm2) as die_size_mm2,
            coalesce(source.tdp_w, supplements.tdp_w) as tdp_w,
            coalesce(source.release_price_usd, supplements.release_price_usd) as release_price_usd,
            coalesce(source.intranode_bandwidth_byte_s, supplements.intranode_bandwidth_byte_s)
                as intranode_bandwidth_byte_s,
            coalesce(source.memory_bytes, supplements.memory_bytes) as memory_bytes,
            coalesce(source.memory_bandwidth_byte_s, supplements.memory_bandwidth_byte_s)
                as memory_bandwidth_byte_s
        ),
        list_filter(
            [
                case when source.die_size_mm2 is null and supplements.die_size_mm2 is not null
                    then 'die_size_mm2' end,
                case when source.tdp_w is null and supplements.tdp_w is not null
                    then 'tdp_w' end,
                case when source.release_price_usd is null
                    and supplements.release_price_usd is not null then 'release_price_usd' end,
                case when source.intranode_bandwidth_byte_s is null
                    and supplements.intranode_bandwidth_byte_s is not null
                    then 'intranode_bandwidth_byte_s' end,
                case when source.memory_bytes is null and supplements.memory_bytes is not null
                    then 'memory_bytes' end,
                case when source.memory_bandwidth_byte_s is null
                    and supplements.memory_bandwidth_byte_s is not null
                    then 'memory_bandwidth_byte_s' end
            ],
            lambda field: field is not null
        ) as supplemented_fields
    from source
    left join supplements using (hardware_name)
),

renamed as (
    select
        hardware_name,
        manufacturer,
        type,
        release_date,
        release_price_usd as price_usd,
        fp64_flop_s / 1e12 as fp64_tflops,
        fp32_flop_s / 1e12 as fp32_tflops,
        tf32_flop_s / 1e12 as tf32_tflops,
        tensor_fp16_bf16_flop_s / 1e12 as fp16_bf16_tensor_tflops,
        fp16_flop_s / 1e12 as fp16_tflops,
        fp8_flop_s / 1e12 as fp8_tflops,
        fp4_flop_s / 1e12 as fp4_tflops,
        int16_op_s / 1e12 as int16_tops,
        int8_op_s / 1e12 as int8_tops,
        int4_op_s / 1e12 as int4_tops,
        memory_bytes / 1e9 as memory_gb,
        memory_bandwidth_byte_s / 1e9 as memory_bandwidth_gb_s,
        intranode_bandwidth_byte_s / 1e9 as interconnect_bandwidth_gb_s,
        internode_bandwidth_bit_s / 1e9 as network_bandwidth_gbit_s,
        tdp_w,
        die_size_mm2 as die_area_mm2,
        process_size_nm,
        transistors_millions,
        foundry,
        total_processing_performance_bit_op_s / 1e12 as tpp_catalog,
        greatest(
            fp64_flop_s * 64,
            fp32_flop_s * 32,
            tf32_flop_s * 32,
            tensor_fp16_bf16_flop_s * 16,
            fp16_flop_s * 16,
            fp8_flop_s * 8,
            fp4_flop_s * 4,
            int16_op_s * 16,
            int8_op_s * 8,
            int4_op_s * 4
        ) / 1e12 as tpp_computed,
        supplemented_fields,
        notes,
        datasheet_url
    from filled
)

select
    * exclude (supplemented_fields, notes, datasheet_url),
    coalesce(tpp_catalog, tpp_computed) as tpp,
    case
        when tpp_catalog is not null then 'catalog'
        when tpp_computed is not null then 'computed'
    end as tpp_source,
    coalesce(tpp_catalog, tpp_computed) / die_area_mm2 as performance_density,
    supplemented_fields,
    notes,
    datasheet_url
from renamed
order by manufacturer, hardware_name
