"""The preview in each materialization fits the UI's pop-up: a wide table is shown on its side,
one line per column, so that no column is cut off."""

from datetime import date

import polars as pl

from pipelines.assets.reporting import (
    PREVIEW_COLUMNS,
    PREVIEW_WIDTH,
    RECORD_ROWS,
    markdown_preview,
)


def table_lines(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


def wide_frame(columns: int, rows: int = 10) -> pl.DataFrame:
    return pl.DataFrame(
        {f"column_{i:02d}": [i * 100 + r for r in range(rows)] for i in range(columns)}
    )


def test_a_narrow_table_keeps_its_rows_side_by_side():
    frame = pl.DataFrame(
        {
            "period": [date(2026, 1, 1), date(2026, 2, 1)],
            "vendor": ["nvidia", None],
            "share": [0.85, 0.1],
        }
    )
    lines = table_lines(markdown_preview(frame))
    assert lines[0] == ["period", "vendor", "share"]
    assert lines[2:] == [["2026-01-01", "nvidia", "0.85"], ["2026-02-01", "null", "0.1"]]


def test_a_wide_table_is_shown_one_line_per_column_so_every_column_shows():
    frame = wide_frame(22)
    markdown = markdown_preview(frame)
    assert markdown.startswith("All 22 columns, one per line, for the first 3 rows:")
    lines = table_lines(markdown)
    assert lines[0] == ["column", "row 1", "row 2", "row 3"]
    assert [line[0] for line in lines[2:]] == frame.columns  # every column, in order
    assert lines[2] == ["column_00", "0", "1", "2"]
    assert max(len(line) for line in lines) == RECORD_ROWS + 1 <= PREVIEW_COLUMNS


def test_no_preview_is_wider_than_the_pop_up_fits():
    for width in (1, PREVIEW_COLUMNS, PREVIEW_COLUMNS + 1, 48):
        lines = table_lines(markdown_preview(wide_frame(width)))
        assert max(len(line) for line in lines) <= PREVIEW_COLUMNS, width


def test_a_few_columns_of_long_values_are_turned_on_their_side_too():
    frame = pl.DataFrame(
        {
            "source": ["s" * 60] * 4,
            "file_name": ["n" * 60] * 4,
            "file_sha256": ["f" * 64] * 4,
            "share": [0.25] * 4,
        }
    )
    markdown = markdown_preview(frame)
    assert markdown.startswith("All 4 columns, one per line")
    for line in table_lines(markdown):
        assert sum(len(cell) + 3 for cell in line) <= PREVIEW_WIDTH, line


def test_cells_are_short_and_cannot_break_the_markdown_table():
    frame = pl.DataFrame(
        {
            "note": ["a | b\nc", "x" * 200],
            "sizes": [[1, 2, 3, 4, 5, 6], [7]],
            "tco_usd": [12_345_678.9, 0.000123456789],
            "ok": [True, False],
        }
    )
    lines = table_lines(markdown_preview(frame))
    assert [len(line) for line in lines] == [4, 4, 4, 4]  # the escaped pipe split no cell
    assert lines[2] == ["a \\| b c", "[1, 2, 3, 4, …]", "12,345,679", "true"]
    assert lines[3][0] == "x" * 47 + "…"
    assert lines[3][2] == "0.000123457"
