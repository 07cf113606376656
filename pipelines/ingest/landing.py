"""Market files: share files and record files, from seeds/market_shares and the landing folder.

A file is told apart by its header: `period,market,region,vendor,share,source` is a share file;
`period,market,region,vendor,quantity[,unit][,source]` is a record file, whose shares are each
vendor's quantity over its period+market+region total. CSV or Parquet, same columns. Every file is
identified by the SHA-256 of its content, so a file already ingested is never ingested twice and a
changed file counts as new.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from models import market_records
from models.market_shares import DerivedShareModel, MarketShareModel, check_vendor_references
from models.validation import Problem, SeedFrame, SeedValidationError, display_path, validate_seed
from pipelines.ingest.encoding import text_encoding
from pipelines.ingest.guards import refuse_long_lines
from pipelines.ingest.readers import read_csv_seed

SHARE_COLUMNS = ["period", "market", "region", "vendor", "share", "source"]
FORMATS = {".csv": "csv", ".parquet": "parquet"}
MAX_REPORTED_ROWS = 200


class FileStamp(NamedTuple):
    """What changes when a file is written: compared before and after a file is read."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileStamp:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


@dataclass(frozen=True)
class MarketFile:
    path: Path
    content_hash: str | Future[str]  # a Future while another thread is still hashing the file
    origin: str  # "seeds" or "landing"
    stamp: FileStamp | None = None  # as the file was when listed, before it was read

    @property
    def sha256(self) -> str:
        """The content hash; waits for the hashing thread if it has not finished."""
        if isinstance(self.content_hash, Future):
            return self.content_hash.result()
        return self.content_hash

    @property
    def format(self) -> str:
        return FORMATS[self.path.suffix.lower()]


