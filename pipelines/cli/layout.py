"""Tables for people: boxed rows that fit the terminal, without ever cutting a number.

On a terminal (width given) text columns wrap at spaces (a word longer than the column folds) so
the row fits; numbers, dates and other short values keep their whole width. When a row cannot fit
even so, each record is printed as a block of `column │ value` lines, as the duckdb shell's line
mode does. Piped output (no width) is the same boxed table at its natural width: aligned, nothing
wrapped or cut.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from dataclasses import dataclass

import polars as pl

# Text no wider than this (a timestamp, a key, a name) keeps its width like a number
SHORT_TEXT = 20
# A text column may be narrowed to its longest word, but not below this (nor above its width)
MIN_TEXT_WIDTH = 12
# A word longer than this may fold, so one long identifier does not force the vertical layout
LONGEST_UNBROKEN_WORD = 30
# Piped (no width to fit), long text wraps at this width so a line stays readable in a pager
PIPED_TEXT_WIDTH = 60


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def terminal_width() -> int | None:
    """The width to fit: the terminal's (COLUMNS first) when stdout is one, else None (no limit)."""
    if not stdout_is_terminal():
        return None
    return shutil.get_terminal_size().columns


def cell_text(value: object) -> str:
    return "NULL" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    header: str
    cells: list[str]
    numeric: bool
    text: bool  # may wrap (strings); anything else keeps its width

    @property
    def natural(self) -> int:
        return max([len(self.header), *(_longest_line(cell) for cell in self.cells)])

    @property
    def narrowest(self) -> int:
        """The least width this column may get: all of it unless it is text that can wrap."""
        if not self.text or self.natural <= SHORT_TEXT:
            return self.natural
        longest_word = max((len(word) for cell in self.cells for word in cell.split()), default=0)
        floor = max(MIN_TEXT_WIDTH, min(longest_word, LONGEST_UNBROKEN_WORD))
        return max(len(self.header), min(self.natural, floor))


def columns_of(frame: pl.DataFrame) -> list[Column]:
    return [
        Column(
            header=name,
            cells=[cell_text(value) for value in frame.get_column(name).to_list()],
            numeric=dtype.is_numeric(),
            text=dtype == pl.String or dtype.is_nested() or dtype == pl.Object,
        )
        for name, dtype in frame.schema.items()
    ]


def render_table(frame: pl.DataFrame, width: int | None = None) -> str:
    """The frame as a boxed table fitting width (None: no limit), then its row count."""
    columns = columns_of(frame)
    widths = fit_widths(columns, width)
    if widths is None and not frame.height:  # no record to show vertically: the header, whole
        widths = fit_widths(columns, None)
    body = vertical(columns, width) if widths is None else boxed(columns, widths)
    rows = f"({frame.height} row{'s' if frame.height != 1 else ''})"
    return body + "\n" + rows


def fit_widths(columns: list[Column], width: int | None) -> list[int] | None:
    """Each column's width so the table fits width; None if it cannot. Without a width, each
    column's natural width, long text wrapped at PIPED_TEXT_WIDTH."""
    natural = [column.natural for column in columns]
    least = [column.narrowest for column in columns]
    if width is None:
        return [min(n, max(PIPED_TEXT_WIDTH, m)) for n, m in zip(natural, least, strict=True)]
    if _table_width(natural) <= width:
        return natural
    spare = width - _table_width(least)
    if spare < 0:
        return None
    widths = list(least)
    # Share the spare width out, the columns that need least first, each at most its fair share
    wanting = sorted(range(len(columns)), key=lambda i: natural[i] - least[i])
    for position, index in enumerate(wanting):
        fair = spare // (len(wanting) - position)
        given = min(natural[index] - least[index], fair)
        widths[index] += given
        spare -= given
    return widths


def _table_width(widths: list[int]) -> int:
    return sum(widths) + 3 * len(widths) + 1  # "│ " before each, " │" after the last


def boxed(columns: list[Column], widths: list[int]) -> str:
    def rule(left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * (w + 2) for w in widths) + right

    def line(parts: list[list[str]], numeric: list[bool]) -> list[str]:
        height = max(len(part) for part in parts)
        out = []
        for i in range(height):
            cells = [
                _justify(part[i] if i < len(part) else "", w, right)
                for part, w, right in zip(parts, widths, numeric, strict=True)
            ]
            out.append("│ " + " │ ".join(cells) + " │")
        return out

    numeric = [column.numeric for column in columns]
    lines = [rule("┌", "┬", "┐")]
    lines += line([[column.header] for column in columns], numeric)
    lines.append(rule("├", "┼", "┤"))
    for row in range(len(columns[0].cells) if columns else 0):
        parts = [
            _wrapped(column.cells[row], w) if column.text else column.cells[row].splitlines()
            for column, w in zip(columns, widths, strict=True)
        ]
        lines += line(parts, numeric)
    lines.append(rule("└", "┴", "┘"))
    return "\n".join(lines)


def vertical(columns: list[Column], width: int | None) -> str:
    """One block per record: `column │ value` lines, values wrapped to the width left."""
    name_width = max(len(column.header) for column in columns)
    value_width = max((width or 0) - name_width - 3, MIN_TEXT_WIDTH)
    blocks = []
    for row in range(len(columns[0].cells)):
        lines = [f"-[ record {row + 1} ]".ljust(min(width or 40, 40), "-")]
        for column in columns:
            cell = column.cells[row]
            parts = _wrapped(cell, value_width) if column.text else cell.splitlines() or [""]
            lines.append(f"{column.header.ljust(name_width)} │ {parts[0]}".rstrip())
            lines += [f"{'':{name_width}} │ {part}".rstrip() for part in parts[1:]]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _wrapped(cell: str, width: int) -> list[str]:
    parts = []
    for paragraph in cell.splitlines() or [""]:
        parts += textwrap.wrap(paragraph, width, drop_whitespace=True) or [""]
    return parts


def _justify(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def _longest_line(cell: str) -> int:
    return max((len(line) for line in cell.splitlines()), default=0)
