"""Reading sessions kept open for a run: one DuckDB session per version of the warehouse file,
never a stale one after a publish, and nothing left open once the run ends."""

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.warehouse import connection
from pipelines.warehouse.connection import kept_open, read_only
from pipelines.warehouse.publish import TableToPublish, publish
from tests.conftest import run_with_upstream


def scores(values: list[float]) -> TableToPublish:
    return TableToPublish(
        name="scores",
        schema="analytics",
        description="Test scores",
        column_comments={"score": "A score [points]"},
        frame=pl.DataFrame({"name": [f"n{i}" for i in range(len(values))], "score": values}),
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    publish(path, [scores([1.0])], run_id="run-1", code_version="c1")
    return path


def total(warehouse: Path) -> float:
    with read_only(warehouse) as con:
        return con.execute("select sum(score) from analytics.scores").fetchone()[0]


def counted_opens(monkeypatch) -> list[Path]:
    """The warehouse files read_only() opens from now on (the kept sessions' included)."""
    opened: list[Path] = []
    real_open = connection._open
    monkeypatch.setattr(connection, "_open", lambda path: opened.append(path) or real_open(path))
    return opened


def test_reads_in_a_run_share_one_session_until_a_publish_replaces_the_file(warehouse, monkeypatch):
    opened = counted_opens(monkeypatch)
    with kept_open(warehouse):
        assert [total(warehouse) for _ in range(5)] == [1.0] * 5
        assert len(opened) == 1
        publish(warehouse, [scores([1.0, 2.0])], run_id="run-2", code_version="c1")
        assert total(warehouse) == 3.0  # the new file, not the session on the old one
        assert total(warehouse) == 3.0
        assert len(opened) == 2


def test_a_kept_session_is_sealed_like_any_other(warehouse, tmp_path):
    with kept_open(warehouse), read_only(warehouse) as con:
        with pytest.raises(duckdb.Error):
            con.execute(f"copy (select 1) to '{tmp_path / 'out.csv'}'")
        with pytest.raises(duckdb.Error):
            con.execute("create table analytics.other as select 1")
    assert not (tmp_path / "out.csv").exists()


def test_nothing_stays_open_after_the_run(warehouse):
    with kept_open(warehouse):
        total(warehouse)
    assert connection._sessions == {}
    # A client with another configuration can open the file: no session of ours holds it
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from analytics.scores").fetchone() == (1,)


def test_a_real_run_reads_through_one_session_per_version_and_leaves_none_open(
    tmp_path, seeds, monkeypatch
):
    opened = counted_opens(monkeypatch)
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    # three tables published, then read by their checks, by the next asset and by the chart
    chart = dg.AssetKey(["reports", "platform_efficiency_chart"])
    runs = run_with_upstream(warehouse, seeds, chart)
    assert runs.success
    # each new version is a new file: at most one session for each, whatever the reads
    published = sum(
        event.materialization.metadata.get("status") == dg.TextMetadataValue("new version")
        for event in runs.get_asset_materialization_events()
    )
    assert 0 < len(opened) <= published + 1, (len(opened), published)
    assert connection._sessions == {} and not connection._kept