def header_of(file: MarketFile) -> list[str]:
    if file.format == "parquet":
        schema = pl.read_parquet_schema(file.path)
        nested = [f"{name!r} ({dtype})" for name, dtype in schema.items() if dtype.is_nested()]
        if nested:  # a cell of a market file is one value; a list would not cast
            raise SeedValidationError(
                [
                    Problem(
                        display_path(file.path),
                        "header",
                        "-",
                        f"column {', '.join(nested)} holds lists or structs; each cell of a "
                        "market file must be one value",
                    )
                ]
            )
        return list(schema)
    with open(file.path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = next(csv.reader(handle), [])
    return [name.strip() for name in first]


def file_kind(file: MarketFile) -> str:
    header = header_of(file)
    if header == SHARE_COLUMNS:
        return "shares"
    extra = [name for name in header if name not in market_records.OPTIONAL_COLUMNS]
    if extra == market_records.REQUIRED_COLUMNS and len(set(header)) == len(header):
        return "records"
    shown = ",".join(header) if header else "(no header)"
    if len(shown) > 200:  # a first line of 100 KiB is not worth repeating in full
        shown = shown[:197] + "..."
    raise SeedValidationError(
        [
            Problem(
                display_path(file.path),
                "header",
                "-",
                f"header {shown!r} is neither a share file ({','.join(SHARE_COLUMNS)}) nor a "
                "record file (period,market,region,vendor,quantity[,unit][,source])",
            )
        ]
    )


def shares_from_file(file: MarketFile, known_vendors: set[str]) -> pl.DataFrame:
    """Validated shares (the share-file contract) from a share or record file."""
    if file_kind(file) == "shares":
        seed = _share_seed(file)
        shares = validate_seed(seed, MarketShareModel)
        problems = check_vendor_references(seed, known_vendors)
    else:
        shares = _shares_from_records(file)
        problems = check_vendor_references(_located_groups(file, shares), known_vendors)
    if problems:
        raise SeedValidationError(problems)
    return shares


def _share_seed(file: MarketFile) -> SeedFrame:
    if file.format == "csv":
        refuse_long_lines(file.path)
        return read_csv_seed("market_shares", file.path)
    frame = pl.read_parquet(file.path)
    rows = [f"row {index + 1}" for index in range(frame.height)]
    return SeedFrame("market_shares", file.path, frame, rows)


def _scan(file: MarketFile) -> pl.LazyFrame:
    if file.format == "parquet":
        return pl.scan_parquet(file.path)
    return pl.scan_csv(file.path, infer_schema=False, encoding="utf8-lossy")


def _shares_from_records(file: MarketFile) -> pl.DataFrame:
    """One DuckDB pass: aggregate quantities per vendor and count rows that break a rule."""
    name = display_path(file.path)
    with_unit = "unit" in header_of(file)
    totals = _aggregate_records(file, with_unit)
    if market_records.group_rule_broken(totals) or totals.get_column("broken_rows").sum() > 0:
        raise SeedValidationError(
            _broken_record_rows(file)
            or [Problem(name, "whole file", "-", "rows break the record rules")]
        )
    if with_unit:
        _refuse(market_records.unit_problems(name, totals))
        totals = market_records.without_unit(totals)
    shares = market_records.shares_of(market_records.merge_padded_vendors(totals))
    _refuse(market_records.overflow_problems(name, shares))
    shares = shares.select(
        pl.exclude("group_total"), pl.lit(f"{file.path.name} (records)").alias("source")
    )
    seed = _located_groups(file, shares)
    if shares.get_column("share").null_count():
        _refuse(
            [
                Problem(*seed.where(index), "quantity", "the quantities of this group sum to 0")
                for index in shares.with_row_index().filter(pl.col("share").is_null())["index"]
            ][:MAX_REPORTED_ROWS]
        )
    return validate_seed(seed, DerivedShareModel)


def _refuse(problems: list[Problem]) -> None:
    """Stop with the problems of whole groups, if any (no share of them could be right)."""
    if problems:
        raise SeedValidationError(problems)


def _aggregate_records(file: MarketFile, with_unit: bool) -> pl.DataFrame:
    """CSV is first read with typed columns as UTF-8, as fast as a bare query; a value DuckDB
    cannot parse (or text that is not UTF-8) sends the file through the text reader, in the
    file's encoding, which counts every broken row instead of stopping."""
    con = duckdb.connect()
    try:
        if file.format == "parquet":
            sql = market_records.aggregation_sql("read_parquet(?)", with_unit=with_unit)
            return con.sql(sql, params=[str(file.path)]).pl()
        typed = market_records.aggregation_sql(
            market_records.typed_csv_reader(), typed=True, with_unit=with_unit
        )
        try:
            return con.sql(typed, params=[str(file.path)]).pl()
        except duckdb.Error:
            text = market_records.aggregation_sql(
                market_records.text_csv_reader(), with_unit=with_unit
            )
            params = [str(file.path), text_encoding(file.path)]
            return con.sql(text, params=params).pl()
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        problem = Problem(display_path(file.path), "whole file", "-", f"not readable: {first_line}")
        raise SeedValidationError([problem]) from None
    finally:
        con.close()


class _GroupLocations(Sequence[str]):
    """Derived share rows are located by their group, since each stands for many file rows;
    computed only for the rows a message names (a record file can give millions of groups)."""

    def __init__(self, shares: pl.DataFrame):
        self.keys = shares.select("period", "market", "region", "vendor")

    def __len__(self) -> int:
        return self.keys.height

    def __getitem__(self, index):  # type: ignore[override]
        period, market, region, vendor = self.keys.row(index)
        return f"records of {period} {market}/{region}/{vendor}"


def _located_groups(file: MarketFile, shares: pl.DataFrame) -> SeedFrame:
    return SeedFrame("market_shares", file.path, shares, _GroupLocations(shares))


def _broken_record_rows(file: MarketFile) -> list[Problem]:
    """The failure path: find the offending rows again, with their line numbers."""
    offset = 2 if file.format == "csv" else 1
    label = "line" if file.format == "csv" else "row"
    flags = [
        rule.is_broken.alias(f"_broken_{i}") for i, rule in enumerate(market_records.RECORD_RULES)
    ]
    broken = (
        _scan(file)
        .with_row_index("_position", offset=offset)
        .with_columns(flags)
        .filter(pl.any_horizontal([f"_broken_{i}" for i in range(len(flags))]))
        .head(MAX_REPORTED_ROWS)
        .collect()
    )
    problems = []
    for row in broken.iter_rows(named=True):
        for index, rule in enumerate(market_records.RECORD_RULES):
            if row[f"_broken_{index}"]:
                value = row.get(rule.column)
                problems.append(
                    Problem(
                        display_path(file.path),
                        f"{label} {row['_position']}",
                        rule.column,
                        rule.rule_for(None if value is None else str(value)),
                        None if value is None else str(value),
                    )
                )
    return problems
