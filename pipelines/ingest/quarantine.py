"""Refused market files: what waits in data/quarantine/, and how a person deals with it.

A refused landing file is moved, unchanged, to data/quarantine/ beside NAME.errors.json. It stays
*pending* there, and the landing check stays failed on every later run (`sovai refresh` exits 1),
until it is dealt with in one of two ways:
- fixed and landed again: once a landing file of the same name goes in, the refused one is
  superseded and moves to data/quarantine/resolved/;
- released on purpose (`sovai quarantine release NAME`): it moves to data/quarantine/released/.
Nothing is ever deleted: both folders keep the file and its report.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.names import free_name, name_max
from pipelines.settings import Settings

ERRORS_SUFFIX = ".errors.json"
RESOLVED = "resolved"
RELEASED = "released"


@dataclass(frozen=True)
class QuarantinedFile:
    path: Path  # the refused file, as moved into the quarantine folder
    errors: Path  # its report, NAME.errors.json
    original_name: str  # the name it had in the landing folder
    sha256: str | None
    problem_count: int

    @property
    def name(self) -> str:
        return self.path.name


def pending(settings: Settings) -> list[QuarantinedFile]:
    """Refused files not yet fixed or released, oldest first."""
    folder = settings.quarantine_dir
    if not folder.is_dir():
        return []
    found = [_read(errors) for errors in folder.glob(f"*{ERRORS_SUFFIX}") if errors.is_file()]
    return sorted(found, key=lambda item: (item.errors.stat().st_mtime_ns, item.name))


def _read(errors: Path) -> QuarantinedFile:
    path = errors.with_name(errors.name.removesuffix(ERRORS_SUFFIX))
    try:
        report = json.loads(errors.read_text(encoding="utf-8"))
        original, count = str(report.get("file", path.name)), len(report.get("problems", []))
        sha256 = report.get("sha256")
    except (OSError, ValueError, AttributeError):  # a report someone edited: still pending
        original, count, sha256 = path.name, 0, None
    return QuarantinedFile(path, errors, original, sha256, count)


def set_aside(item: QuarantinedFile, folder_name: str) -> Path:
    """Move a refused file and its report out of the pending list, into a subfolder; returns
    the file's new path (a numbered name if that folder has one of the same name already)."""
    folder = item.errors.parent / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    room = name_max(folder) - len(ERRORS_SUFFIX)
    target = free_name(folder, item.name, room, ERRORS_SUFFIX)
    if item.path.exists():
        shutil.move(str(item.path), str(target))
    shutil.move(str(item.errors), str(target.with_name(target.name + ERRORS_SUFFIX)))
    return target


def resolve_superseded(settings: Settings, accepted_names: set[str]) -> list[QuarantinedFile]:
    """Refused files whose fixed version (a landing file of the same name) just went in."""
    superseded = [item for item in pending(settings) if item.original_name in accepted_names]
    for item in superseded:
        set_aside(item, RESOLVED)
    return superseded


class NotQuarantinedError(LookupError):
    """The name given is not a pending refused file."""


def release(settings: Settings, names: list[str] | None) -> list[tuple[QuarantinedFile, Path]]:
    """Release refused files on purpose (every pending one with names=None)."""
    waiting = pending(settings)
    if names is None:
        chosen = waiting
    else:
        by_name = {item.name: item for item in waiting} | {
            item.original_name: item for item in waiting if item.original_name != item.name
        }
        unknown = [name for name in names if name not in by_name]
        if unknown:
            listed = ", ".join(item.name for item in waiting) or "none"
            raise NotQuarantinedError(
                f"Not a pending quarantined file: {', '.join(unknown)}. Pending: {listed}."
            )
        chosen = list(dict.fromkeys(by_name[name] for name in names))
    return [(item, set_aside(item, RELEASED)) for item in chosen]
