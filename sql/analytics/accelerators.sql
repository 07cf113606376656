-- One row per catalog chip (Epoch AI) in everyday units, with cited fills for cells the catalog
-- leaves empty, and the chip's total processing performance (TPP), applicable die area and
-- performance density (PD) in the sense of the US export controls (15 CFR 774 Supp. 1, ECCN 3A090,
-- Technical Notes), and whether it is designed or marketed for use in datacenters (Note 2).
--
-- TPP = 2 x MacTOPS x bit length = peak dense TOPS x bit length, the highest over the precisions
-- given (Epoch AI records dense, not sparse, throughput). tpp is the project's computation from the
-- per-precision columns, so it can be reproduced from this table; Epoch AI's own figure is kept
-- beside it as tpp_catalog and used only for a chip with no per-precision figure at all.
-- TF32 counts as 32 bits in tpp: its operands are FP32 values (32 bits stored, rounded to 19
-- significant bits inside the tensor unit), and the rule evaluates the highest TPP a chip reaches.
-- Epoch AI counts 19 bits (1 sign, 8 exponent, 10 mantissa); tpp_tf32_19 is TPP that way.
--
-- A missing input is not a zero. A chip's matrix throughput is missing when the catalog counts
-- tensor (matrix) units for it (Tensor cores > 0) but gives none of its matrix figures (TF32,
-- tensor FP16/BF16, FP8, FP4, INT16, INT8, INT4), even after cited fills: its TPP, from vector
-- figures only, is then a lower bound (matrix_throughput_missing), never a settled value.
--
-- Applicable die area is "all die area of logic dies manufactured with a process node that uses a
-- non-planar transistor architecture": the catalog's die size (one die), unless a cited supplement
-- gives the logic dies of a multi-die package (HBM stacks and dummy dies excluded), or says the
-- catalog's figure is not that area and no cited one is known (density unknown). die_area_basis
-- says which.
with source as (
    select * from raw.hardware_catalog
),

supplements as (
    select * from raw.hardware_catalog_supplements
),

-- Catalog cells a supplement may fill, one row per cell the catalog does give.
catalog_cells as (
    unpivot (
        select
            hardware_name,
            die_size_mm2,
            tdp_w,
            release_price_usd,
            intranode_bandwidth_byte_s,
            memory_bytes,
            memory_bandwidth_byte_s,
            tensor_fp16_bf16_flop_s,
            int8_op_s
        from source
    )
    on columns(* exclude (hardware_name)) into name field value catalog_value
),

-- A supplement fills a cell only where the catalog leaves it empty.
fills as (
    select supplements.hardware_name, supplements.field, supplements.value
    from supplements
    anti join catalog_cells using (hardware_name, field)
    where supplements.field <> 'applicable_die_area_mm2'
),

fill_values as (
    pivot fills
    on field in (
        'die_size_mm2',
        'tdp_w',
        'release_price_usd',
        'intranode_bandwidth_byte_s',
        'memory_bytes',
        'memory_bandwidth_byte_s',
        'tensor_fp16_bf16_flop_s',
        'int8_op_s'
    )
    using max(value)
    group by hardware_name
),

filled_fields as (
    select hardware_name, list(field order by field) as supplemented_fields
    from fills
    group by hardware_name
),

filled as (
    select
        source.* replace (
            coalesce(source.die_size_mm2, fill_values.die_size_mm2) as die_size_mm2,
            coalesce(source.tdp_w, fill_values.tdp_w) as tdp_w,
            coalesce(source.release_price_usd, fill_values.release_price_usd)
                as release_price_usd,
            coalesce(source.intranode_bandwidth_byte_s, fill_values.intranode_bandwidth_byte_s)
                as intranode_bandwidth_byte_s,
            coalesce(source.memory_bytes, fill_values.memory_bytes) as memory_bytes,
            coalesce(source.memory_bandwidth_byte_s, fill_values.memory_bandwidth_byte_s)
                as memory_bandwidth_byte_s,
            coalesce(source.tensor_fp16_bf16_flop_s, fill_values.tensor_fp16_bf16_flop_s)
                as tensor_fp16_bf16_flop_s,
            coalesce(source.int8_op_s, fill_values.int8_op_s) as int8_op_s
        ),
        coalesce(filled_fields.supplemented_fields, []) as supplemented_fields
    from source
    left join fill_values using (hardware_name)
    left join filled_fields using (hardware_name)
),

die_areas as (
    select hardware_name, value as cited_area_mm2
    from supplements
    where field = 'applicable_die_area_mm2'
),

