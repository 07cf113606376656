"""Benchmark the market path on a record file against a bare DuckDB query, and a long backfill.

    python scripts/bench_market_refresh.py --rows 10000000 [--days 365] [--seed 1]
        [--backfill-days 365] [--no-write]

In one process it:
1. generates a record file (scripts/generate_market_records.py) in a temporary project folder and
   registers its vendors in a copy of seeds/vendors.yaml (unknown vendors are rejected by design);
2. builds the non-market tables (not timed);
3. times (a) the pipeline's path for the file: the real Dagster market_refresh run, which reads,
   validates, derives shares, computes concentration and its history and publishes versions;
4. times (b) a bare DuckDB baseline: one query that reads the same file and computes HHI per
   period, market and region;
5. times a one-run backfill of --backfill-days daily partitions of the seed-sized data;
and prints both times, the ratio, peak memory and rows per second, and writes docs/benchmarks.md
(unless --no-write). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402
import yaml  # noqa: E402

from pipelines.definitions import build_definitions  # noqa: E402
from pipelines.ingest.market_refresh import plan_refresh  # noqa: E402
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backfill-days", type=int, default=365)
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sovai-bench-") as temp:
        root = Path(temp)
        seeds, landing = root / "seeds", root / "data" / "landing"
        shutil.copytree(PROJECT_ROOT / "seeds", seeds)
        record_file = generate(landing, args.rows, args.days, args.seed)
        size_mb = record_file.stat().st_size / 1e6
        register_vendors(seeds, record_file)
        resource_ = WarehouseResource(
            warehouse_path=str(root / "warehouse.duckdb"),
            seeds_dir=str(seeds),
            landing_dir=str(landing),
            allow_outside_project=True,  # a temporary folder
        )
        definitions = build_definitions(resource_, expectations=False)  # times the market path
        run(definitions, "refresh_all")
        baseline_file = root / record_file.name
        shutil.copyfile(record_file, baseline_file)  # the pipeline moves its copy to processed/

        tags = range_tags(plan_refresh(resource_.settings()))
        STEP_TIMES.clear()
        pipeline_seconds = run(definitions, "market_refresh", tags)
        pipeline_steps = list(STEP_TIMES)
        pipeline_memory = peak_memory_mb()

        started = time.perf_counter()
        groups = duckdb.connect().execute(BASELINE_SQL, [str(baseline_file)]).fetchall()
        baseline_seconds = time.perf_counter() - started

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

    ratio = pipeline_seconds / baseline_seconds
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}), by `python scripts/bench_market_refresh.py --rows {args.rows} "
        f"--days {args.days} --seed {args.seed} --backfill-days {args.backfill_days}`.",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| record file | {args.rows:,} rows, {size_mb:,.0f} MB CSV, {len(groups):,} "
        "period/market/region groups | |",
        f"| (a) pipeline: read, validate, derive shares, concentration, publish | "
        f"{pipeline_seconds:.2f} s ({args.rows / pipeline_seconds:,.0f} rows/s) | |",
        f"| (b) bare DuckDB: read + HHI per group in one query | {baseline_seconds:.2f} s "
        f"({args.rows / baseline_seconds:,.0f} rows/s) | |",
        f"| ratio (a) / (b) | {ratio:.2f} | <= 2.0 |",
        f"| peak memory (process maximum RSS after (a)) | {pipeline_memory:,.0f} MB | <= 2048 MB |",
        f"| one-run backfill of {args.backfill_days} daily partitions, seed data | "
        f"{backfill_seconds:.2f} s | < 60 s |",
    ]
    lines += ["", "Steps of (a), as Dagster timed them:", ""]
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
