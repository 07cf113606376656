"""Publishing a table scoped by its source's changes (the market tables): when its source has
nothing it has not read, the publish decides so on the live file, read-only, without copying it."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.warehouse.changes import ChangeScope
from pipelines.warehouse.publish import TableToPublish, publish

# The shares of the periods in scope, as the market models read theirs
SCOPED_SHARES = """
with scope as (
    select unnest(getvariable('scope_periods')) as period
),

source as (
    select * from raw.shares
    where period between coalesce(getvariable('period_start'), date '0001-01-01')
        and coalesce(getvariable('period_end'), date '9999-12-31')
        and (getvariable('scope_periods') is null or period in (select period from scope))
)
"""

TOTALS_SQL = (
    SCOPED_SHARES
    + """
select period, count(*) as vendors, sum(share) as total from source group by period
"""
)

ROOT = Path(__file__).resolve().parents[2]
PERIODS = 100
VENDORS = 2_000


def shares(bump_last_period: float = 0.0) -> pl.DataFrame:
    """PERIODS months of VENDORS vendors each: large enough that a copy of the warehouse is
    larger than the file-size limit the tests below set."""
    periods = pl.date_range(date(2010, 1, 1), date(2018, 4, 1), "1mo", eager=True)
    assert len(periods) == PERIODS
    frame = pl.DataFrame({"period": periods}).join(
        pl.DataFrame({"vendor": [f"v{n}" for n in range(VENDORS)]}), how="cross"
    )
    share = pl.when(pl.col("period") == periods[-1]).then(1.0 + bump_last_period).otherwise(1.0)
    return frame.with_columns((share / VENDORS).alias("share"))


def source(frame: pl.DataFrame) -> TableToPublish:
    """Like raw.market_shares: the periods the new rows give replace theirs, nothing else."""
    return TableToPublish(
        name="shares",
        schema="raw",
        description="Shares",
        frame=frame,
        incremental=True,
        scope_keys=("period",),
    )


def totals() -> TableToPublish:
    return TableToPublish(
        name="totals",
        schema="analytics",
        description="Total share by period",
        sql=TOTALS_SQL,
        incremental=True,
        changes=ChangeScope(source="raw_shares"),
    )


PUBLISH_TOTALS_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from pipelines.warehouse.history import PublishError
from pipelines.warehouse.publish import publish
from tests.warehouse.test_publish_changes import totals

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    (outcome,) = publish(Path(sys.argv[1]), [totals()], run_id="again", code_version=sys.argv[3])
except PublishError as error:
    print("refused:", error)
    sys.exit(3)
print("version", outcome.version, "published", outcome.published, outcome.recomputed.describe())
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    publish(path, [source(shares())], run_id="r1", code_version="c1")
    (first,) = publish(path, [totals()], run_id="r1", code_version="c1")
    assert (first.version, first.published, first.recorded_inputs) == (1, True, True)
    return path


def publish_totals_on_a_full_disk(warehouse: Path, code_version: str):
    limit = str(warehouse.stat().st_size // 2)  # a copy of the warehouse cannot be written
    command = [sys.executable, "-c", PUBLISH_TOTALS_ON_A_FULL_DISK, str(warehouse), limit]
    return subprocess.run(
        [*command, code_version], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_nothing_new_in_the_source_is_decided_without_a_copy_of_the_warehouse(warehouse):
    before = warehouse.stat()
    same = publish_totals_on_a_full_disk(warehouse, "c1")
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.startswith("version 1 published False"), same.stdout
    after = warehouse.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not list(warehouse.parent.glob("*.publishing*"))

    # A changed code version recomputes everything, on the working copy: on this full disk the
    # publish is refused and says so, so the run above really did skip the copy.
    recomputed = publish_totals_on_a_full_disk(warehouse, "c2")
    assert recomputed.returncode == 3, recomputed.stdout + recomputed.stderr
    assert "The warehouse keeps its previous version" in recomputed.stdout


def test_nothing_new_reports_the_current_version_with_its_columns_and_preview(warehouse):
    (again,) = publish(warehouse, [totals()], run_id="r2", code_version="c1")
    assert (again.version, again.published, again.row_count) == (1, False, PERIODS)
    assert again.recomputed is not None and again.recomputed.nothing
    assert not again.recorded_inputs
    assert [name for name, _ in again.columns] == ["period", "vendors", "total"]
    assert again.preview.height == 10


def test_a_change_in_the_source_is_still_recomputed_and_published(warehouse):
    revised = shares(bump_last_period=0.5).filter(pl.col("period") == date(2018, 4, 1))
    publish(warehouse, [source(revised)], run_id="r2", code_version="c1")
    (changed,) = publish(warehouse, [totals()], run_id="r2", code_version="c1")
    assert (changed.version, changed.published) == (2, True)
    assert changed.recomputed.count == 1  # the one period whose rows changed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        last = con.execute(
            "select total from analytics.totals where period = date '2018-04-01'"
        ).fetchall()
    assert last == [(pytest.approx(1.5),)]
    (again,) = publish(warehouse, [totals()], run_id="r3", code_version="c1")
    assert (again.version, again.published) == (2, False)


WEIGHTED_SQL = (
    SCOPED_SHARES
    + """,

