"""Dagster's check of its storage's schema, with the migration scripts read once per process.

Each time Dagster opens one of its databases (the run, schedule and event-log storages, and in
the embedded instance every run's own event-log file) it compares the revision the database was
migrated to with the newest of its migration scripts (dagster._core.storage.sql's
check_alembic_revision). It finds that newest revision by building alembic's ScriptDirectory anew,
which reads and compiles every script: about 24 ms, some 15 times in a `sovai run` that rebuilds
a table, and again in every run worker, the webserver and the daemon (docs/benchmarks.md, "What
each `sovai` process pays"). The scripts are files installed with Dagster; they do not change
while a process runs, so the first ScriptDirectory for a folder of scripts is kept. The database's
own revision is still read every time, so a database an older Dagster made is still caught.

Both instances' storages (pipelines/instance.py, pipelines/postgres_storage.py) import this.
"""

from __future__ import annotations

import dagster._core.storage.sql as dagster_sql
from alembic.config import Config
from alembic.script import ScriptDirectory

_kept: dict[str | None, ScriptDirectory] = {}  # by folder of scripts (the same for every storage)


class ScriptsReadOnce:
    """What check_alembic_revision asks of ScriptDirectory (from_config), from a kept copy; it
    calls this under its own lock."""

    @staticmethod
    def from_config(config: Config) -> ScriptDirectory:
        location = config.get_main_option("script_location")
        if location not in _kept:
            _kept[location] = ScriptDirectory.from_config(config)
        return _kept[location]


dagster_sql.ScriptDirectory = ScriptsReadOnce  # type: ignore[attr-defined,misc]
