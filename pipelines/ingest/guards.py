"""What a market file must pass besides its contract: it lies in its folder, it holds data rows,
and its periods are within the bounds of seeds/assumptions.yaml.

A symbolic link out of the landing folder is refused without reading what it points at (a link
could otherwise pull any file the process can read into the warehouse); it is moved to quarantine
like any refused file, and its target is left alone.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import yaml

from models.market_periods import MAX_REPORTED_ROWS, PeriodBounds, period_bounds
from models.validation import Problem, SeedValidationError, display_path, parsed_date
from pipelines.ingest.encoding import read_text
from pipelines.ingest.seed_yaml import load_seed_yaml

if TYPE_CHECKING:
    from pipelines.ingest.landing import MarketFile


def escapes_folder(path: Path) -> bool:
    """A symbolic link whose target lies outside the folder the link is in."""
    return path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve())


def link_identity(path: Path) -> str:
    """Stands in for the content hash of a refused link, so its target is never read."""
    return hashlib.sha256(f"symlink:{os.readlink(path)}".encode()).hexdigest()


FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)  # never turned into a file's problem


def unreadable(file: MarketFile, error: BaseException) -> Problem:
    """Any other failure to read or validate one file (a half-uploaded Parquet file, a column of
    lists, a CSV line too long for the csv module, a panic in a Rust reader) refuses that file
    alone, with the cause in one line, instead of stopping the run for every file."""
    if isinstance(error, FATAL):
        raise error
    kind = type(error).__name__
    if kind in ("Error", "Exception"):  # e.g. _csv.Error: name the module too
        kind = f"{type(error).__module__.lstrip('_')}.{kind}"
    lines = str(error).strip().splitlines()
    cause = lines[0].strip() if lines else "no message"
    if len(cause) > 300:
        cause = cause[:297] + "..."
    rule = f"could not be read: {cause} ({kind})"
    return Problem(display_path(file.path), "whole file", "-", rule)


# A market file's header is a few dozen bytes; a first line longer than this is not a header (a
# file of one enormous line, say), and reading it as one would cost memory many times its size.
MAX_HEADER_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024  # a share row: a date, three keys, a number and a source note


def header_too_long(path: Path) -> bool:
    """Whether a CSV file's first line runs past MAX_HEADER_BYTES (read that far, no further)."""
    if path.suffix.lower() != ".csv":
        return False
    with open(path, "rb") as handle:
        start = handle.read(MAX_HEADER_BYTES + 1)
    return len(start) > MAX_HEADER_BYTES and b"\n" not in start


def first_overlong_line(path: Path, limit: int = MAX_LINE_BYTES) -> int | None:
    """The number of the first line longer than limit bytes, streaming (one chunk in memory)."""
    number, length = 1, 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                if length + end - start > limit:
                    return number
                number, length, start = number + 1, 0, end + 1
            length += len(chunk) - start
            if length > limit:
                return number
    return None


def refuse_long_lines(path: Path) -> None:
    """A share file is read whole by Polars, which holds a line many times over: refuse one with
    a line no share row needs (a few hundred bytes is usual) before it is read."""
    line = first_overlong_line(path)
    if line is not None:
        raise SeedValidationError(
            [
                Problem(
                    display_path(path),
                    f"line {line}",
                    "-",
                    f"the line is longer than {MAX_LINE_BYTES // 1024} KiB, more than any share "
                    "row needs; the file was not read",
                )
            ]
        )


def refuse_before_reading(file: MarketFile) -> None:
    """Refuse a link out of its folder (unread), an empty file (clearer than a header error) and
    a file whose first line is too long to be a header (before any reader holds it whole)."""
    if not escapes_folder(file.path) and file.path.stat().st_size == 0:
        raise SeedValidationError(
            [
                Problem(
                    display_path(file.path), "whole file", "-", "file is empty; a header is needed"
                )
            ]
        )
    if not escapes_folder(file.path) and header_too_long(file.path):
        raise SeedValidationError(
            [
                Problem(
                    display_path(file.path),
                    "line 1",
                    "-",
                    f"the first line is longer than {MAX_HEADER_BYTES // 1024} KiB, so it is not "
                    "a market file's header (period,market,region,vendor,...); nothing was read",
                )
            ]
        )
    if escapes_folder(file.path):
        raise SeedValidationError(
            [
                Problem(
                    display_path(file.path),
                    "whole file",
                    "-",
                    f"is a symbolic link to {os.readlink(file.path)}, outside "
                    f"{display_path(file.path.parent)}; links out of the folder are refused "
                    "(copy the file in instead)",
                )
            ]
        )


def check_landed(file: MarketFile, shares: pl.DataFrame, bounds: PeriodBounds | None) -> None:
    """Refuse a file that gave no rows, or whose periods are out of bounds (named by line)."""
    if shares.height == 0:
        raise SeedValidationError(
            [
                Problem(
                    display_path(file.path),
                    "whole file",
                    "-",
                    "the file has a header but no data rows; add rows or remove the file",
                )
            ]
        )
    if bounds is not None and shares.select(bounds.out_of_bounds().any()).item():
        raise SeedValidationError(_out_of_bounds_rows(file, bounds))


def _out_of_bounds_rows(file: MarketFile, bounds: PeriodBounds) -> list[Problem]:
    """The failure path: read the file again to name each offending line."""
    csv = file.format == "csv"
    scan = (
        pl.scan_csv(file.path, infer_schema=False, encoding="utf8-lossy")
        if csv
        else pl.scan_parquet(file.path)
    )
    period = parsed_date(pl.col("period").cast(pl.String).str.strip_chars())
    rows = (
        scan.select(period.alias("period"))
        .with_row_index("_position", offset=2 if csv else 1)
        .filter(bounds.out_of_bounds())
        .head(MAX_REPORTED_ROWS)
        .collect()
    )
    label = "line" if csv else "row"
    return [
        Problem(
            display_path(file.path),
            f"{label} {position}",
            "period",
            bounds.rule(value) or "",
            value.isoformat(),
        )
        for position, value in rows.iter_rows()
    ] or [Problem(display_path(file.path), "whole file", "period", "periods out of bounds")]


def seed_period_bounds(seeds_dir: Path) -> PeriodBounds | None:
    """Bounds straight from seeds/assumptions.yaml, for planning a run before it validates."""
    try:
        return period_bounds(load_seed_yaml(read_text(seeds_dir / "assumptions.yaml")))
    except (
        OSError,
        yaml.YAMLError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
    ):
        return None  # the run's validation reports the broken file
