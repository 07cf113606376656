"""Which columns identify a row of each table, so a diff can tell a changed row from a new one.

Keys are declared, never guessed: `checks: keys:` in sql/<layer>/<name>.yml for SQL models (the
key the table checks hold it to), the pandera model's uniqueness for raw seed tables, and KEYS
beside the code of a table built in Python. A table with none of these has no key, and a diff of
it reports rows added and removed only.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.settings import get_settings


def declared_keys(view: str, sql_dir: Path | None = None) -> tuple[str, ...] | None:
    """The key columns of `schema.name`, or None when the table declares none."""
    schema, _, name = view.partition(".")
    doc_path = (sql_dir or get_settings().sql_dir) / schema / f"{name}.yml"
    if doc_path.is_file():
        doc = yaml.load(doc_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        keys = (doc.get("checks") or {}).get("keys")  # the key the table checks also hold it to
        if keys:
            return tuple(str(key) for key in keys)
    if schema == "raw":
        return _seed_model_keys(name)
    if view == "analytics.platform_efficiency":
        from pipelines.metrics.efficiency import KEYS

        return KEYS
    if view == "analytics.accelerator_matches":
        from pipelines.metrics.matching import KEYS

        return KEYS
    return None


def _seed_model_keys(name: str) -> tuple[str, ...] | None:
    """A raw table's key is what its pandera model requires to be unique (as its checks say)."""
    from pipelines.checks.contracts import model_keys
    from pipelines.ingest.seeds import RAW_TABLES

    if name not in RAW_TABLES:
        return None
    return model_keys(RAW_TABLES[name].model) or None
