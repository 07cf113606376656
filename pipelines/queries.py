"""The useful queries shipped as sql/queries/<name>.sql, each opening with a `-- description`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import get_settings


class UnknownQuery(LookupError):
    """No saved query by that name; the message lists the names there are."""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    sql: str


def queries_dir() -> Path:
    return get_settings().sql_dir / "queries"


def saved_queries(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query by name (the file name without .sql), sorted by name."""
    found = {}
    for path in sorted((folder or queries_dir()).glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        first_line = sql.lstrip().splitlines()[0] if sql.strip() else ""
        description = first_line[3:].strip() if first_line.startswith("-- ") else ""
        found[path.stem] = SavedQuery(path.stem, description, sql)
    return found


def saved_query(name: str, folder: Path | None = None) -> SavedQuery:
    """Looked up among the files, never opened by a path built from the name."""
    queries = saved_queries(folder)
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=2, cutoff=0.6)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise UnknownQuery(
        f"no saved query {name!r}.{hint} `sovai query` lists them all: "
        f"{', '.join(queries) or 'none yet'}."
    )
