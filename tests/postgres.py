"""A real PostgreSQL server for the tests that need one: `postgres_url` (module-scoped) runs
initdb in a folder of its own, starts the server on a free loopback port as the `postgres` user
(the server refuses to run as root), creates a database, yields its URL, and stops the server
and removes the folder afterwards, also when the tests fail. Skips only where the PostgreSQL
server binaries are absent.

Use it by importing the fixture into a test module: `from tests.postgres import postgres_url`.
`deploy_home` and `dagster_url` set up the production instance (deploy/dagster.yaml) on it, and
`new_database` gives a test a database of its own on the module's server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

SERVER_USER = "postgres"
DATABASE = "dagster"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONFIG = PROJECT_ROOT / "deploy" / "dagster.yaml"


def deploy_home(folder: Path) -> Path:
    """A Dagster home holding deploy/dagster.yaml, its local folders (relative to the project root
    there) moved under folder so a test leaves nothing in the project."""
    home = folder / "deploy_home"
    home.mkdir(exist_ok=True)
    config = DEPLOY_CONFIG.read_text().replace("base_dir: .dagster", f"base_dir: {folder}/.dagster")
    (home / "dagster.yaml").write_text(config)
    return home


def dagster_url(url: str) -> str:
    """The URL for DAGSTER_POSTGRES_URL: dagster-postgres 0.29.27 sends `NOTIFY run_events,
    :notify_id`, which only psycopg2 (it fills parameters in on the client) accepts; SQLAlchemy
    2.1 picks psycopg 3 for a plain postgresql:// URL, and a run's first event fails with a
    syntax error. (The Makefile rewrites the URL the same way for `make ui`.)"""
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def new_database(url: str, name: str, template: str | None = None) -> str:
    """A new database on the server of url, empty or a copy of the database template (which
    nobody may be connected to); its URL."""
    server = url.rsplit("/", 1)[0]
    copy = f' template "{template}"' if template else ""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'create database "{name}"{copy}')
    return f"{server}/{name}"


def server_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: `pg_config --bindir`, else where PATH finds them."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        folder = Path(found.stdout.strip())
        if found.returncode == 0 and (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_server_user(*command: str | Path) -> list[str]:
    """Run as the postgres user when the tests run as root; as is otherwise."""
    args = [str(part) for part in command]
    return ["runuser", "-u", SERVER_USER, "--", *args] if os.geteuid() == 0 else args


def _run(*command: str | Path) -> None:
    result = subprocess.run(as_server_user(*command), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")


def _wait_until_ready(url: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


@contextmanager
def running_server() -> Iterator[str]:
    """A PostgreSQL server of its own (initdb in a new folder, a free loopback port, started as the
    `postgres` user) with an empty database DATABASE: its URL. Stopped and removed afterwards."""
    bindir = server_bindir()
    if bindir is None:
        raise FileNotFoundError(
            "no PostgreSQL server binaries: initdb and pg_ctl not in pg_config --bindir or PATH"
        )
    root = Path(tempfile.mkdtemp(prefix="sovai-pg-"))  # under /tmp, reachable by postgres
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_USER)
        shutil.chown(sockets, SERVER_USER)
    port = free_port()
    started = False
    try:
        _run(bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync")
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start")
        started = True
        server = f"postgresql://postgres@127.0.0.1:{port}"
        _wait_until_ready(f"{server}/postgres", log)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f"create database {DATABASE}")
        yield f"{server}/{DATABASE}"
    finally:
        if started:
            subprocess.run(
                as_server_user(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


def server_cpu_seconds(url: str) -> float:
    """CPU seconds the server of url has used: its postmaster's, and its ended backends' (the
    postmaster reaps them, so their time is in its children's)."""
    with psycopg.connect(url) as connection:
        data = connection.execute("show data_directory").fetchone()[0]
    pid = Path(data, "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if server_bindir() is None:
        pytest.skip(
            "no PostgreSQL server binaries: initdb and pg_ctl not in pg_config --bindir or PATH"
        )
    with running_server() as url:
        yield url
