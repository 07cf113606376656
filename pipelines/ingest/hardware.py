"""The external hardware sources listed in seeds/sources.yaml, read in their published formats.

Epoch AI's CSV has quoted notes over several lines, so rows are located by the file line they
start on (not by their index); MLPerf's JSON is a list of flat records, located by their number.
Every cell arrives as text and is parsed by models/validation.py, so empty cells are missing
values and a bad cell is reported with its file, line or record, and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from models.hardware import (
    EPOCH_COLUMNS,
    SOURCE_FORMATS,
    AcceleratorAliasModel,
    CatalogManufacturerModel,
    CatalogSupplementModel,
    DatacenterDesignationModel,
    HardwareCatalogModel,
    HardwareSourceModel,
)
from models.mlperf import (
    MLPERF_FIELDS,
    OPTIONAL_FIELDS,
    AcceleratorPowerOverrideModel,
    MlperfResultModel,
)
from models.policy import ExportControlClauseModel, ExportControlExclusionModel
from models.prices import PriceBasisModel
from models.validation import Problem, SeedFrame, SeedValidationError, display_path
from pipelines.ingest.readers import read_csv_seed, read_yaml_mapping, require, rows_to_seed
from pipelines.settings import env_path

# raw table each kind of source feeds
KIND_TABLES = {"hardware_catalog": "hardware_catalog", "benchmark_results": "mlperf_results"}


def read_sources(path: Path) -> list[SeedFrame]:
    """sources.yaml and every file it lists (an environment variable may replace a path)."""
    document = read_yaml_mapping(path)
    entries = require(document, "sources", list, path, "document")
    file_name = display_path(path)
    problems: list[Problem] = []
    rows: list[tuple[str, dict[str, Any]]] = []
    frames: list[SeedFrame] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"sources item {index}"
        if not isinstance(entry, dict):
            problems.append(Problem(file_name, where, "-", "must be a mapping"))
            continue
        kind, source_format = entry.get("kind"), entry.get("format")
        if kind not in SOURCE_FORMATS or kind in seen:
            rule = "each kind may be listed once" if kind in seen else "unknown kind"
            problems.append(Problem(file_name, where, "kind", f"{rule} ({', '.join(KIND_TABLES)})"))
            continue
        seen.add(kind)
        if source_format != SOURCE_FORMATS[kind]:
            rule = f"must be {SOURCE_FORMATS[kind]} for kind {kind}"
            problems.append(Problem(file_name, where, "format", rule, str(source_format)))
            continue
        env_var = entry.get("env_var")
        override = env_path(str(env_var)) if env_var else None
        file = override or path.parent / str(entry.get("path"))
        if not file.is_file():
            by = f" (set by {env_var})" if override else ""
            problems.append(Problem(file_name, where, "path", f"file not found{by}", str(file)))
            continue
        content = file.read_bytes()
        row = {
            **entry,
            # relative to the seeds folder unless an environment variable or an absolute path
            # named a file elsewhere, so moving or cloning the project does not make a new version
            "resolved_path": str(file.relative_to(path.parent))
            if not override and file.is_relative_to(path.parent)
            else str(file),
            "path_from": "environment" if override else "sources.yaml",
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        rows.append((where, row))
        try:
            frames.append(READERS[source_format](KIND_TABLES[kind], file, content))
        except SeedValidationError as error:
            problems.extend(error.problems)
    for kind in KIND_TABLES:
        if kind not in seen and not any(p.column == "kind" for p in problems):
            problems.append(Problem(file_name, "document", "sources", f"no source of kind {kind}"))
    if problems:
        raise SeedValidationError(problems)
    return [rows_to_seed("hardware_sources", path, rows, set()), *frames]


def read_epoch_csv(table: str, file: Path, content: bytes) -> SeedFrame:
    """Epoch AI's hardware CSV: the columns of EPOCH_COLUMNS, renamed; others are ignored."""
    name = display_path(file)
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise SeedValidationError([Problem(name, "whole file", "-", "file is empty")]) from None
    missing = [column for column in EPOCH_COLUMNS if column not in header]
    if missing:
        rule = "required column is missing (Epoch AI's published header)"
        raise SeedValidationError([Problem(name, "header", column, rule) for column in missing])
    positions = {EPOCH_COLUMNS[column]: header.index(column) for column in EPOCH_COLUMNS}
    values: dict[str, list[str | None]] = {column: [] for column in positions}
    locations: list[str] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) != len(header):
                    rule = f"has {len(record)} fields where the header has {len(header)}"
                    problems.append(Problem(name, f"line {start}", "-", rule))
                for column, position in positions.items():
                    cell = record[position].strip() if position < len(record) else ""
                    values[column].append(cell or None)
                locations.append(f"line {start}")
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(
            Problem(name, f"line {reader.line_num}", "-", f"not readable as CSV: {error}")
        )
    if problems:
        raise SeedValidationError(problems)
    frame = pl.DataFrame(values, schema={column: pl.String for column in values})
    return SeedFrame(table=table, file=file, frame=frame, locations=locations)


