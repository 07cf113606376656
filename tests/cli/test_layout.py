"""Tables for people (pipelines/cli/layout.py) without a warehouse: they fit the width, wrap text,
never cut a number, and fall back to one block per record when a row cannot fit."""

import re

import polars as pl
import pytest

from pipelines.cli import layout
from pipelines.cli.common import render

LONG_TEXT = " ".join(["a description that goes on"] * 12)
FRAME = pl.DataFrame(
    {
        "table": ["analytics.platform_efficiency", "raw.vendors"],
        "version": [12, 3],
        "rows": [1_234_567, 4],
        "published_at_utc": ["2026-12-02 14:32:37", "2026-12-01 09:00:00"],
        "description": [LONG_TEXT, "AI chip vendors"],
    }
)


def whole(text: str, output: str) -> bool:
    """text appears in output with no letter, digit, dot or dash glued to either side."""
    return re.search(rf"(?<![\w.-]){re.escape(text)}(?![\w.-])", output) is not None


def widest_line(output: str) -> int:
    return max(len(line) for line in output.splitlines())


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_table_fits_the_width_with_every_header_and_number_whole(width):
    output = render(FRAME, "table", width=width)
    assert widest_line(output) <= width
    for header in FRAME.columns:
        assert whole(header, output), header
    for number in ("12", "3", "1234567", "4", "2026-12-02 14:32:37"):
        assert whole(number, output), number
    assert "…" not in output
    assert output.endswith("(2 rows)")


def test_long_text_wraps_inside_its_column_and_keeps_every_word():
    output = render(FRAME, "table", width=120)
    assert output.startswith("┌")  # a table, not records
    words = " ".join(
        line.split("│")[5].strip() for line in output.splitlines() if line.startswith("│")
    ).split()
    assert " ".join(words[1:]).startswith(LONG_TEXT)  # after the header


def test_a_row_that_cannot_fit_becomes_one_block_per_record():
    wide = pl.DataFrame({f"metric_number_{i}": [i * 1.5, 1 / (i + 3)] for i in range(8)})
    output = render(wide, "table", width=80)
    assert "-[ record 1 ]" in output and "-[ record 2 ]" in output
    assert widest_line(output) <= 80
    assert "metric_number_7 │ 10.5" in output
    assert whole(str(1 / 10), output)
    assert output.endswith("(2 rows)")


def test_piped_output_is_aligned_whole_and_wraps_only_long_text():
    output = render(FRAME, "table", width=None)
    lines = output.splitlines()[:-1]
    assert len({len(line) for line in lines}) == 1  # aligned
    assert widest_line(output) <= 40 + 7 + 7 + 19 + layout.PIPED_TEXT_WIDTH + 16
    assert whole("analytics.platform_efficiency", output) and whole("1234567", output)


def test_the_terminal_width_comes_from_columns_when_stdout_is_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(layout, "stdout_is_terminal", lambda: True)
    assert layout.terminal_width() == 80
    assert widest_line(render(FRAME, "table")) <= 80
    monkeypatch.setattr(layout, "stdout_is_terminal", lambda: False)
    assert layout.terminal_width() is None


def test_nulls_empty_frames_and_multiline_cells_render():
    frame = pl.DataFrame({"name": ["a\nb", None], "n": [None, 2]})
    output = render(frame, "table", width=80)
    assert whole("NULL", output) and "│ a    │" in output and "│ b    │" in output
    empty = render(frame.clear(), "table", width=5)
    assert whole("name", empty) and empty.endswith("(0 rows)")


def test_csv_and_json_are_unchanged_by_the_width():
    assert render(FRAME, "csv", width=20) == FRAME.write_csv()
    assert render(FRAME, "json", width=20) == FRAME.write_json() + "\n"
