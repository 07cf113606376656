"""Publishing survives a kill, a reader holding the file open, and a second writer."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.warehouse.publish import TableToPublish, publish

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PUBLISHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import polars as pl
    from pipelines.warehouse.publish import TableToPublish, publish

    warehouse, rows, run_id = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    frame = pl.select(
        pl.format("{}-{}", pl.lit(run_id), pl.int_range(rows)).alias("name"),
        (pl.int_range(rows) * 0.5).alias("score"),
    )
    table = TableToPublish(name="scores", schema="analytics", description="test", frame=frame)
    publish(warehouse, [table], run_id=run_id, code_version="test")
    """
)


def start_publisher(warehouse: Path, rows: int, run_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(warehouse), str(rows), run_id],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def publish_version_1(warehouse: Path) -> None:
    frame = pl.DataFrame({"name": ["a", "b"], "score": [1.0, 2.0]})
    table = TableToPublish(name="scores", schema="analytics", description="test", frame=frame)
    publish(warehouse, [table], run_id="run-1", code_version="test")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    publish_version_1(path)
    return path


def test_a_publish_killed_partway_leaves_version_1_whole_and_the_next_run_succeeds(warehouse):
    process = start_publisher(warehouse, rows=6_000_000, run_id="killed")
    deadline = time.monotonic() + 60
    while not list(warehouse.parent.glob("*.publishing")):
        assert process.poll() is None, f"publisher ended before the kill: {process.stderr.read()}"
        assert time.monotonic() < deadline, "the publisher never started writing its copy"
        time.sleep(0.01)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert query(warehouse, "select * from analytics.scores order by name") == [
        ("a", 1.0),
        ("b", 2.0),
    ]
    assert query(warehouse, "select version from meta.table_versions") == [(1,)]
    assert query(warehouse, "select count(*) from history.scores") == [(2,)]

    follow_up = start_publisher(warehouse, rows=10, run_id="after")
    assert follow_up.wait(timeout=120) == 0, follow_up.stderr.read()
    assert query(warehouse, "select max(version) from meta.table_versions") == [(2,)]
    assert query(warehouse, "select count(*) from analytics.scores") == [(10,)]
    assert not list(warehouse.parent.glob("*.publishing*")), "the stale copy was not removed"


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    def snapshot():
        rows = con.execute("select count(*), max(name) from analytics.scores").fetchall()[0]
        versions = con.execute("select max(version) from meta.table_versions").fetchall()[0][0]
        print(rows[0], rows[1], versions, flush=True)
    snapshot()
    sys.stdin.readline()
    snapshot()
    """
)


def test_a_reader_holding_the_warehouse_open_neither_blocks_nor_sees_a_mix(warehouse):
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().split() == ["2", "b", "1"]

    writer = start_publisher(warehouse, rows=1000, run_id="while-reading")
    assert writer.wait(timeout=120) == 0, writer.stderr.read()

    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().split() == ["2", "b", "1"]  # its session keeps version 1
    assert reader.wait(timeout=30) == 0, reader.stderr.read()
    assert query(warehouse, "select count(*) from analytics.scores") == [(1000,)]
    assert query(warehouse, "select max(version) from meta.table_versions") == [(2,)]


def test_two_runs_at_the_same_time_both_finish_with_consecutive_whole_versions(warehouse):
    first = start_publisher(warehouse, rows=200_000, run_id="first")
    second = start_publisher(warehouse, rows=100_000, run_id="second")
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second.wait(timeout=300) == 0, second.stderr.read()

    versions = query(
        warehouse, "select version, run_id, row_count from meta.table_versions order by version"
    )
    assert [version for version, _, _ in versions] == [1, 2, 3]
    assert {run_id for _, run_id, _ in versions[1:]} == {"first", "second"}
    for version, run_id, row_count in versions[1:]:
        rows = query(
            warehouse,
            f"select count(*), count(*) filter (where name like '{run_id}-%') "
            f"from history.scores where _version = {version}",
        )
        assert rows == [(row_count, row_count)], "a version mixes rows of two runs"
