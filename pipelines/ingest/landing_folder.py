"""What a folder of market files holds: files to read now, files still being written, and
entries that are not read at all, each said so rather than passed over in silence.

A landing file is taken only when it is finished: no process holds it open for writing
(pipelines/ingest/writers.py), and its size and times are the same after it was read and hashed
as when it was listed, so the hash recorded is the hash of the bytes read, and the file moved to
data/processed/ is those bytes. A file that is not finished stays in the landing folder, untouched
and not quarantined, for the next refresh.

Never read, never reported: names that start with a dot and names that end in `.partial`, the
two ways a writer can write under another name and rename the file when it is done. Reported and
never read: anything else that is not a regular .csv or .parquet file. A folder, a FIFO or a
socket is told apart by its mode, without opening it (opening a FIFO blocks until a writer comes).
"""

from __future__ import annotations

import hashlib
import os
import stat
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from models.validation import Problem, display_path
from pipelines.ingest.guards import escapes_folder, link_identity
from pipelines.ingest.landing import FORMATS, FileStamp, MarketFile
from pipelines.ingest.writers import open_for_writing

IN_PROGRESS_SUFFIX = ".partial"
STILL_WRITTEN = "still being written, left in landing for the next refresh"
OPEN_FOR_WRITING = f"open for writing by a process: {STILL_WRITTEN}"
CHANGED_WHILE_READ = f"changed while it was read: {STILL_WRITTEN}"


class LandingFolderError(Exception):
    """The landing folder's path names something that is not a folder."""


@dataclass
class Listing:
    files: list[MarketFile] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (name, why it waits)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (name, why it is not read)


_HASHES: dict[tuple[str, FileStamp], str] = {}


def sha256_of(path: Path) -> str:
    """Content hash, remembered per path and stamp so a sensor tick or a run that looks at the
    same large file twice reads it once."""
    key = (str(path.resolve()), FileStamp.of(path.stat()))
    if key not in _HASHES:
        _HASHES[key] = _hash_file(path)
    return _HASHES[key]


def forget_hashes() -> None:
    """Drop the remembered hashes (a benchmark timing a run as if in a fresh process)."""
    _HASHES.clear()


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def list_folder(folder: Path, origin: str, hasher: Executor | None = None) -> Listing:
    """The market files of a folder, oldest first (the order in which they replace figures).

    hasher: hash the files on that executor while the caller goes on (reading them, say),
    instead of before returning. A folder that does not exist holds no files; a path that is
    not a folder is an error, not an empty folder."""
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            raise LandingFolderError(
                f"The {origin} folder {display_path(folder)} is not a folder; market files are "
                f"read from a folder. Move that file away, or point SOVAI_LANDING_DIR at a folder."
            )
        return Listing()
    listing, found = Listing(), {}
    for path in folder.iterdir():
        if path.name.startswith(".") or path.name.endswith(IN_PROGRESS_SUFFIX):
            continue  # being written under another name; renamed when done
        why, status = _examine(path)
        if why:
            listing.ignored.append((path.name, why))
        else:
            found[path] = status
    outside = {path for path in found if escapes_folder(path)}
    busy = (
        set()
        if origin != "landing"
        else open_for_writing(
            {path: status for path, status in found.items() if path not in outside}
        )
    )
    listing.waiting = sorted((path.name, OPEN_FOR_WRITING) for path in busy)
    taken = sorted(set(found) - busy, key=lambda path: (found[path].st_mtime, path.name))
    # A link out of its folder is identified without reading its target (guards refuses it).
    listing.files = [
        MarketFile(path, link_identity(path), origin)
        if path in outside
        else MarketFile(path, _hash(path, hasher), origin, FileStamp.of(found[path]))
        for path in taken
    ]
    return listing


def _examine(path: Path) -> tuple[str | None, os.stat_result | None]:
    """Why an entry is not read (None for a market file), and its stat; never opens it."""
    try:
        status = path.stat()
    except OSError as error:
        broken = path.is_symlink()
        return ("a broken symbolic link" if broken else f"cannot be examined: {error}"), None
    if not stat.S_ISREG(status.st_mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(status.st_mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(status.st_mode)
            else "a socket"
            if stat.S_ISSOCK(status.st_mode)
            else "a device or other special file"
        )
        return f"{kind}, not a regular file; never opened", None
    if path.suffix.lower() not in FORMATS:
        return "not a .csv or .parquet file", None
    return None, status


def _hash(path: Path, hasher: Executor | None) -> str | Future[str]:
    if hasher is not None:
        return hasher.submit(sha256_of, path)
    try:
        return sha256_of(path)
    except OSError as error:  # the run refuses it with the cause (see hashed)
        failed: Future[str] = Future()
        failed.set_exception(error)
        return failed


def market_files(folder: Path, origin: str, hasher: Executor | None = None) -> list[MarketFile]:
    """The files of a folder to read now (see list_folder)."""
    return list_folder(folder, origin, hasher).files


def changed_since_listed(file: MarketFile) -> str | None:
    """Why a file read and hashed must be left (it changed meanwhile), or None; waits for the
    hashing thread, whose read counts too."""
    if isinstance(file.content_hash, Future):
        wait([file.content_hash])
    if file.stamp is None:
        return None
    try:
        now = FileStamp.of(file.path.stat())
    except OSError:
        return "disappeared while it was read"
    if now == file.stamp:
        return None
    return CHANGED_WHILE_READ if file.origin == "landing" else "changed while it was read"


def hashed(file: MarketFile) -> tuple[MarketFile, Problem | None]:
    """The file with its hash; one that could not be hashed (not readable) gets a stand-in
    identity from its name and stamp, and the problem that refuses it."""
    digest = file.content_hash
    if not isinstance(digest, Future) or digest.exception() is None:
        return file, None
    error = digest.exception()
    stand_in = hashlib.sha256(f"unreadable:{file.path.name}:{file.stamp}".encode()).hexdigest()
    rule = f"could not be read: {error}"
    return replace(file, content_hash=stand_in), Problem(
        display_path(file.path), "whole file", "-", rule
    )


def unfinished(files: list[MarketFile]) -> dict[Path, str]:
    """Of files read earlier, those opened for writing or changed since they were listed: a
    last look before they are moved."""
    current: dict[Path, os.stat_result] = {}
    changed: dict[Path, str] = {}
    for file in files:
        if file.stamp is None:  # a link out of the folder: moved unread, never opened
            continue
        try:
            current[file.path] = file.path.stat()
        except OSError:
            changed[file.path] = "disappeared before it could be moved"
            continue
        if FileStamp.of(current[file.path]) != file.stamp:
            changed[file.path] = "changed after it was read"
    for path in open_for_writing(current):
        changed.setdefault(path, "opened for writing after it was read")
    return changed
