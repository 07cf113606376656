"""Accelerator data: the external sources (seeds/sources.yaml), Epoch AI's hardware table as
published, cited fills for cells it leaves empty, whether a chip is designed or marketed for use
in datacenters, and aliases from MLPerf names to its chips.

The catalog keeps Epoch's units (FLOP/s, byte/s, bit/s); analytics.accelerators converts them.
Empty cells are missing values, not errors: every measured column is nullable.
"""

from datetime import date

import pandera.polars as pa
import polars as pl

from models.bounds import (
    MAX_CHIP_BANDWIDTH_BIT_S,
    MAX_CHIP_BANDWIDTH_BYTE_S,
    MAX_CHIP_BIT_OP_PER_S,
    MAX_CHIP_MEMORY_BYTES,
    MAX_CHIP_OP_PER_S,
    MAX_CHIP_POWER_W,
    MAX_DIE_AREA_MM2,
    MAX_PROCESS_NM,
    MAX_TRANSISTORS_MILLIONS,
    MAX_UNIT_PRICE_USD,
)

SOURCE_KINDS = ["hardware_catalog", "benchmark_results"]
SOURCE_FORMATS = {
    "hardware_catalog": "epoch_ml_hardware_csv",
    "benchmark_results": "mlperf_inference_summary_json",
}

# Epoch's header (as published) -> column of raw.hardware_catalog. Every one must be in the file;
# columns Epoch adds later are ignored, so a newer release drops in.
EPOCH_COLUMNS = {
    "Hardware name": "hardware_name",
    "Manufacturer": "manufacturer",
    "Type": "type",
    "Notes": "notes",
    "Release date": "release_date",
    "Release price (USD)": "release_price_usd",
    "FP64 (double precision) performance (FLOP/s)": "fp64_flop_s",
    "FP32 (single precision) performance (FLOP/s)": "fp32_flop_s",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "tf32_flop_s",
    "Tensor-FP16/BF16 performance (FLOP/s)": "tensor_fp16_bf16_flop_s",
    "FP16 (half precision) performance (FLOP/s)": "fp16_flop_s",
    "FP8 performance (FLOP/s)": "fp8_flop_s",
    "FP4 performance (FLOP/s)": "fp4_flop_s",
    "INT16 performance (OP/s)": "int16_op_s",
    "INT8 performance (OP/s)": "int8_op_s",
    "INT4 performance (OP/s)": "int4_op_s",
    "Memory (bytes)": "memory_bytes",
    "Memory bandwidth (byte/s)": "memory_bandwidth_byte_s",
    "Intranode bandwidth (byte/s)": "intranode_bandwidth_byte_s",
    "Internode bandwidth (bit/s)": "internode_bandwidth_bit_s",
    "TDP (W)": "tdp_w",
    "Die Size (mm^2)": "die_size_mm2",
    "Tensor cores": "tensor_cores",
    "Process size (nm)": "process_size_nm",
    "Transistors (millions)": "transistors_millions",
    "Foundry": "foundry",
    "Total processing performance (bit-OP/s)": "total_processing_performance_bit_op_s",
    "Link to datasheet": "datasheet_url",
    "Source for the price": "price_source",
    "Last modified": "last_modified",
}

# Columns a cited fill may supply where the catalog cell is empty (seeds/hardware/...supplements).
SUPPLEMENTABLE = [
    "die_size_mm2",
    "tdp_w",
    "release_price_usd",
    "intranode_bandwidth_byte_s",
    "memory_bytes",
    "memory_bandwidth_byte_s",
    "tensor_fp16_bf16_flop_s",
    "int8_op_s",
]
# Not a catalog column: the export rule's applicable die area (all logic dies of the package) where
# the catalog's die size is not it. Its value may be empty: the catalog's figure is known not to be
# the applicable area and no cited one is known, so the density is left unknown.
APPLICABLE_DIE_AREA = "applicable_die_area_mm2"
DATACENTER_ANSWERS = ["yes", "no"]


