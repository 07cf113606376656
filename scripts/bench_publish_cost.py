"""Benchmark what one publish costs against the size of the warehouse file.

    python scripts/bench_publish_cost.py [--sizes-mb 10,100,1000] [--repeat 5]
        [--step-rows 8000000] [--seed 1]

Every publish copies the live warehouse file, writes the new version into the copy and renames
the copy over the live file (pipelines/warehouse/publish.py), so its cost has a part that grows
with the whole file, whatever the size of the change. In one process this script:

1. builds a warehouse in a temporary folder with the project's own code, untimed: every seed
   table (the raw tables of `refresh_all`'s ingest assets), then market record files from
   scripts/generate_market_records.py (300 vendors, registered in a copy of seeds/vendors.yaml),
   each landed and taken through the market data path (ingest, publish raw.market_shares,
   analytics.market_concentration and its history, move the file), each file the next year of
   period days (after 2025 from 2000 again: the replaced figures stay in history), until the
   file reaches the next size of --sizes-mb;
2. at each size, times --repeat times (median reported):
   (a) one small table version: raw.platforms with one changed row, published through
       WarehouseResource.publish as the ingest_platforms asset publishes it;
   (b) a market-share refresh of one new monthly file (scripts/generate_monthly_shares.py, one
       month, a month not seen before each time) through the same data path the market_refresh
       job's assets run: three publishes (shares, concentration, its history);
   (c) the copy and atomic rename alone, as publish does them: copy the live file next to itself,
       fsync it, os.replace it over a second name, fsync the folder;
   (d) raw.platforms published again unchanged, as every run that changes nothing publishes each
       table: decided read-only on the live file, without the copy;
   (e) analytics.market_concentration published again with nothing new in raw.market_shares, as
       a run that reaches it without a new market file publishes it: its recompute plan is empty,
       decided read-only on the live file, without the copy;
3. prints a table: file size, market share rows, the medians and the share of (a) spent in (c).

Growing the file is most of the run time. The run stops growing (and says so) once building has
taken --build-minutes; the sizes measured until then are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from pipelines.assets.raw import raw_table  # noqa: E402
from pipelines.assets.sources import SEED_SOURCES  # noqa: E402
from pipelines.assets.sql_models import SqlModel  # noqa: E402
from pipelines.ingest.landing_folder import forget_hashes  # noqa: E402
from pipelines.ingest.seeds import SEED_GROUPS, load_seeds  # noqa: E402
from pipelines.resources import WarehouseResource  # noqa: E402


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


records = _script("generate_market_records")
monthly = _script("generate_monthly_shares")
market_bench = _script("bench_market_refresh")  # its data path: the market_refresh assets' work

VENDORS = 300
FIRST_DAY = date(2000, 1, 1)  # seeds/assumptions.yaml: market_period_start
STEP_DAYS = 365
LAST_DAY = date(2025, 12, 31)  # past it, files give earlier days again: versions pile up in history
# After the record files' last day: each monthly file is a new latest month, as a real refresh is.
# (A revised early month costs more: market_concentration_history recomputes every later period.)
MONTHLY_START = date(2026, 1, 1)


@dataclass(frozen=True)
class SizeResult:
    """The medians measured at one warehouse size (seconds), and what the file held."""

    size_mb: float
    share_rows: int
    platforms_publish: float
    monthly_refresh: float
    monthly_publishes: float
    copy_rename: float
    unchanged_publish: float
    market_unchanged_publish: float
    runs: int


class Warehouse:
    """A warehouse in a folder of its own, grown and published to with the project's code."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.seed = seed
        self.seeds = root / "seeds"
        shutil.copytree(PROJECT_ROOT / "seeds", self.seeds)
        market_bench.add_vendors(self.seeds, records.vendor_keys(VENDORS))
        self.landing = root / "data" / "landing"
        self.landing.mkdir(parents=True)
        self.resource = WarehouseResource(
            warehouse_path=str(root / "warehouse" / "warehouse.duckdb"),
            seeds_dir=str(self.seeds),
            landing_dir=str(self.landing),
            allow_outside_project=True,  # a temporary folder
        )
        self.next_day = FIRST_DAY
        self.files = 0
        self.months = 0
        self.platform_edits = 0

    @property
    def path(self) -> Path:
        return self.resource.path

    def size_mb(self) -> float:
        return self.path.stat().st_size / 1e6

    def publish_seeds(self) -> None:
        """Every raw table the seed sources' ingest assets publish, in one publish."""
        frames = load_seeds(self.seeds)
        tables = [
            raw_table(name, frames[name]) for group in SEED_SOURCES for name in SEED_GROUPS[group]
        ]
        self.resource.publish(tables, run_id="bench-seeds", code_version="bench")

    def _market_path(self) -> dict[str, float]:
        forget_hashes()  # as in a fresh process: the path hashes the file itself
        market_bench.pipeline_path(self.resource)
        return dict(market_bench.PATH_STEPS)

    def grow(self, rows: int) -> None:
        """One record file of `rows` rows over the next STEP_DAYS period days, through the
        market data path (untimed)."""
        self.files += 1
        with contextlib.redirect_stdout(io.StringIO()):
            records.main(
                [
                    *("--rows", str(rows), "--days", str(STEP_DAYS)),
                    *("--seed", str(self.seed + self.files), "--vendors", str(VENDORS)),
                    *("--start", self.next_day.isoformat(), "--format", "parquet"),
                    *("--out", str(self.landing)),
                ]
            )
        self.next_day += timedelta(days=STEP_DAYS)
        if self.next_day + timedelta(days=STEP_DAYS) > LAST_DAY:
            self.next_day = FIRST_DAY
        self._market_path()

    def share_rows(self) -> int:
        return self.resource.query("select count(*) as n from raw.market_shares")["n"][0]

    def publish_platforms(self) -> float:
        """(a): raw.platforms with one changed row, as the ingest_platforms asset publishes it."""
        self.platform_edits += 1
        frame = load_seeds(self.seeds, "platforms")["platforms"]
        column = next(name for name, dtype in frame.schema.items() if dtype.is_float())
        changed = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(pl.col(column) * (1 + self.platform_edits / 1000))
            .otherwise(pl.col(column))
            .alias(column)
        )
        table = raw_table("platforms", changed)
        started = time.perf_counter()
        (outcome,) = self.resource.publish([table], run_id="bench-a", code_version="bench")
        seconds = time.perf_counter() - started
        if not outcome.published:
            raise SystemExit("raw.platforms with a changed row published no new version")
        return seconds

    def publish_platforms_unchanged(self) -> float:
        """(d): raw.platforms as the warehouse holds it, published again."""
        frame = self.resource.query("select * from raw.platforms")
        started = time.perf_counter()
        (outcome,) = self.resource.publish(
            [raw_table("platforms", frame)], run_id="bench-d", code_version="bench"
        )
        seconds = time.perf_counter() - started
        if outcome.published:
            raise SystemExit("raw.platforms published unchanged made a new version")
        return seconds

    def publish_market_unchanged(self) -> float:
        """(e): analytics.market_concentration with nothing new in its source."""
        model = SqlModel.load("market_concentration")
        started = time.perf_counter()
        (outcome,) = self.resource.publish(
            [model.table()], run_id="bench-e", code_version=model.code_version
        )
        seconds = time.perf_counter() - started
        if outcome.published or outcome.recomputed is None or not outcome.recomputed.nothing:
            raise SystemExit("analytics.market_concentration recomputed with nothing new")
        return seconds

    def refresh_month(self) -> tuple[float, float]:
        """(b): one new monthly share file through the market data path; its total time and the
        time of its three publishes."""
        period = monthly.month(MONTHLY_START, self.months)
        self.months += 1
        series = monthly.monthly_shares(period, 1, all_other=frozenset())
        (self.landing / f"monthly-{period:%Y-%m}.csv").write_text(monthly.csv_text(series))
        started = time.perf_counter()
        steps = self._market_path()
        seconds = time.perf_counter() - started
        published = self.resource.query(
            "select hhi from analytics.market_concentration "
            f"where market = 'gpus' and period = '{period.isoformat()}'"
        )["hhi"].to_list()
        if published != [monthly.hhi(series[period])]:
            raise SystemExit(f"the refresh of {period:%Y-%m} published HHI {published}")
        return seconds, sum(spent for step, spent in steps.items() if step.startswith("publish"))

    def copy_rename(self) -> float:
        """(c): the copy and the atomic rename a publish makes, on this file, alone."""
        copy = self.path.with_name("bench-copy.publishing")
        target = self.path.with_name("bench-renamed.duckdb")
        started = time.perf_counter()
        shutil.copyfile(self.path, copy)
        with open(copy, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(copy, target)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        seconds = time.perf_counter() - started
        target.unlink()
        return seconds


def _measure_once(warehouse: Warehouse, repeat: int, building: float, log) -> SizeResult:
    size_mb, share_rows = warehouse.size_mb(), warehouse.share_rows()
    log(f"measuring at {size_mb:,.1f} MB (built in {building:.0f} s)")
    platforms = [warehouse.publish_platforms() for _ in range(repeat)]
    refreshes = [warehouse.refresh_month() for _ in range(repeat)]
    copies = [warehouse.copy_rename() for _ in range(repeat)]
    unchanged = [warehouse.publish_platforms_unchanged() for _ in range(repeat)]
    market_unchanged = [warehouse.publish_market_unchanged() for _ in range(repeat)]
    return SizeResult(
        size_mb=size_mb,
        share_rows=share_rows,
        platforms_publish=statistics.median(platforms),
        monthly_refresh=statistics.median(total for total, _ in refreshes),
        monthly_publishes=statistics.median(publishes for _, publishes in refreshes),
        copy_rename=statistics.median(copies),
        unchanged_publish=statistics.median(unchanged),
        market_unchanged_publish=statistics.median(market_unchanged),
        runs=repeat,
    )


def measure(
    root: Path,
    sizes_mb: list[float],
    repeat: int = 5,
    step_rows: int = 8_000_000,
    seed: int = 1,
    build_minutes: float = 12.0,
    log=print,
) -> tuple[list[SizeResult], list[str]]:
    """The medians at each size of sizes_mb (ascending), and notes on what could not be
    reached. The warehouse is built in root."""
    warehouse = Warehouse(root, seed)
    started = time.perf_counter()
    warehouse.publish_seeds()
    # A first record file, so the market tables exist before the first measure; then each
    # file no larger than what is missing, by what a record row added to the file last time.
    before, rows = warehouse.size_mb(), min(step_rows, 200_000)
    warehouse.grow(rows)
    mb_per_row = (warehouse.size_mb() - before) / rows or None
    building = time.perf_counter() - started
    results: list[SizeResult] = []
    notes: list[str] = []
    for target in sorted(sizes_mb):
        started = time.perf_counter()
        while warehouse.size_mb() < target:
            if building + time.perf_counter() - started > build_minutes * 60:
                break
            missing = target - warehouse.size_mb()
            rows = step_rows if mb_per_row is None else int(missing / mb_per_row * 1.05)
            rows = max(min(rows, step_rows), min(step_rows, 10_000))
            before = warehouse.size_mb()
            warehouse.grow(rows)
            if warehouse.size_mb() > before:
                mb_per_row = (warehouse.size_mb() - before) / rows
        building += time.perf_counter() - started
        reached = warehouse.size_mb() >= target
        if not reached:
            notes.append(
                f"{target:,.0f} MB not reached: building stopped after {building / 60:.1f} "
                f"minutes (--build-minutes {build_minutes:g}) at {warehouse.size_mb():,.0f} MB"
            )
        if not results or warehouse.size_mb() > results[-1].size_mb * 1.25:
            results.append(_measure_once(warehouse, repeat, building, log))
        if not reached:
            break
    return results, notes


HEADER = (
    f"{'warehouse MB':>12} {'share rows':>12} {'(a) publish s':>13} {'(b) refresh s':>13} "
    f"{'(b) publishes s':>15} {'(c) copy+rename s':>17} {'(c)/(a)':>7} {'(d) unchanged s':>15} "
    f"{'(e) market unchanged s':>22}"
)


def table(results: list[SizeResult]) -> list[str]:
    lines = [HEADER]
    for result in results:
        lines.append(
            f"{result.size_mb:>12,.1f} {result.share_rows:>12,} {result.platforms_publish:>13.3f} "
            f"{result.monthly_refresh:>13.3f} {result.monthly_publishes:>15.3f} "
            f"{result.copy_rename:>17.3f} {result.copy_rename / result.platforms_publish:>7.0%} "
            f"{result.unchanged_publish:>15.3f} {result.market_unchanged_publish:>22.3f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes-mb", default="10,100,1000", help="warehouse sizes to measure at, in MB"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each measure")
    parser.add_argument(
        "--step-rows", type=int, default=8_000_000, help="most rows of one growing record file"
    )
    parser.add_argument(
        "--build-minutes", type=float, default=12.0, help="stop growing the file after this"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [float(size) for size in args.sizes_mb.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sovai-publish-cost-") as temp:
        results, notes = measure(
            Path(temp),
            sizes,
            repeat=args.repeat,
            step_rows=args.step_rows,
            seed=args.seed,
            build_minutes=args.build_minutes,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
    print(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}), by `python scripts/bench_publish_cost.py --sizes-mb "
        f"{args.sizes_mb} --repeat {args.repeat} --step-rows {args.step_rows} --build-minutes "
        f"{args.build_minutes:g} --seed {args.seed}`, in {time.perf_counter() - started:.0f} s; "
        f"medians of {args.repeat} runs."
    )
    for line in table(results):
        print(line)
    print(
        "(a) raw.platforms with one changed row, one publish; (b) one new monthly share file "
        "through the market data path (three publishes), and those publishes alone; (c) the "
        "copy of the file and the atomic rename alone, as each publish makes them; (d) "
        "raw.platforms published again unchanged (no copy); (e) analytics.market_concentration "
        "published again with nothing new in its source (no copy)."
    )
    for note in notes:
        print(f"Note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
