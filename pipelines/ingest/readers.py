"""Turning CSV and YAML seed files into text frames that remember where each row came from."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from models.validation import Problem, SeedFrame, SeedValidationError, display_path
from pipelines.ingest.encoding import UTF8, read_text, text_encoding, utf8_bytes
from pipelines.ingest.seed_yaml import SeedYamlError, load_seed_yaml


def read_csv_seed(table: str, path: Path) -> SeedFrame:
    """All cells as text; row i of the frame is line i + 2 of the file (line 1 is the header).

    UTF-8 (a BOM is dropped) or, when the file is not UTF-8, Latin-1; CRLF line ends are fine."""
    source = path if text_encoding(path) == UTF8 else io.BytesIO(utf8_bytes(path))
    try:
        frame = pl.read_csv(source, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.NoDataError:
        raise SeedValidationError(
            [Problem(display_path(path), "whole file", "-", "file is empty; a header is needed")]
        ) from None
    except (pl.exceptions.ComputeError, OSError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise SeedValidationError(
            [Problem(display_path(path), "whole file", "-", f"not readable as CSV: {first_line}")]
        ) from None
    frame = frame.rename({name: name.strip().lstrip("\ufeff") for name in frame.columns})
    # Blank lines (often left at the end by editors) arrive as all-empty rows: drop them, but
    # keep every other row's line number.
    blank = frame.select(pl.all_horizontal(pl.all().is_null())).to_series() if frame.width else None
    locations = [f"line {index + 2}" for index in range(frame.height)]
    if blank is not None and blank.any():
        locations = [line for line, is_blank in zip(locations, blank, strict=True) if not is_blank]
        frame = frame.filter(~blank)
    if frame.height == 0:
        raise SeedValidationError(
            [
                Problem(
                    display_path(path),
                    "whole file",
                    "-",
                    "the file has a header but no data rows; add rows or remove the file",
                )
            ]
        )
    return SeedFrame(table=table, file=path, frame=frame, locations=locations)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML document that must be a mapping; syntax errors, repeated keys and aliases name their
    line (see pipelines.ingest.seed_yaml)."""
    try:
        document = load_seed_yaml(read_text(path))
    except SeedYamlError as error:
        raise SeedValidationError(
            [Problem(display_path(path), error.row, error.column, error.rule)]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        row = f"line {mark.line + 1}" if mark is not None else "whole file"
        raise SeedValidationError(
            [Problem(display_path(path), row, "-", f"not valid YAML: {error.problem}")]
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as error:
        raise SeedValidationError(
            [Problem(display_path(path), "whole file", "-", f"not readable as YAML: {error}")]
        ) from None
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise SeedValidationError(
            [Problem(display_path(path), "whole file", "-", f"must be a mapping, but is {kind}")]
        )
    return document


def require(document: Mapping[str, Any], key: str, kind: type, path: Path, where: str) -> Any:
    """A key that must be present with a given YAML kind (mapping or list)."""
    value = document.get(key)
    if not isinstance(value, kind):
        found = "missing" if value is None else f"a {type(value).__name__}"
        expected = {dict: "a mapping", list: "a list"}.get(kind, kind.__name__)
        raise SeedValidationError(
            [Problem(display_path(path), where, key, f"must be {expected}, but is {found}")]
        )
    return value


def rows_to_seed(
    table: str,
    path: Path,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    list_columns: set[str],
) -> SeedFrame:
    """(location, mapping) pairs to a text frame; list-valued columns stay lists."""
    located = list(rows)
    problems: list[Problem] = []
    names: list[str] = []
    for location, row in located:
        if not isinstance(row, Mapping):
            problems.append(Problem(display_path(path), location, "-", "must be a mapping"))
            continue
        for name in row:
            if not isinstance(name, str):  # `1:` or `true:` is a number or a boolean in YAML
                rule = "a key must be text; quote it"
                problems.append(Problem(display_path(path), location, str(name), rule))
        names.extend(name for name in row if name not in names and isinstance(name, str))
    if problems:
        raise SeedValidationError(problems)
    columns: list[pl.Series] = []
    for name in names:
        values = [row.get(name) for _, row in located]
        if name in list_columns:
            for (location, _), value in zip(located, values, strict=True):
                if value is not None and not isinstance(value, list):
                    problems.append(
                        Problem(display_path(path), location, name, "must be a list", str(value))
                    )
            cleaned = [
                [str(item) for item in value] if isinstance(value, list) else None
                for value in values
            ]
            columns.append(pl.Series(name, cleaned, dtype=pl.List(pl.String)))
        else:
            columns.append(
                pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
            )
    if problems:
        raise SeedValidationError(problems)
    frame = pl.DataFrame(columns) if columns else pl.DataFrame()
    return SeedFrame(
        table=table, file=path, frame=frame, locations=[location for location, _ in located]
    )