def read_mlperf_json(table: str, file: Path, content: bytes) -> SeedFrame:
    """MLCommons' summary_results.json: a list of flat records, fields of MLPERF_FIELDS."""
    name = display_path(file)
    try:
        records = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        row = f"line {error.lineno}" if isinstance(error, json.JSONDecodeError) else "whole file"
        raise SeedValidationError([Problem(name, row, "-", f"not valid JSON: {error}")]) from None
    if not isinstance(records, list):
        raise SeedValidationError([Problem(name, "whole file", "-", "must be a list of records")])
    problems: list[Problem] = []
    rows: dict[str, list[str | None]] = {column: [] for column in MLPERF_FIELDS.values()}
    locations: list[str] = []
    for index, record in enumerate(records, start=1):
        where = f"record {index}"
        if not isinstance(record, Mapping):
            problems.append(Problem(name, where, "-", "must be a JSON object"))
            continue
        for field, column in MLPERF_FIELDS.items():
            if field not in record and field not in OPTIONAL_FIELDS:
                problems.append(Problem(name, where, field, "required field is missing"))
            rows[column].append(_text(record.get(field)))
        locations.append(where)
    if problems:
        raise SeedValidationError(problems)
    frame = pl.DataFrame(rows, schema={column: pl.String for column in rows})
    return SeedFrame(table=table, file=file, frame=frame, locations=locations)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None if value is None else json.dumps(value)
    text = str(value).strip()
    return text or None


READERS: dict[str, Callable[[str, Path, bytes], SeedFrame]] = {
    "epoch_ml_hardware_csv": read_epoch_csv,
    "mlperf_inference_summary_json": read_mlperf_json,
}


# (raw table, model, description) of the hardware domain; the clauses come from policy/us.yaml.
HARDWARE_TABLES = [
    ("hardware_sources", HardwareSourceModel, "External sources and the files read"),
    ("hardware_catalog", HardwareCatalogModel, "Epoch AI's ML hardware table, as published"),
    (
        "hardware_catalog_supplements",
        CatalogSupplementModel,
        "Cited values for cells the hardware catalog leaves empty, and applicable die areas",
    ),
    (
        "hardware_datacenter_designation",
        DatacenterDesignationModel,
        "Whether a chip is designed or marketed for use in datacenters, with its source",
    ),
    (
        "hardware_catalog_manufacturers",
        CatalogManufacturerModel,
        "Cited manufacturers of catalog chips the catalog gives none",
    ),
    ("mlperf_results", MlperfResultModel, "MLPerf Inference results, as published"),
    ("accelerator_aliases", AcceleratorAliasModel, "MLPerf accelerator names to catalog chips"),
    (
        "accelerator_power_overrides",
        AcceleratorPowerOverrideModel,
        "Rated power of MLPerf accelerator variants whose power differs from the catalog's TDP",
    ),
    ("hardware_price_bases", PriceBasisModel, "What each catalog price is, with its source"),
    (
        "export_control_clauses",
        ExportControlClauseModel,
        "Export-control clauses the chip screening applies, with legal sources",
    ),
    (
        "export_control_exclusions",
        ExportControlExclusionModel,
        "Notes that take chips out of an export-control ECCN, with legal sources",
    ),
]

# (file in the seeds folder, reader) of the hardware domain; each file is required.
HARDWARE_SEEDS = [
    ("sources.yaml", read_sources),
    ("accelerator_aliases.csv", lambda p: [read_csv_seed("accelerator_aliases", p)]),
    (
        "hardware/catalog_supplements.csv",
        lambda p: [read_csv_seed("hardware_catalog_supplements", p)],
    ),
    (
        "hardware/catalog_manufacturers.csv",
        lambda p: [read_csv_seed("hardware_catalog_manufacturers", p)],
    ),
    (
        "hardware/accelerator_power_overrides.csv",
        lambda p: [read_csv_seed("accelerator_power_overrides", p)],
    ),
    ("hardware/price_bases.csv", lambda p: [read_csv_seed("hardware_price_bases", p)]),
    (
        "hardware/datacenter_designation.csv",
        lambda p: [read_csv_seed("hardware_datacenter_designation", p)],
    ),
]


def check_catalog_references(
    combined: Mapping[str, SeedFrame], validated: Mapping[str, pl.DataFrame]
) -> list[Problem]:
    """Aliases, supplements and designations must name chips that are in the catalog."""
    if "hardware_catalog" not in validated:
        return []
    chips = set(validated["hardware_catalog"].get_column("hardware_name").to_list())
    problems = []
    for table in (
        "accelerator_aliases",
        "hardware_catalog_supplements",
        "hardware_catalog_manufacturers",
        "hardware_datacenter_designation",
    ):
        if table not in combined or table not in validated:
            continue
        seed = combined[table]
        for index, chip in enumerate(seed.frame.get_column("hardware_name").to_list()):
            if chip is not None and chip.strip() not in chips:
                rule = "is not a hardware_name of the hardware catalog"
                problems.append(Problem(*seed.where(index), "hardware_name", rule, chip))
    return problems