# Largest physical value of each measured catalog column (see models.bounds), also the bound of
# a cited supplement for that column.
CATALOG_MAXIMA = {
    "release_price_usd": MAX_UNIT_PRICE_USD,
    **dict.fromkeys(
        [
            "fp64_flop_s",
            "fp32_flop_s",
            "tf32_flop_s",
            "tensor_fp16_bf16_flop_s",
            "fp16_flop_s",
            "fp8_flop_s",
            "fp4_flop_s",
            "int16_op_s",
            "int8_op_s",
            "int4_op_s",
        ],
        MAX_CHIP_OP_PER_S,
    ),
    "memory_bytes": MAX_CHIP_MEMORY_BYTES,
    "memory_bandwidth_byte_s": MAX_CHIP_BANDWIDTH_BYTE_S,
    "intranode_bandwidth_byte_s": MAX_CHIP_BANDWIDTH_BYTE_S,
    "internode_bandwidth_bit_s": MAX_CHIP_BANDWIDTH_BIT_S,
    "tdp_w": MAX_CHIP_POWER_W,
    "die_size_mm2": MAX_DIE_AREA_MM2,
    "process_size_nm": MAX_PROCESS_NM,
    "transistors_millions": MAX_TRANSISTORS_MILLIONS,
    "tensor_cores": 100_000,  # tensor (matrix) units per chip; an H100 has 528
    "total_processing_performance_bit_op_s": MAX_CHIP_BIT_OP_PER_S,
}


def _measure(column: str, description: str, gt: bool = False) -> pa.Field:
    bound = {"gt": 0} if gt else {"ge": 0}
    return pa.Field(nullable=True, **bound, le=CATALOG_MAXIMA[column], description=description)


class HardwareSourceModel(pa.DataFrameModel):
    source: str = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$", description="Source key")
    kind: str = pa.Field(isin=SOURCE_KINDS, description="What the source feeds")
    format: str = pa.Field(
        isin=sorted(set(SOURCE_FORMATS.values())), description="Published format it is read as"
    )
    path: str = pa.Field(description="Path in sources.yaml, relative to the seeds folder")
    env_var: str = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z][A-Z0-9_]*$",
        description="Environment variable that replaces the path when set",
    )
    resolved_path: str = pa.Field(
        description="File actually read: relative to the seeds folder when sources.yaml named "
        "it, absolute when an environment variable did"
    )
    path_from: str = pa.Field(
        isin=["sources.yaml", "environment"], description="Where it came from"
    )
    sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the file read")
    as_of: date = pa.Field(nullable=True, description="Date the published data refers to")
    attribution: str = pa.Field(description="Credit the licence asks for")
    license: str = pa.Field(description="Licence of the data")
    url: str = pa.Field(description="Where the data is published")
    note: str = pa.Field(nullable=True, description="Provenance details")

    class Config:
        strict = True


class HardwareCatalogModel(pa.DataFrameModel):
    hardware_name: str = pa.Field(unique=True, description="Chip name as Epoch AI writes it")
    manufacturer: str = pa.Field(nullable=True, description="Manufacturer as Epoch AI writes it")
    type: str = pa.Field(nullable=True, description="GPU, TPU, NPU, ...")
    notes: str = pa.Field(nullable=True, description="Epoch AI's notes (may span lines)")
    release_date: date = pa.Field(nullable=True, description="Release date (ISO date)")
    release_price_usd: float = _measure("release_price_usd", "Release (list) price [USD]", gt=True)
    fp64_flop_s: float = _measure("fp64_flop_s", "Peak dense FP64 [FLOP/s]")
    fp32_flop_s: float = _measure("fp32_flop_s", "Peak dense FP32 [FLOP/s]")
    tf32_flop_s: float = _measure("tf32_flop_s", "Peak dense TF32 tensor [FLOP/s]")
    tensor_fp16_bf16_flop_s: float = _measure(
        "tensor_fp16_bf16_flop_s", "Peak dense FP16/BF16 tensor [FLOP/s]"
    )
    fp16_flop_s: float = _measure("fp16_flop_s", "Peak dense FP16 (non-tensor) [FLOP/s]")
    fp8_flop_s: float = _measure("fp8_flop_s", "Peak dense FP8 [FLOP/s]")
    fp4_flop_s: float = _measure("fp4_flop_s", "Peak dense FP4 [FLOP/s]")
    int16_op_s: float = _measure("int16_op_s", "Peak dense INT16 [OP/s]")
    int8_op_s: float = _measure("int8_op_s", "Peak dense INT8 [OP/s]")
    int4_op_s: float = _measure("int4_op_s", "Peak dense INT4 [OP/s]")
    memory_bytes: float = _measure("memory_bytes", "Memory capacity [bytes]", gt=True)
    memory_bandwidth_byte_s: float = _measure(
        "memory_bandwidth_byte_s", "Memory bandwidth [byte/s]", gt=True
    )
    intranode_bandwidth_byte_s: float = _measure(
        "intranode_bandwidth_byte_s", "Chip-to-chip (e.g. NVLink) bandwidth [byte/s]"
    )
    internode_bandwidth_bit_s: float = _measure(
        "internode_bandwidth_bit_s", "Network bandwidth between nodes [bit/s]"
    )
    tdp_w: float = _measure("tdp_w", "Thermal design power [W]", gt=True)
    die_size_mm2: float = _measure("die_size_mm2", "Die area [mm2]", gt=True)
    tensor_cores: float = _measure(
        "tensor_cores", "Tensor (matrix) units, as Epoch AI counts them [count]"
    )
    process_size_nm: float = _measure("process_size_nm", "Process node [nm]", gt=True)
    transistors_millions: float = _measure(
        "transistors_millions", "Transistors [millions]", gt=True
    )
    foundry: str = pa.Field(nullable=True, description="Foundry")
    total_processing_performance_bit_op_s: float = _measure(
        "total_processing_performance_bit_op_s",
        "Epoch's total processing performance, max over precisions of ops x bit length [bit-OP/s]",
    )
    datasheet_url: str = pa.Field(nullable=True, description="Link(s) to the datasheet")
    price_source: str = pa.Field(nullable=True, description="Where the price comes from")
    last_modified: str = pa.Field(nullable=True, description="When Epoch AI last edited the row")

    class Config:
        strict = True


