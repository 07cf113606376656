"""The embedded Dagster instance: its SQLite storage, with the event log's connections kept open,
and the project's dagster.yaml for a Dagster home elsewhere.

Dagster's SQLite event log opens a new SQLAlchemy engine and SQLite connection for every event it
writes or reads, and closes it after: about 2 to 4 ms each on this machine against 0.4 ms for a
write on an open connection. A full `sovai run` writes about 1,100 events and makes about 3,400
such connections, so a third of its time went to opening and closing SQLite files
(docs/benchmarks.md, "Dagster's SQLite event log"). This storage is Dagster's own SQLite storage
(`storage: sqlite:`, the same files in the same folders, so an existing .dagster/ carries on)
whose event log keeps one engine per database file for the few files in use: the index shard and
the runs being written. Every write still commits on its own, as before, so what another process
reads (the UI following a run, the daemon's sensors) is unchanged.

deploy/dagster.yaml's PostgreSQL storage keeps its connections open too, for the same reason
(pipelines/postgres_storage.py).

dagster.yaml names this storage (`storage: custom:`). Its paths are relative to the project root,
where `sovai` and `make ui` run Dagster; home_config() gives the same instance with its folders in
another home (a test's, a benchmark's, a second checkout's).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as db
import yaml
from dagster import _check as check
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

import pipelines.storage_migrations  # noqa: F401  (Dagster reads its migration scripts once)
from pipelines.settings import PROJECT_ROOT

# Engines kept open: the index shard and the runs a process writes or follows at one time. A
# long-lived process (the webserver, the daemon) reads many runs; the least recently used
# engine is closed when a newer one would pass this.
OPEN_SHARDS = 8


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, with an engine (and its pooled connection) kept per
    shard instead of made and disposed for every statement."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            check.str_param(shard, "shard")
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():  # a forked child must not share the parent's files
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1,
                max_overflow=4,  # Dagster opens a second connection while creating a file
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
        self._engines[shard] = engine  # the most recently used last
        while len(self._engines) > OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def _close_engines(self) -> None:
        with self._db_lock:
            engines, self._engines = self._engines, OrderedDict()
        for engine in engines.values():
            engine.dispose()

    def wipe(self) -> None:
        self._close_engines()  # before the files go
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


class KeptOpenSqliteStorage(DagsterSqliteStorage):
    """`storage: sqlite:` with KeptOpenSqliteEventLogStorage as its event log: the same folders
    under base_dir (history/, history/runs/, schedules/)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self.base_dir = check.str_param(base_dir, "base_dir")
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = KeptOpenSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = check.opt_inst_param(inst_data, "inst_data", ConfigurableClassData)
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict):  # type: ignore[override]
        return cls.from_local(inst_data=inst_data, **config_value)


LOCAL_FOLDER = ".dagster"  # dagster.yaml's folders (run history, artifacts, logs) start here


def home_config(home: Path) -> str:
    """The project's dagster.yaml, with its local folders (.dagster/...) moved into home: the same
    storage, concurrency pools and settings for a Dagster home of its own."""

    def moved(value):
        if isinstance(value, dict):
            return {key: moved(item) for key, item in value.items()}
        if isinstance(value, str) and Path(value).parts[:1] == (LOCAL_FOLDER,):
            return str(home.joinpath(*Path(value).parts[1:]))
        return value

    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    return yaml.safe_dump(moved(config), sort_keys=False)
