"""The production instance's storage (deploy/dagster.yaml): dagster-postgres's, with connections
kept open.

dagster-postgres connects for every statement (NullPool, so that idle processes hold none of a
shared server's connections), and every connection is a new server process that reads the
catalog afresh. A `sovai run` from nothing made the server spend as much CPU as the run itself
(docs/operations.md, "Connections to PostgreSQL", has the numbers). Here each process keeps one
connection per storage (runs, events, schedules) while it lives; more are opened only while its
threads overlap and are closed when returned. Tables, config (`postgres_url`, `postgres_db`,
...) and migrations are dagster-postgres's own, so `storage: postgres:` reads what this writes
and the other way round.
"""

from __future__ import annotations

import os
import weakref

from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import (
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
)

import pipelines.storage_migrations  # noqa: F401  (Dagster reads its migration scripts once)

# Connections a process keeps per PostgreSQL storage, and the most it opens besides while its
# threads (the daemon's, the webserver's) overlap; those extra ones are closed when returned.
KEPT_CONNECTIONS = 2
EXTRA_CONNECTIONS = 4


class PooledPostgresStorage(DagsterPostgresStorage):
    """`storage: postgres:` (the same tables, config and migrations) whose run, event and schedule
    storages keep a connection open instead of connecting for every statement."""

    def __init__(self, postgres_url: str, *args, **kwargs):
        super().__init__(postgres_url, *args, **kwargs)
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage._engine.dispose()
            storage._engine = create_pg_engine(
                postgres_url,
                getattr(storage, "_token_provider", None),
                isolation_level="AUTOCOMMIT",
                pool_size=KEPT_CONNECTIONS,
                max_overflow=EXTRA_CONNECTIONS,
                pool_pre_ping=True,  # a server restarted since: reconnect, do not fail the call
                pool_recycle=3600,
            )
        engines = weakref.WeakSet(
            storage._engine
            for storage in (self._run_storage, self._event_log_storage, self._schedule_storage)
        )
        # A forked child must not use (or close) the parent's sockets: it opens its own.
        os.register_at_fork(after_in_child=lambda: [e.dispose(close=False) for e in engines])

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # type: ignore[override]
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
