"""Running a pandera model over a seed and turning every failure into a message a person can act on.

Values arrive as text (CSV cells, YAML scalars). They are parsed here, column by column, so that a
cell that is not a number is reported with its row and column instead of failing the whole frame;
the typed frame then goes through the pandera model with lazy=True so one run lists every problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandera.polars as pa
import polars as pl


@dataclass(frozen=True)
class Problem:
    file: str
    row: str
    column: str
    rule: str
    value: str | None = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (found {self.value!r})"
        return f"{self.file}, {self.row}, column '{self.column}': {self.rule}{shown}"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "value": self.value,
        }


MAX_LISTED = 50

# The value a cross-row check's problem shows, by the check's error text: a function of the typed
# frame giving, per row, the figure the rule judged (e.g. the sum of a group's shares).
CrossRowValue = Callable[[pl.DataFrame], pl.Series]
CROSS_ROW_VALUES: dict[str, CrossRowValue] = {}


def shows_value(error: str) -> Callable[[CrossRowValue], CrossRowValue]:
    """Registers the value shown with problems of the cross-row check whose error text this is."""

    def register(function: CrossRowValue) -> CrossRowValue:
        CROSS_ROW_VALUES[error] = function
        return function

    return register


class SeedValidationError(Exception):
    """Raised with every problem found, so one run reports them all."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems[:MAX_LISTED])
        if count > MAX_LISTED:
            lines += f"\n  ... and {count - MAX_LISTED} more"
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the input data; "
            f"nothing was published:\n{lines}"
        )


def is_crash(error: BaseException) -> bool:
    """A BaseException that is neither an Exception nor a request to stop: a Rust panic inside
    polars (pyo3's PanicException), which `except Exception` does not catch."""
    return not isinstance(error, Exception | KeyboardInterrupt | SystemExit | GeneratorExit)


def crash_problem(file: str, error: BaseException) -> Problem:
    """A crash while reading or checking one file, as a problem naming that file."""
    lines = str(error).strip().splitlines()
    detail = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return Problem(
        file,
        "whole file",
        "-",
        f"checking this file crashed inside a library ({detail}); nothing of it was used. "
        "Something in the file triggers a bug in sovai or polars: look for an unusual value, "
        "and report the crash with the file",
    )


@contextmanager
def problems_collected(problems: list[Problem], file: str) -> Iterator[None]:
    """Adds a SeedValidationError's problems, or a crash naming the file, to problems; so one
    bad file is reported beside the others instead of stopping the whole check."""
    try:
        yield
    except SeedValidationError as error:
        problems.extend(error.problems)
    except BaseException as error:
        if not is_crash(error):
            raise
        problems.append(crash_problem(file, error))


@dataclass
class SeedFrame:
    """A seed's rows as text, with where each row came from (for messages)."""

    table: str
    file: Path
    frame: pl.DataFrame
    locations: Sequence[str] = field(default_factory=list)  # may be computed lazily
    row_files: list[Path] | None = None  # when rows of several files are checked together

    def where(self, index: int | None) -> tuple[str, str]:
        """(file, row) of a row index, for messages."""
        if index is None or not (0 <= index < len(self.locations)):
            return display_path(self.file), "whole file"
        file = self.row_files[index] if self.row_files else self.file
        return display_path(file), self.locations[index]

    @staticmethod
    def combine(table: str, folder: Path, seeds: Sequence[SeedFrame]) -> SeedFrame:
        """Check several files of one table as one, keeping each row's own file and line."""
        frames = [seed.frame for seed in seeds]
        return SeedFrame(
            table=table,
            file=folder,
            frame=pl.concat(frames, how="diagonal") if frames else pl.DataFrame(),
            locations=[location for seed in seeds for location in seed.locations],
            row_files=[seed.file for seed in seeds for _ in seed.locations],
        )


