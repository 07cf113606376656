"""Benchmark the market path on a record file against a bare DuckDB query, and a long backfill.

    python scripts/bench_market_refresh.py --rows 10000000 [--days 365] [--seed 1]
        [--backfill-days 365] [--repeat 3] [--no-write]

In one process it:
1. generates a record file (scripts/generate_market_records.py) and registers its vendors in a copy
   of seeds/vendors.yaml (unknown vendors are rejected by design), then builds the non-market
   tables and ingests the seeds' market file in two fresh warehouses (not timed);
2. times (a) the pipeline's path for the file, on the functions and SQL models the assets run:
   read, validate, derive shares, publish the shares, concentration and its history as new
   versions, and move the file to processed/; --repeat times, each from a copy of the same
   warehouse, reporting the median (and so for (b));
3. times (a') the same file through the real Dagster market_refresh run, which adds the downstream
   assets (vendor risk, strategy position, scenarios) and Dagster's event for every daily partition;
4. times (b) a bare DuckDB baseline: one query that reads the same file and computes HHI per
   period, market and region; and (c) the same work as (a) in bare DuckDB, persisted but without
   versions, history or messages: the floor (a) can approach;
5. times a one-run backfill of --backfill-days daily partitions of the seed-sized data;
and prints the times, the ratios, peak memory and rows per second, and writes docs/benchmarks.md
(unless --no-write). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402
import yaml  # noqa: E402

from pipelines.assets.market import ingest, shares_tables  # noqa: E402
from pipelines.assets.sql_models import SqlModel  # noqa: E402
from pipelines.definitions import build_definitions  # noqa: E402
from pipelines.ingest.landing import forget_hashes  # noqa: E402
from pipelines.ingest.market_refresh import plan_refresh, settle  # noqa: E402
from pipelines.jobs import range_tags  # noqa: E402
from pipelines.resources import WarehouseResource  # noqa: E402

BASELINE_SQL = """
with quantities as (
    select period, market, region, vendor, sum(quantity) as quantity
    from read_csv(?, header = true)
    group by all
),
shares as (
    select *, quantity / sum(quantity) over (partition by period, market, region) as share
    from quantities
)
select period, market, region, sum(power(100 * share, 2)) as hhi
from shares
where vendor <> 'other'
group by all
"""


STEP_TIMES: list[str] = []


FLOOR_SQL = """
create table shares as
with quantities as (
    select period, market, region, vendor, sum(quantity) as quantity,
        count(*) filter (
            where quantity is null or not isfinite(quantity) or quantity < 0
                or coalesce(trim(vendor), '') = ''
        ) as broken_rows
    from read_csv(?, header = true, types = {'period': 'DATE', 'quantity': 'DOUBLE'})
    group by all
)
select *, quantity / sum(quantity) over (partition by period, market, region) as share
from quantities;
create table concentration as
select period, market, region, sum(power(100 * share, 2)) as hhi
from shares where vendor <> 'other' group by all;
checkpoint;
"""


def bare_floor(record_file: Path, folder: Path) -> float:
    """(c): the pipeline's work with none of its machinery, in one DuckDB file: hash the file,
    read it with the row checks, derive and store the shares, compute HHI, checkpoint. No
    versions, no history, no validation messages: what the pipeline could at best approach."""
    started = time.perf_counter()
    digest = hashlib.sha256()
    with open(record_file, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    con = duckdb.connect(str(folder / "floor.duckdb"))
    try:
        statements = [part for part in FLOOR_SQL.split(";") if part.strip()]
        con.execute(statements[0], [str(record_file)])
        for statement in statements[1:]:
            con.execute(statement)
    finally:
        con.close()
    return time.perf_counter() - started


def middle(runs: list, key=lambda run: run):
    """The median run by key (the upper of the two middle ones for an even count)."""
    return sorted(runs, key=key)[len(runs) // 2]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, rows: int, days: int, seed: int) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "generate_market_records.py"),
            *("--rows", str(rows), "--days", str(days), "--seed", str(seed)),
            *("--out", str(folder)),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (path,) = folder.glob("*.csv")
    return path


def register_vendors(seeds: Path, record_file: Path) -> None:
    """The record file's vendors, added to the copy of vendors.yaml (setup, not timed)."""
    vendors_path = seeds / "vendors.yaml"
    document = yaml.safe_load(vendors_path.read_text())
    found = duckdb.sql(
        "select distinct vendor from read_csv(?, header = true)", params=[str(record_file)]
    ).fetchall()
    for (vendor,) in found:
        if vendor != "other" and vendor not in document["vendors"]:
            document["vendors"][vendor] = {
                "display_name": vendor,
                "geopolitical_risk": "low",
                "supply_capacity": "ample",
                "pricing_power": "low",
                "alternatives": [],
            }
    vendors_path.write_text(yaml.safe_dump(document, sort_keys=False))


