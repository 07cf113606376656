"""A text entry (a PNG tEXt chunk) written into and read back from PNG bytes.

A chart carries the fingerprint of what it was drawn from inside its own file, so a run can tell
that the file on disk is still right (pipelines/assets/reports.py) without Dagster's history:
the file is checked wherever it is, whatever instance wrote it.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEADER_END = len(SIGNATURE) + 8 + 13 + 4  # the signature, then IHDR: length, type, 13 bytes, CRC


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_text(png: bytes, keyword: str, text: str) -> bytes:
    """png with a tEXt chunk keyword=text right after its header (Latin-1, as PNG requires)."""
    if not png.startswith(SIGNATURE) or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    data = keyword.encode("latin-1") + b"\x00" + text.encode("latin-1")
    return png[:_HEADER_END] + _chunk(b"tEXt", data) + png[_HEADER_END:]


def text_of(png: bytes, keyword: str) -> str | None:
    """The text of png's first tEXt chunk named keyword; None when there is none, or when the
    bytes are not a whole PNG (a file cut short, another format)."""
    if not png.startswith(SIGNATURE):
        return None
    wanted = keyword.encode("latin-1") + b"\x00"
    offset = len(SIGNATURE)
    while offset + 12 <= len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        if len(data) < length:
            return None
        if kind == b"tEXt" and data.startswith(wanted):
            return data[len(wanted) :].decode("latin-1")
        if kind in (b"IDAT", b"IEND"):  # text chunks this module writes come before the image
            return None
        offset += 12 + length
    return None
