"""Code versions from file contents, so Dagster shows when an asset's logic changed.

The one rule: every asset's code_version is code_version_of(the files that define what it
computes), a 12-hex-digit hash of their names and contents, never a hand-numbered literal. A SQL
asset hashes its .sql, .yml and included files; a Python asset its module and the modules that hold
its logic. Editing one of those files gives a new code version, which meta.table_versions records
and which makes an incremental table recompute in full once (pipelines/warehouse/changes.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def code_version_of(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