def rows_not_listed(seed: SeedFrame, hidden: int, column: str, rule: str) -> Problem:
    """The line closing a capped list of problems: how many more rows break the same rule."""
    return Problem(seed.where(None)[0], f"{hidden} more rows", column, rule)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate_seed(seed: SeedFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Parse and validate one seed; raise SeedValidationError listing each bad file/row/column."""
    typed, problems = parse_columns(seed, model)
    if problems:
        # Checks on half-parsed columns would only repeat these problems in worse words.
        raise SeedValidationError(problems)
    try:
        validated = model.validate(typed, lazy=True)
        return validated.select([name for name in model.to_schema().columns])
    except pa.errors.SchemaErrors as errors:
        unique_key = list(getattr(model.Config, "unique", None) or [])
        raise SeedValidationError(
            _problems_from_failures(seed, errors.failure_cases, unique_key, typed)
        ) from None


def parse_columns(
    seed: SeedFrame, model: type[pa.DataFrameModel]
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast text columns to the model's types, reporting each cell that does not parse."""
    schema = model.to_schema()
    problems: list[Problem] = []
    columns: list[pl.Series] = []
    for name in seed.frame.columns:
        raw = seed.frame.get_column(name)
        target = schema.columns[name].dtype.type if name in schema.columns else None
        if target is None or isinstance(target, pl.List) or raw.dtype == target:
            columns.append(raw)
            continue
        text = raw.cast(pl.String).str.strip_chars()
        text = pl.Series(name, [None if v in (None, "") else v for v in text.to_list()])
        parsed, rule = _parse(text, target)
        for index, (before, after) in enumerate(zip(text.to_list(), parsed.to_list(), strict=True)):
            if before is not None and (after is None or _not_finite(after)):
                problems.append(Problem(*seed.where(index), name, rule(before), before))
        columns.append(parsed)
    return pl.DataFrame(columns) if columns else seed.frame, problems


ISO_DATE_RULE = "must be an ISO date (YYYY-MM-DD)"
CALENDAR_DATE_RULE = (
    "not a real calendar date (YYYY-MM-DD with a month 01-12, a day that month has, "
    "and a year from 0001)"
)
ISO_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Whole numbers are read through a float: beyond 2**53 a float no longer holds every whole number,
# and no count, year or number of days in a seed comes near it.
MAX_EXACT_WHOLE = 2.0**53


def date_rule(text: str) -> str:
    """Why a date text was refused: it has the ISO shape but no such day exists (2000-13-45,
    2026-02-30, 0000-01-01), or it is not an ISO date at all."""
    return CALENDAR_DATE_RULE if ISO_DATE_SHAPE.match(text.strip()) else ISO_DATE_RULE


def parsed_date(text: pl.Expr) -> pl.Expr:
    """An ISO date, or null; a year before 0001 (which Polars parses) is null too, since Python
    and the warehouse's clients have no such date."""
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(parsed.dt.year() >= 1).then(parsed)


def _parse(text: pl.Series, target: pl.DataType) -> tuple[pl.Series, Callable[[str], str]]:
    """The parsed column (null where a cell does not parse) and the rule a refused cell broke."""
    value = pl.col(text.name)
    if target == pl.Date:
        return text.to_frame().select(parsed_date(value)).to_series(), date_rule
    if target.is_integer():
        as_float = value.cast(pl.Float64, strict=False)
        whole = as_float.is_finite() & (as_float == as_float.floor())
        exact = whole & (as_float.abs() <= MAX_EXACT_WHOLE)
        parsed = pl.when(exact).then(as_float).cast(target, strict=False)
        return text.to_frame().select(parsed).to_series(), lambda _: "must be a whole number"
    if target.is_float():
        return text.cast(target, strict=False), lambda _: "must be a finite number"
    return text.cast(target, strict=False), lambda _: f"must be of type {target}"


def _not_finite(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _problems_from_failures(
    seed: SeedFrame, failures: pl.DataFrame, unique_key: list[str], typed: pl.DataFrame
) -> list[Problem]:
    file = display_path(seed.file)
    problems: list[Problem] = []
    judged = {
        check: function(typed).to_list()
        for check, function in CROSS_ROW_VALUES.items()
        if check in set(failures.get_column("check").cast(pl.String).to_list())
    }
    for case in failures.iter_rows(named=True):
        check = str(case["check"])
        column = case["column"]
        value = None if case["failure_case"] is None else str(case["failure_case"])
        if check == "column_in_schema":
            problems.append(Problem(file, "header", value or "?", "column is not in the contract"))
        elif check == "column_in_dataframe":
            problems.append(Problem(file, "header", value or "?", "required column is missing"))
        elif check == "multiple_fields_uniqueness":
            index = case["index"]
            key_values = " / ".join(
                str(seed.frame.get_column(name)[index]) if index is not None else "?"
                for name in unique_key
            )
            rule = f"the combination {', '.join(unique_key)} must be unique (repeated key)"
            problems.append(Problem(*seed.where(index), ", ".join(unique_key), rule, key_values))
        elif case["schema_context"] == "DataFrameSchema" and ": " in check:
            # Cross-row checks put the column they are about before the first ': '.
            column, rule = check.split(": ", 1)
            index = case["index"]
            shown = judged.get(check)
            value = None if shown is None or index is None else _figure(shown[index])
            problems.append(Problem(*seed.where(index), column, rule, value))
        else:
            problems.append(
                Problem(*seed.where(case["index"]), str(column), _rule_text(check), value)
            )
    return problems


def _figure(value: object) -> str | None:
    """A judged figure as a person reads it: 1.1, not 1.1000000000000001."""
    if value is None:
        return None
    return f"{value:.10g}" if isinstance(value, float) else str(value)


_RULE_PATTERNS = [
    (r"^greater_than\((.*)\)$", "must be greater than {}"),
    (r"^greater_than_or_equal_to\((.*)\)$", "must be at least {}"),
    (r"^less_than\((.*)\)$", "must be less than {}"),
    (r"^less_than_or_equal_to\((.*)\)$", "must be at most {}"),
    (r"^in_range\((.*), (.*)\)$", "must be between {} and {}"),
    (r"^isin\(\[(.*)\]\)$", "must be one of {}"),
    (r"^notin\(\[(.*)\]\)$", "must not be {}"),
    (r"^str_matches\('(.*)'\)$", "must match the pattern {}"),
    (r"^dtype\('(.*)'\)$", "must be of type {}"),
]


def _rule_text(check: str) -> str:
    """pandera's check names in plain words: greater_than(0) becomes 'must be greater than 0'."""
    readable = {
        "not_nullable": "must not be empty",
        "field_uniqueness": "must be unique",
    }
    if check in readable:
        return readable[check]
    for pattern, template in _RULE_PATTERNS:
        match = re.match(pattern, check)
        if match:
            return template.format(*match.groups())
    return f"must satisfy {check}"