def run(definitions: dg.Definitions, job: str, tags: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = definitions.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        tags=tags,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert result.success, f"{job} failed"
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            STEP_TIMES.append(f"{job}: {event.message}")
            print(f"  {job}: {event.message}", file=sys.stderr)
    return time.perf_counter() - started


PATH_STEPS: dict[str, float] = {}


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Times one step of (a) into PATH_STEPS."""
    started = time.perf_counter()
    yield
    PATH_STEPS[name] = time.perf_counter() - started


def pipeline_path(resource_: WarehouseResource) -> float:
    """The market path on the same functions and SQL models the assets run, without Dagster's
    run and per-partition bookkeeping: ingest (read, validate, derive shares), then publish
    the shares, concentration and its history as new versions."""
    settings = resource_.settings()
    PATH_STEPS.clear()
    started = time.perf_counter()
    with _step("ingest: hash (second thread), read, validate, derive shares"):
        outcome, already_ingested = ingest(resource_)
    assert outcome.accepted and not outcome.rejected, "the generated file must go in"
    with _step("publish raw.market_shares"):
        resource_.publish(shares_tables(outcome), run_id="bench-path", code_version="bench")
    periods = (
        min(shares["period"].min() for _, shares in outcome.accepted),
        max(shares["period"].max() for _, shares in outcome.accepted),
    )
    for name in ["market_concentration", "market_concentration_history"]:
        with _step(f"publish analytics.{name}"):
            table = SqlModel.load(name).table(periods=periods)
            resource_.publish([table], run_id="bench-path", code_version="bench")
    with _step("move the file to processed/"):
        settle(settings, outcome, already_ingested)
    return time.perf_counter() - started


def check_path_result(resource_: WarehouseResource, baseline: list[tuple]) -> str:
    """(a) must have published the baseline's HHI for every group, or its time means nothing."""
    published = {
        (period, market, region): hhi
        for period, market, region, hhi in resource_.query(
            "select period, market, region, hhi from analytics.market_concentration"
        ).iter_rows()
    }
    missing = [key for *key, _ in baseline if tuple(key) not in published]
    differing = [
        key
        for *key, hhi in baseline
        if tuple(key) in published and abs(published[tuple(key)] - hhi) > 1e-6
    ]
    if missing or differing:
        raise SystemExit(
            f"(a) published no HHI for {len(missing)} and a different HHI for {len(differing)} of "
            f"the baseline's {len(baseline):,} groups (first: {(missing or differing)[0]})"
        )
    return f"(a) published the baseline's HHI for all {len(baseline):,} groups"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backfill-days", type=int, default=365)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of (a) and of (b); the median is reported"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sovai-bench-") as temp:
        root = Path(temp)
        seeds = root / "seeds"
        shutil.copytree(PROJECT_ROOT / "seeds", seeds)
        record_file = generate(root / "generated", args.rows, args.days, args.seed)
        size_mb = record_file.stat().st_size / 1e6
        register_vendors(seeds, record_file)

        def landed(name: str, warehouse: Path | None = None) -> WarehouseResource:
            """A project folder with the record file landed; its warehouse a copy of the given
            one, so each run of (a) starts from the same state."""
            landing = root / name / "landing"
            landing.mkdir(parents=True)
            if warehouse is not None:
                shutil.copyfile(warehouse, root / name / "warehouse.duckdb")
            os.link(record_file, landing / record_file.name)  # the run moves it to processed/
            return WarehouseResource(
                warehouse_path=str(root / name / "warehouse.duckdb"),
                seeds_dir=str(seeds),
                landing_dir=str(landing),
                allow_outside_project=True,  # a temporary folder
            )

        def setup(name: str) -> WarehouseResource:
            """A project with every table built and the seeds' market file in (untimed): the
            timed work is the record file alone."""
            resource_ = WarehouseResource(
                warehouse_path=str(root / name / "warehouse.duckdb"),
                seeds_dir=str(seeds),
                landing_dir=str(root / name / "empty"),
                allow_outside_project=True,  # a temporary folder
            )
            # Without the Great Expectations checks: the market path is what is timed.
            definitions = build_definitions(resource_, expectations=False)
            run(definitions, "refresh_all")
            run(definitions, "market_refresh", range_tags(plan_refresh(resource_.settings())))
            return resource_

        built = setup("built")
        path_runs = []
        for index in range(args.repeat):
            resource_ = landed(f"path-{index}", built.path)
            forget_hashes()  # as in a fresh process: the path hashes the file itself
            path_runs.append((pipeline_path(resource_), dict(PATH_STEPS), resource_))
        path_memory = peak_memory_mb()
        path_seconds, path_steps, path_resource = middle(path_runs, key=lambda run: run[0])

        setup("dagster")
        run_resource = landed("dagster")
        definitions = build_definitions(run_resource, expectations=False)

        tags = range_tags(plan_refresh(run_resource.settings()))  # as the sensor plans the run
        forget_hashes()  # the sensor runs in another process: the run hashes the file itself
        STEP_TIMES.clear()
        pipeline_seconds = run(definitions, "market_refresh", tags)
        pipeline_steps = list(STEP_TIMES)
        pipeline_memory = peak_memory_mb()

        baseline_runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            groups = duckdb.connect().execute(BASELINE_SQL, [str(record_file)]).fetchall()
            baseline_runs.append(time.perf_counter() - started)
        baseline_seconds = middle(baseline_runs)
        path_check = check_path_result(path_resource, groups)
        floor_seconds = bare_floor(record_file, root)

        end = date(2026, 2, 1) + timedelta(days=args.backfill_days // 2)
        start = end - timedelta(days=args.backfill_days - 1)
        seed_tags = {
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        }
        seed_resource = WarehouseResource(
            warehouse_path=str(root / "seed-warehouse.duckdb"),
            seeds_dir=str(PROJECT_ROOT / "seeds"),
            landing_dir=str(root / "empty-landing"),
            allow_outside_project=True,  # a temporary folder
        )
        seed_definitions = build_definitions(seed_resource, expectations=False)
        run(seed_definitions, "refresh_all")
        backfill_seconds = run(seed_definitions, "market_refresh", seed_tags)

    path_ratio = path_seconds / baseline_seconds
    run_ratio = pipeline_seconds / baseline_seconds
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}), by `python scripts/bench_market_refresh.py --rows {args.rows} "
        f"--days {args.days} --seed {args.seed} --backfill-days {args.backfill_days} "
        f"--repeat {args.repeat}`. (a) and (b) are the median of {args.repeat} runs each "
        f"((a): {', '.join(f'{seconds:.2f}' for seconds, *_ in path_runs)} s; (b): "
        f"{', '.join(f'{seconds:.2f}' for seconds in baseline_runs)} s); (a) starts each time "
        "from a copy of the same warehouse, with the file landed again.",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| record file | {args.rows:,} rows, {size_mb:,.0f} MB CSV, {len(groups):,} "
        "period/market/region groups | |",
        f"| (a) pipeline path: read, validate, derive shares, concentration and history, publish "
        f"| {path_seconds:.2f} s ({args.rows / path_seconds:,.0f} rows/s) | |",
        f"| (a') the same as a Dagster run of market_refresh (adds the downstream assets and "
        f"Dagster's events for each daily partition) | {pipeline_seconds:.2f} s "
        f"({args.rows / pipeline_seconds:,.0f} rows/s) | |",
        f"| (b) bare DuckDB: read + HHI per group in one query | {baseline_seconds:.2f} s "
        f"({args.rows / baseline_seconds:,.0f} rows/s) | |",
        f"| (c) bare DuckDB doing the same work persisted, without versions or history: hash, "
        f"read with row checks, shares stored, HHI, checkpoint | {floor_seconds:.2f} s "
        f"| |",
        f"| ratio (a) / (b) | {path_ratio:.2f} | <= 2.0 |",
        f"| ratio (c) / (b): the floor under (a) | {floor_seconds / baseline_seconds:.2f} | |",
        f"| ratio (a') / (b) | {run_ratio:.2f} | |",
        f"| peak memory (process maximum RSS after (a)) | {path_memory:,.0f} MB | <= 2048 MB |",
        f"| peak memory (process maximum RSS after (a')) | {pipeline_memory:,.0f} MB | "
        "<= 2048 MB |",
        f"| one-run backfill of {args.backfill_days} daily partitions, seed data | "
        f"{backfill_seconds:.2f} s | < 60 s |",
    ]
    lines += ["", f"Checked: {path_check}.", "", "Steps of (a), its median run:", ""]
    lines += [f"- {step}: {seconds:.2f} s" for step, seconds in path_steps.items()]
    lines += ["", "Steps of (a'), as Dagster timed them:", ""]
    lines += [f"- {step}" for step in pipeline_steps]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        docs = PROJECT_ROOT / "docs" / "benchmarks.md"
        docs.parent.mkdir(exist_ok=True)
        docs.write_text(
            "# Benchmarks\n\nThe market path on record files, against a bare DuckDB query.\n"
            "Regenerate with the command below; the numbers are the script's printed output.\n\n"
            + report
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