cited_manufacturers as (
    -- a chip the catalog gives no manufacturer (GroqChip LPU v1), from a cited row
    select hardware_name, manufacturer as cited_manufacturer
    from raw.hardware_catalog_manufacturers
),

designations as (
    select
        hardware_name,
        designed_or_marketed_for_datacenters = 'yes' as designed_for_datacenter,
        source
    from raw.hardware_datacenter_designation
),

renamed as (
    select
        hardware_name,
        coalesce(
            manufacturer,
            (select cited_manufacturer from cited_manufacturers as cited
             where cited.hardware_name = filled.hardware_name)
        ) as manufacturer,
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
        tensor_cores,
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
            tensor_fp16_bf16_flop_s * 16,
            fp16_flop_s * 16,
            fp8_flop_s * 8,
            fp4_flop_s * 4,
            int16_op_s * 16,
            int8_op_s * 8,
            int4_op_s * 4
        ) / 1e12 as tpp_without_tf32,
        coalesce(tensor_cores > 0, false)
        and coalesce(
            tf32_flop_s,
            tensor_fp16_bf16_flop_s,
            fp8_flop_s,
            fp4_flop_s,
            int16_op_s,
            int8_op_s,
            int4_op_s
        ) is null as matrix_throughput_missing,
        supplemented_fields,
        notes,
        datasheet_url
    from filled
),

measured as (
    select
        renamed.* exclude (tpp_without_tf32),
        greatest(tpp_without_tf32, tf32_tflops * 32) as tpp_computed,
        coalesce(greatest(tpp_without_tf32, tf32_tflops * 32), tpp_catalog) as tpp,
        case
            when greatest(tpp_without_tf32, tf32_tflops * 32) is not null then 'computed'
            when tpp_catalog is not null then 'catalog'
        end as tpp_source,
        coalesce(greatest(tpp_without_tf32, tf32_tflops * 19), tpp_catalog) as tpp_tf32_19
    from renamed
),

-- The applicable die area: the catalog's die size, unless a supplement row gives the package's
-- logic dies (or, with an empty value, says the catalog's figure is not it and none is known).
areas as (
    select
        measured.hardware_name,
        case
            when die_areas.hardware_name is null then measured.die_area_mm2
            else die_areas.cited_area_mm2
        end as applicable_die_area_mm2,
        case
            when die_areas.hardware_name is null and measured.die_area_mm2 is not null
                then 'die_size'
            when die_areas.cited_area_mm2 is not null then 'logic_dies'
            when die_areas.hardware_name is not null then 'unknown'
        end as die_area_basis
    from measured
    left join die_areas using (hardware_name)
),

-- Designed or marketed for use in datacenters: the seed's answer, else what the catalog says
-- (a consumer brand in the name; Data Center in the name or a datasheet on a vendor's
-- data-center pages), else unknown.
market as (
    select
        measured.hardware_name,
        case
            when designations.hardware_name is not null
                then designations.designed_for_datacenter
            when regexp_matches(measured.hardware_name, '(?i)geforce|titan|radeon rx') then false
            when regexp_matches(measured.hardware_name, 'Data Center')
                or regexp_matches(coalesce(measured.datasheet_url, ''), '(?i)/data-center/')
                then true
        end as designed_for_datacenter,
        case
            when designations.hardware_name is not null then designations.source
            when regexp_matches(measured.hardware_name, '(?i)geforce|titan|radeon rx')
                then 'catalog name: a consumer (gaming) brand'
            when regexp_matches(measured.hardware_name, 'Data Center')
                then 'catalog name: a data-center product'
            when regexp_matches(coalesce(measured.datasheet_url, ''), '(?i)/data-center/')
                then 'catalog datasheet link: on the vendor''s data-center pages'
        end as datacenter_source
    from measured
    left join designations using (hardware_name)
)

select
    measured.* exclude (supplemented_fields, notes, datasheet_url),
    abs(measured.tpp_catalog / measured.tpp_computed - 1) < 1e-6 as tpp_catalog_agrees,
    areas.applicable_die_area_mm2,
    areas.die_area_basis,
    measured.tpp / areas.applicable_die_area_mm2 as performance_density,
    market.designed_for_datacenter,
    market.datacenter_source,
    measured.supplemented_fields,
    measured.notes,
    measured.datasheet_url
from measured
left join areas using (hardware_name)
left join market using (hardware_name)
order by measured.manufacturer, measured.hardware_name
