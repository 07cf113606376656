"""Names for the files the ingest keeps in data/processed/ and data/quarantine/.

A landing file may have any name Linux allows (255 bytes), but its kept copy gets a prefix (the
content hash in processed/), a number (`.1`, `.2` when that name is taken) or a companion
(`NAME.errors.json` in quarantine/), which would push it past the limit and make every move fail,
run after run. So a name that would not fit is shortened: its start, a tag from the hash of the
whole name (two long names that share a start stay apart) and its extension. The original name is
never lost: the warehouse's file_name column and the .errors.json's "file" keep it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

NAME_MAX = 255  # bytes, on Linux's file systems; os.pathconf says when it can
LONGEST_EXTENSION = 16  # a longer "extension" is part of the name (a dot in a sentence)


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of folder (or its parent) allows."""
    for place in (folder, folder.parent):
        try:
            return int(os.pathconf(place, "PC_NAME_MAX"))
        except (OSError, ValueError):
            continue
    return NAME_MAX


def _length(name: str) -> int:
    return len(os.fsencode(name))


def _split(name: str) -> tuple[str, str]:
    stem, extension = os.path.splitext(name)
    if _length(extension) > LONGEST_EXTENSION:
        return name, ""
    return stem, extension


def stored_name(name: str, room: int, number: int = 0) -> str:
    """name, numbered `stem.N.ext` when number > 0, in at most room bytes.

    >>> stored_name("shares.csv", 255, 2)
    'shares.2.csv'
    """
    stem, extension = _split(name)
    mark = f".{number}" if number else ""
    whole = f"{stem}{mark}{extension}"
    if _length(whole) <= room:
        return whole
    tail = f"~{hashlib.sha256(os.fsencode(name)).hexdigest()[:12]}{mark}{extension}"
    keep = room - _length(tail)
    if keep < 1:
        raise ValueError(f"no name fits in {room} bytes")
    start, used = "", 0
    for character in stem:  # whole characters, never half of a UTF-8 sequence
        used += _length(character)
        if used > keep:
            break
        start += character
    return f"{start}{tail}"


def free_name(folder: Path, name: str, room: int, companion: str = "") -> Path:
    """The first of name, name.1, name.2, ... (each fitted into room bytes) that is taken in
    folder by neither a file nor, with companion, the file's companion (NAME + companion)."""
    number = 0
    while True:
        candidate = folder / stored_name(name, room, number)
        taken = candidate.exists() or candidate.is_symlink()
        if not taken and not (companion and (folder / (candidate.name + companion)).exists()):
            return candidate
        number += 1
