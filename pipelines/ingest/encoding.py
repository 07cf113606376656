"""Which text encoding a seed or landing file is in: UTF-8 (with or without a BOM) or Latin-1.

Spreadsheets on Windows still save CSV as Latin-1 (cp1252's printable subset), so a file that is
not valid UTF-8 is read as Latin-1 rather than refused: every byte is a Latin-1 character, so
nothing is lost, and the most common accented letters (é, ü, ñ) come out right. The check streams
the file in 1 MB pieces, so a large landing file is never held in memory to decide.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8 = "utf-8"
LATIN1 = "latin-1"
CHUNK_BYTES = 1 << 20


def text_encoding(path: Path) -> str:
    """ "utf-8" when the whole file decodes as UTF-8 (a BOM is allowed), else "latin-1"."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return LATIN1
    return UTF8


def read_text(path: Path) -> str:
    """A small file's text: UTF-8 without its BOM, or Latin-1 when it is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode(LATIN1)


def utf8_bytes(path: Path) -> bytes:
    """A file's content as UTF-8 bytes (for readers that accept only UTF-8)."""
    return read_text(path).encode("utf-8")
