"""Code versions from file contents, so Dagster shows when an asset's logic changed."""

from __future__ import annotations

import hashlib
from pathlib import Path


def code_version_of(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
