"""A text entry written into a PNG reads back, and nothing is read from what is not a whole PNG."""

import io

import pytest

from pipelines.reports import charts, png_text


@pytest.fixture(scope="module")
def png() -> bytes:
    import polars as pl

    frame = pl.DataFrame({"label": ["a", "b"], "value": [1.0, 2.0]})
    return charts.png(charts.ranked_bars_figure(frame, "label", "value", "t", "u"))


def test_a_text_entry_reads_back_and_the_image_is_unchanged(png):
    stamped = png_text.with_text(png, "sovai:drawn-from", "abc123")
    assert png_text.text_of(stamped, "sovai:drawn-from") == "abc123"
    assert png_text.text_of(stamped, "another") is None
    assert png_text.text_of(png, "sovai:drawn-from") is None
    # the chunk is inserted whole: the rest of the file is the original, byte for byte
    assert stamped.replace(stamped[33 : 33 + len(stamped) - len(png)], b"", 1) == png

    from matplotlib import image

    assert image.imread(io.BytesIO(stamped)).shape == image.imread(io.BytesIO(png)).shape


def test_no_text_is_read_from_a_cut_file_or_another_format(png):
    stamped = png_text.with_text(png, "k", "v")
    assert png_text.text_of(stamped[:40], "k") is None  # cut inside the text chunk
    assert png_text.text_of(b"GIF89a" + stamped[8:], "k") is None
    with pytest.raises(ValueError, match="not a PNG"):
        png_text.with_text(b"<svg/>", "k", "v")
