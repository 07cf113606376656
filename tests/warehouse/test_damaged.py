"""A damaged warehouse file is detected, reported, never written over, and restorable.

Documented recovery (docs/reliability.md): every publish keeps the version it replaces as
warehouse.duckdb.previous; `sovai restore` puts it back and keeps the damaged file, renamed.
"""

import hashlib
import os
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.warehouse.connection import WarehouseDamagedError, previous_copy, read_only
from pipelines.warehouse.integrity import NothingToRestoreError, restore, verify
from pipelines.warehouse.publish import TableToPublish, publish

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scribble_header(path: Path) -> None:
    """Overwrite the file's first blocks, as a disk fault or a stray write would."""
    with open(path, "r+b") as handle:
        handle.write(b"\xde\xad\xbe\xef" * 4096)


def publish_scores(warehouse: Path, values: list[float], run_id: str) -> None:
    frame = pl.DataFrame({"name": [f"n{i}" for i in range(len(values))], "score": values})
    table = TableToPublish(name="scores", schema="analytics", description="test", frame=frame)
    publish(warehouse, [table], run_id=run_id, code_version="test")


def test_every_publish_keeps_the_version_it_replaces_as_the_previous_copy(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    publish_scores(warehouse, [1.0], "run-1")
    assert not previous_copy(warehouse).exists()
    publish_scores(warehouse, [2.0, 3.0], "run-2")
    with duckdb.connect(str(previous_copy(warehouse)), read_only=True) as con:
        assert con.execute("select score from analytics.scores").fetchall() == [(1.0,)]


@pytest.mark.parametrize("damage", ["scribbled header", "cut short"])
def test_a_damaged_file_is_detected_and_a_publish_refuses_to_build_on_it(tmp_path, damage):
    warehouse = tmp_path / "warehouse.duckdb"
    publish_scores(warehouse, [1.0], "run-1")
    publish_scores(warehouse, [2.0], "run-2")
    if damage == "cut short":  # a copy that stopped early
        with open(warehouse, "r+b") as handle:
            handle.truncate(16 * 1024)
    else:
        scribble_header(warehouse)
    damaged = sha256(warehouse)

    with pytest.raises(WarehouseDamagedError, match="damaged.*sovai restore"):
        verify(warehouse)
    with pytest.raises(WarehouseDamagedError), read_only(warehouse):
        pass
    with pytest.raises(WarehouseDamagedError, match="Nothing was changed"):
        publish_scores(warehouse, [3.0], "run-3")
    assert sha256(warehouse) == damaged, "a damaged file is never written over"


def test_restore_puts_the_previous_copy_back_and_keeps_the_damaged_file(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    publish_scores(warehouse, [1.0], "run-1")
    publish_scores(warehouse, [2.0], "run-2")
    scribble_header(warehouse)
    damaged = sha256(warehouse)

    kept = restore(warehouse)

    assert kept is not None and kept.name.startswith("warehouse.duckdb.damaged-")
    assert sha256(kept) == damaged
    with read_only(warehouse) as con:
        assert con.execute("select score from analytics.scores").fetchall() == [(1.0,)]
    publish_scores(warehouse, [4.0], "run-3")  # and publishing goes on from there
    with read_only(warehouse) as con:
        assert con.execute("select max(version) from meta.table_versions").fetchall() == [(2,)]


def test_restore_refuses_to_roll_back_a_warehouse_that_reads_fine(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    publish_scores(warehouse, [1.0], "run-1")
    publish_scores(warehouse, [2.0], "run-2")
    with pytest.raises(NothingToRestoreError, match="reads fine"):
        restore(warehouse)
    assert restore(warehouse, force=True) is not None


def sovai(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SOVAI), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SOVAI_EXPECTATIONS": "off", **env},
        cwd=PROJECT_ROOT,
    )


def test_sovai_reports_a_damaged_warehouse_and_restore_then_run_recover_it(sovai_built, tmp_path):
    env = sovai_built.copy_to(tmp_path)  # a build, its previous version and its run history
    warehouse = Path(env["SOVAI_WAREHOUSE"])
    scribble_header(warehouse)
    damaged = sha256(warehouse)

    for command in (["run"], ["sql", "select 1"], ["tables"], ["refresh"]):
        result = sovai(*command, env=env)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert "is damaged and cannot be read" in result.stderr, (command, result.stderr)
        assert "`sovai restore`" in result.stderr
    assert sha256(warehouse) == damaged

    restored = sovai("restore", env=env)
    assert restored.returncode == 0, restored.stderr
    (kept,) = warehouse.parent.glob("warehouse.duckdb.damaged-*")
    assert sha256(kept) == damaged
    rerun = sovai("run", env=env)
    assert rerun.returncode == 0, rerun.stderr
    with read_only(warehouse) as con:
        gaps = con.execute(
            "select table_name from meta.table_versions group by table_name "
            "having max(version) <> count(*)"
        ).fetchall()
        tco = con.execute("select count(*) from analytics.platform_efficiency").fetchall()
    assert gaps == [] and tco == [(3,)]
