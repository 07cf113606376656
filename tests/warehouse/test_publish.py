"""Versioned publishing: new versions only on change, as_of, comments, and the file format."""

import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.warehouse.history import PublishError
from pipelines.warehouse.publish import TableToPublish, publish


def table(frame: pl.DataFrame, name: str = "scores") -> TableToPublish:
    return TableToPublish(
        name=name,
        schema="analytics",
        description="Test scores",
        column_comments={"score": "A score [points]"},
        frame=frame,
    )


def query(path: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


FIRST = pl.DataFrame({"name": ["a", "b"], "score": [1.0, 2.0]})
SECOND = pl.DataFrame({"name": ["a", "b", "c"], "score": [1.0, 2.5, 3.0]})


def test_first_publish_creates_history_view_and_version_log(warehouse):
    (outcome,) = publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    assert (outcome.version, outcome.published, outcome.row_count) == (1, True, 2)
    assert query(warehouse, "select * from analytics.scores order by name") == [
        ("a", 1.0),
        ("b", 2.0),
    ]
    assert query(warehouse, "select distinct _version, _run_id from history.scores") == [
        (1, "run-1")
    ]
    assert query(
        warehouse, "select table_name, version, run_id, row_count from meta.table_versions"
    ) == [("scores", 1, "run-1", 2)]


# Publishes under a file-size limit (RLIMIT_FSIZE; writes past it fail with EFBIG, as on a full
# disk): argv[1] the warehouse, argv[2] the limit, argv[3] "same" or "changed" rows.
PUBLISH_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
import polars as pl
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.publish import TableToPublish, publish

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
rows = pl.int_range(200_000, eager=True)
scores = rows * 0.5 if sys.argv[3] == "same" else rows * 0.25
frame = pl.DataFrame({"n": rows, "score": scores})
table = TableToPublish(name="scores", schema="analytics", description="t", frame=frame)
try:
    (outcome,) = publish(Path(sys.argv[1]), [table], run_id="again", code_version="c1")
except PublishError as error:
    print("refused:", error)
    sys.exit(3)
print("version", outcome.version, "published", outcome.published, "rows", outcome.row_count)
"""


def test_a_publish_that_changes_nothing_writes_nothing_even_on_a_full_disk(warehouse):
    """Unchanged tables are found unchanged on the live file, read-only: no working copy of the
    whole warehouse is written (and removed) for them, so a run that changes nothing costs the
    same whatever the warehouse's size, and works on a full disk."""
    rows = pl.int_range(200_000, eager=True)
    frame = pl.DataFrame({"n": rows, "score": rows * 0.5})
    publish(warehouse, [table(frame)], run_id="run-1", code_version="c1")
    before = warehouse.stat()
    limit = str(before.st_size // 2)  # a copy of the warehouse cannot be written

    def publish_again(rows: str) -> subprocess.CompletedProcess:
        script = PUBLISH_ON_A_FULL_DISK
        command = [sys.executable, "-c", script, str(warehouse), limit, rows]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    same = publish_again("same")
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.strip() == "version 1 published False rows 200000"
    after = warehouse.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    changed = publish_again("changed")  # a change still needs the copy, and says so
    assert changed.returncode == 3, changed.stdout + changed.stderr
    assert "The warehouse keeps its previous version" in changed.stdout
    assert query(warehouse, "select max(version) from meta.table_versions") == [(1,)]
    assert not list(warehouse.parent.glob("*.publishing*"))


def test_sql_that_a_read_only_session_refuses_is_still_published_through_the_copy(
    warehouse, tmp_path
):
    """The unchanged check runs in a sealed read-only session, which may not read files; SQL that
    does is left to the working copy, as before, instead of failing the publish."""
    scores = tmp_path / "scores.csv"
    scores.write_text("name,score\na,1.0\n")
    from_file = TableToPublish(
        name="from_file",
        schema="analytics",
        description="t",
        sql=f"select * from read_csv('{scores}')",
    )
    for run in ("run-1", "run-2"):
        (outcome,) = publish(warehouse, [from_file], run_id=run, code_version="c1")
        assert outcome.version == 1
    assert query(warehouse, "select * from analytics.from_file") == [("a", 1.0)]


def test_an_unchanged_result_publishes_no_new_version(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    reordered = FIRST.reverse()
    (outcome,) = publish(warehouse, [table(reordered)], run_id="run-2", code_version="c1")
    assert (outcome.version, outcome.published) == (1, False)
    assert query(warehouse, "select count(*) from meta.table_versions") == [(1,)]
    assert query(warehouse, "select count(*) from history.scores") == [(2,)]


def test_a_change_publishes_version_2_and_as_of_still_returns_version_1(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    between = datetime.now(UTC)
    time.sleep(0.01)
    (outcome,) = publish(warehouse, [table(SECOND)], run_id="run-2", code_version="c1")
    assert (outcome.version, outcome.published) == (2, True)
    assert query(warehouse, "select count(*) from analytics.scores") == [(3,)]
    assert query(
        warehouse, "select name, score from as_of('scores', ?) order by name", [between]
    ) == [("a", 1.0), ("b", 2.0)]
    assert query(warehouse, "select count(*) from as_of('scores', now())") == [(3,)]
    assert query(warehouse, "select version from meta.table_versions order by 1") == [(1,), (2,)]


def test_a_new_column_extends_history_and_the_view_shows_only_current_columns(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    wider = FIRST.with_columns(pl.lit("x").alias("grade"))
    publish(warehouse, [table(wider)], run_id="run-2", code_version="c2")
    assert query(warehouse, "select * from analytics.scores order by name")[0] == ("a", 1.0, "x")
    narrower = FIRST.select("name")
    publish(warehouse, [table(narrower)], run_id="run-3", code_version="c3")
    assert query(warehouse, "select * from analytics.scores order by name") == [("a",), ("b",)]


def test_a_changed_column_type_is_refused_and_the_previous_version_stays(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    as_text = FIRST.with_columns(pl.col("score").cast(pl.String))
    with pytest.raises(PublishError, match="changed type"):
        publish(warehouse, [table(as_text)], run_id="run-2", code_version="c1")
    assert query(warehouse, "select max(version) from meta.table_versions") == [(1,)]
    assert not list(warehouse.parent.glob("*.publishing*"))


def test_several_tables_publish_together_or_not_at_all(warehouse):
    publish(warehouse, [table(FIRST, "one"), table(FIRST, "two")], "run-1", "c1")
    bad = FIRST.with_columns(pl.col("score").cast(pl.String))
    with pytest.raises(PublishError):
        publish(warehouse, [table(SECOND, "one"), table(bad, "two")], "run-2", "c1")
    assert query(warehouse, "select count(*) from analytics.one") == [(2,)]


def test_tables_and_columns_carry_comments_with_units(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    comments = dict(
        query(
            warehouse,
            "select schema_name, comment from duckdb_columns() "
            "where table_name = 'scores' and column_name = 'score'",
        )
    )
    assert comments == {"analytics": "A score [points]", "history": "A score [points]"}
    (view_comment,) = query(
        warehouse, "select comment from duckdb_views() where view_name='scores'"
    )
    assert "Test scores" in view_comment[0]


def test_the_duckdb_shell_installed_with_the_project_opens_the_file(warehouse):
    publish(warehouse, [table(FIRST)], run_id="run-1", code_version="c1")
    shell = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "duckdb"
    result = subprocess.run(
        [str(shell), "-readonly", "-csv", str(warehouse)],
        input="select count(*) as n from analytics.scores;",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "2"]


def test_an_unwritable_folder_is_a_clear_error(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(PublishError, match="Cannot create the warehouse folder"):
        publish(blocked / "warehouse.duckdb", [table(FIRST)], run_id="run-1", code_version="c1")


def scoped(frame: pl.DataFrame, periods: list[str]) -> TableToPublish:
    return TableToPublish(
        name="shares",
        schema="analytics",
        description="Shares by period",
        frame=frame,
        incremental=True,
        scope_column="period",
        scope_values=periods,
    )


def shares(period: str, **by_vendor: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period": [period] * len(by_vendor),
            "vendor": list(by_vendor),
            "share": [*by_vendor.values()],
        }
    )


def test_an_incremental_publish_replaces_only_its_scope_and_stores_only_changes(warehouse):
    january, february = shares("2026-01-01", a=0.6, b=0.4), shares("2026-02-01", a=0.5, b=0.5)
    publish(
        warehouse, [scoped(pl.concat([january, february]), ["2026-01-01", "2026-02-01"])], "r1", "c"
    )
    revised = shares("2026-02-01", a=0.5, b=0.3, c=0.2)
    (outcome,) = publish(warehouse, [scoped(revised, ["2026-02-01"])], "r2", "c")
    assert (outcome.version, outcome.published, outcome.row_count) == (2, True, 5)
    assert query(warehouse, "select period, vendor, share from analytics.shares order by 1, 2") == [
        ("2026-01-01", "a", 0.6),
        ("2026-01-01", "b", 0.4),
        ("2026-02-01", "a", 0.5),
        ("2026-02-01", "b", 0.3),
        ("2026-02-01", "c", 0.2),
    ]
    # Version 2 stored only the two rows that changed; the unchanged (a, 0.5) row was kept.
    assert query(warehouse, "select count(*) from history.shares where _version = 2") == [(2,)]
    assert query(warehouse, "select count(*) from at_version('shares', 1)") == [(4,)]
    assert query(
        warehouse,
        "select share from at_version('shares', 1) where vendor = 'b' and period = '2026-02-01'",
    ) == [(0.5,)]


def test_an_incremental_publish_of_identical_rows_is_no_new_version(warehouse):
    january = shares("2026-01-01", a=0.6, b=0.4)
    publish(warehouse, [scoped(january, ["2026-01-01"])], "r1", "c")
    (outcome,) = publish(warehouse, [scoped(january.reverse(), ["2026-01-01"])], "r2", "c")
    assert (outcome.version, outcome.published) == (1, False)


def test_new_periods_go_straight_into_history_and_are_recognized_when_published_again(warehouse):
    """Rows of a scope with no current rows are appended without a comparison; they carry the
    same row hashes, so republishing them unchanged is no new version."""
    january, february = shares("2026-01-01", a=0.6, b=0.4), shares("2026-02-01", a=0.5, b=0.5)
    publish(warehouse, [scoped(january, ["2026-01-01"])], "r1", "c")
    (added,) = publish(warehouse, [scoped(february, ["2026-02-01"])], "r2", "c")
    assert (added.version, added.row_count) == (2, 4)
    assert added.preview.sort("vendor").rows() == february.rows()
    assert query(
        warehouse, "select _version, count(*) from history.shares group by 1 order by 1"
    ) == [
        (1, 2),
        (2, 2),
    ]
    (again,) = publish(warehouse, [scoped(february.reverse(), ["2026-02-01"])], "r3", "c")
    assert (again.version, again.published) == (2, False)


def test_an_incremental_publish_refuses_rows_outside_its_scope(warehouse):
    with pytest.raises(ValueError, match="outside the scope"):
        publish(warehouse, [scoped(shares("2026-03-01", a=1.0), ["2026-01-01"])], "r1", "c")


def ranged(frame: pl.DataFrame, first: date, last: date) -> TableToPublish:
    return TableToPublish(
        name="shares",
        schema="analytics",
        description="Shares by period",
        frame=frame.with_columns(pl.col("period").str.to_date()),
        incremental=True,
        scope_column="period",
        scope_range=(first, last),
    )


def test_a_range_scope_replaces_only_the_rows_between_its_ends(warehouse):
    """A range of periods as the scope, compared as dates."""
    both = pl.concat([shares("2026-01-01", a=0.6, b=0.4), shares("2026-02-01", a=0.5, b=0.5)])
    publish(warehouse, [ranged(both, date(2026, 1, 1), date(2026, 2, 1))], "r1", "c")
    revised = shares("2026-02-01", a=1.0)
    publish(warehouse, [ranged(revised, date(2026, 1, 15), date(2026, 2, 15))], "r2", "c")
    rows = query(
        warehouse, "select period::varchar, vendor, share from analytics.shares order by 1, 2"
    )
    assert rows == [("2026-01-01", "a", 0.6), ("2026-01-01", "b", 0.4), ("2026-02-01", "a", 1.0)]
    with pytest.raises(ValueError, match="outside the scope"):
        publish(warehouse, [ranged(revised, date(2026, 3, 1), date(2026, 3, 31))], "r3", "c")


def keyed(frame: pl.DataFrame, market: str) -> TableToPublish:
    return TableToPublish(
        name="shares",
        schema="analytics",
        description="Shares by period and market",
        frame=frame.with_columns(pl.lit(market).alias("market")),
        incremental=True,
        scope_keys=("period", "market"),
    )


def test_a_key_scope_replaces_only_the_groups_the_new_rows_give(warehouse):
    """A market file replaces the figures of the periods and markets it gives, nothing else;
    the replaced figures stay in history, and the same file again is no new version."""
    gpus = pl.concat([shares("2026-01-01", a=0.6, b=0.4), shares("2026-02-01", a=0.5, b=0.5)])
    publish(warehouse, [keyed(gpus, "gpus"), keyed(shares("2026-01-01", c=1.0), "cpus")], "r", "c")
    revision = shares("2026-02-01", a=0.9, b=0.1)
    (revised,) = publish(warehouse, [keyed(revision, "gpus")], "r2", "c")
    assert (revised.version, revised.published) == (3, True)
    rows = query(
        warehouse, "select period, market, vendor, share from analytics.shares order by all"
    )
    assert rows == [
        ("2026-01-01", "cpus", "c", 1.0),
        ("2026-01-01", "gpus", "a", 0.6),
        ("2026-01-01", "gpus", "b", 0.4),
        ("2026-02-01", "gpus", "a", 0.9),
        ("2026-02-01", "gpus", "b", 0.1),
    ]
    assert query(
        warehouse,
        "select vendor, share, _version, _retired_in from history.shares "
        "where period = '2026-02-01' order by _version, vendor",
    ) == [("a", 0.5, 1, 3), ("b", 0.5, 1, 3), ("a", 0.9, 3, None), ("b", 0.1, 3, None)]
    (again,) = publish(warehouse, [keyed(revision, "gpus")], "r3", "c")
    assert (again.version, again.published) == (3, False)