class CatalogSupplementModel(pa.DataFrameModel):
    hardware_name: str = pa.Field(description="Catalog chip the value is for")
    field: str = pa.Field(
        isin=[*SUPPLEMENTABLE, APPLICABLE_DIE_AREA],
        description="raw.hardware_catalog column it fills, or applicable_die_area_mm2",
    )
    value: float = pa.Field(
        nullable=True, gt=0, description="Value, in the catalog column's unit (mm2 for the area)"
    )
    source: str = pa.Field(description="Public source of the value")

    class Config:
        strict = True
        unique = ["hardware_name", "field"]

    @pa.dataframe_check(error="value: above the physical bound of its field (see models.bounds)")
    def value_within_its_field_bound(cls, data: pa.PolarsData) -> pl.LazyFrame:
        bound = pl.col("field").replace_strict(CATALOG_MAXIMA, default=None)
        value = pl.col("value")
        return data.lazyframe.select(bound.is_null() | value.is_null() | (value <= bound))

    @pa.dataframe_check(error=f"value: only {APPLICABLE_DIE_AREA} may be left empty")
    def value_given(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("value").is_not_null() | (pl.col("field") == APPLICABLE_DIE_AREA)
        )


class DatacenterDesignationModel(pa.DataFrameModel):
    """Whether a chip is designed or marketed for use in datacenters (Note 2 to 3A090), where the
    catalog's own name or datasheet link does not say it."""

    hardware_name: str = pa.Field(unique=True, description="Catalog chip")
    designed_or_marketed_for_datacenters: str = pa.Field(
        isin=DATACENTER_ANSWERS, description="yes or no"
    )
    source: str = pa.Field(description="Public source that says so")

    class Config:
        strict = True


class CatalogManufacturerModel(pa.DataFrameModel):
    """A manufacturer for a catalog chip that gives none, from a cited source (the catalog's
    empty manufacturer would otherwise count as the unknown remainder)."""

    hardware_name: str = pa.Field(unique=True, description="Catalog chip the manufacturer is for")
    manufacturer: str = pa.Field(description="Manufacturer, as the catalog writes others")
    source: str = pa.Field(description="Public source naming the manufacturer")

    class Config:
        strict = True


class AcceleratorAliasModel(pa.DataFrameModel):
    mlperf_accelerator: str = pa.Field(unique=True, description="Accelerator name in MLPerf")
    hardware_name: str = pa.Field(
        nullable=True, description="Catalog chip it is (empty: not in the catalog)"
    )
    manufacturer: str = pa.Field(
        nullable=True, description="Manufacturer, for names not in the catalog"
    )
    note: str = pa.Field(description="Why this alias holds")

    class Config:
        strict = True

    @pa.dataframe_check(error="hardware_name: give a catalog chip or a manufacturer")
    def chip_or_manufacturer(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("hardware_name").is_not_null() | pl.col("manufacturer").is_not_null()
        )