totals as (
    select period, sum(share) as total from source group by period
)

select totals.period, totals.total * weights.weight * scale.factor as weighted
from totals
join raw.weights as weights using (period)
cross join raw.scale as scale
"""
)


def weighted(also_reads: tuple[str, ...] = ("raw_weights", "raw_scale")) -> TableToPublish:
    return TableToPublish(
        name="weighted",
        schema="analytics",
        description="Total share by period, weighted and scaled",
        sql=WEIGHTED_SQL,
        incremental=True,
        changes=ChangeScope(source="raw_shares", also_reads=also_reads),
    )


def weights(last: float = 1.0) -> TableToPublish:
    periods = pl.date_range(date(2010, 1, 1), date(2018, 4, 1), "1mo", eager=True)
    frame = pl.DataFrame({"period": periods, "weight": [1.0] * (PERIODS - 1) + [last]})
    return TableToPublish(
        name="weights",
        schema="raw",
        description="Weight by period",
        frame=frame,
        incremental=True,
        scope_keys=("period",),
    )


def scale(factor: float) -> TableToPublish:
    frame = pl.DataFrame({"factor": [factor]})
    return TableToPublish(name="scale", schema="raw", description="One factor", frame=frame)


def weighted_rows(warehouse: Path) -> dict[date, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select period, weighted from analytics.weighted").fetchall())


def test_every_table_the_sql_reads_is_followed_not_only_the_source(warehouse):
    publish(warehouse, [weights(), scale(1.0)], run_id="r2", code_version="c1")
    (first,) = publish(warehouse, [weighted()], run_id="r2", code_version="c1")
    assert first.published and first.recomputed.describe() == "every period (first version)"

    # A table with the period column adds the periods its changes touch, as the source does
    publish(warehouse, [weights(last=2.0)], run_id="r3", code_version="c1")
    (one,) = publish(warehouse, [weighted()], run_id="r3", code_version="c1")
    assert one.recomputed.describe() == "1 period(s) from 2018-04-01 to 2018-04-01"
    assert weighted_rows(warehouse)[date(2018, 4, 1)] == pytest.approx(2.0)

    # One without it (a factor every period uses) recomputes every period
    publish(warehouse, [scale(3.0)], run_id="r4", code_version="c1")
    (every,) = publish(warehouse, [weighted()], run_id="r4", code_version="c1")
    assert every.recomputed.describe() == "every period (raw_scale changed)"
    assert {round(value, 9) for value in weighted_rows(warehouse).values()} == {3.0, 6.0}

    # Each version read is recorded: nothing new, nothing recomputed, no new version
    (again,) = publish(warehouse, [weighted()], run_id="r5", code_version="c1")
    assert (again.published, again.recomputed.nothing) == (False, True)


def test_an_input_the_table_has_never_read_is_read_whole_once(warehouse):
    """A warehouse written before a table recorded one of its inputs: that input is read for
    every period once, then followed by its changes."""
    publish(warehouse, [weights(), scale(1.0)], run_id="r2", code_version="c1")
    publish(warehouse, [weighted(also_reads=("raw_weights",))], run_id="r2", code_version="c1")
    (first_read,) = publish(warehouse, [weighted()], run_id="r3", code_version="c1")
    assert first_read.recomputed.describe() == "every period (first read of raw_scale)"
    assert first_read.recorded_inputs
    (again,) = publish(warehouse, [weighted()], run_id="r4", code_version="c1")
    assert again.recomputed.nothing
