"""Benchmark the market refresh as users run it: the Dagster run against a bare DuckDB query.

    python scripts/bench_market_refresh.py --rows 10000000 [--days 365] [--seed 1]
        [--months 240] [--repeat 3] [--no-write] [--built FOLDER]

In one process it:
1. generates a record file (scripts/generate_market_records.py) and registers its vendors in a copy
   of seeds/vendors.yaml (unknown vendors are rejected by design), then builds every table and
   ingests the seeds' market file (not timed; with --built, a copy of that build instead);
2. times (a'), the headline: the real Dagster market_refresh run for the file, as the daily
   schedule and the landing sensor start it (in-process executor, a persistent SQLite instance,
   every asset and check of the job; then, once, the data_quality run its sensor starts after it,
   the Great Expectations suites);
   --repeat times, each from a copy of the same warehouse with the file landed again, reporting
   the median;
3. times (a), beside it: the data path alone, on the functions and SQL models the assets run
   (ingest, publish shares, concentration and its history, move the file);
4. times (b) a bare DuckDB baseline: one query that reads the same file and computes HHI per
   period, market and region; and (c) the data path's work in bare DuckDB, persisted but without
   versions, history or messages: the floor (a) can approach;
5. times a long span through the `sovai` command in processes of their own: `sovai refresh` of a
   monthly share file of --months periods, then a one-run recompute of them all (`--all`);
and prints the times, the ratios, peak memory and rows per second, and writes docs/benchmarks.md
(unless --no-write). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
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
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402
import yaml  # noqa: E402

from pipelines.assets.market import ingest, shares_tables  # noqa: E402
from pipelines.assets.sql_models import SqlModel  # noqa: E402
from pipelines.definitions import build_definitions  # noqa: E402
from pipelines.ingest.landing_folder import forget_hashes  # noqa: E402
from pipelines.ingest.market_refresh import settle  # noqa: E402
from pipelines.instance import home_config  # noqa: E402
from pipelines.resources import WarehouseResource  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "generate_monthly_shares", PROJECT_ROOT / "scripts" / "generate_monthly_shares.py"
)
monthly = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(monthly)

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


def generate(folder: Path, rows: int, days: int, seed: int, known_vendors_only: bool) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "generate_market_records.py"),
            *("--rows", str(rows), "--days", str(days), "--seed", str(seed)),
            *("--out", str(folder)),
            *(["--known-vendors-only"] if known_vendors_only else []),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (path,) = folder.glob("*.csv")
    return path


def register_vendors(seeds: Path, record_file: Path) -> None:
    """The record file's vendors, added to the copy of vendors.yaml (setup, not timed)."""
    found = duckdb.sql(
        "select distinct vendor from read_csv(?, header = true)", params=[str(record_file)]
    ).fetchall()
    add_vendors(seeds, [vendor for (vendor,) in found])


def add_vendors(seeds: Path, vendors: list[str]) -> None:
    """Vendors added to the copy of vendors.yaml as low-risk, ample-supply firms (unknown vendors
    are rejected by design); `other`, the unallocated remainder, is not a vendor."""
    vendors_path = seeds / "vendors.yaml"
    document = yaml.safe_load(vendors_path.read_text())
    for vendor in vendors:
        if vendor != "other" and vendor not in document["vendors"]:
            document["vendors"][vendor] = {
                "display_name": vendor,
                "geopolitical_risk": "low",
                "supply_capacity": "ample",
                "pricing_power": "low",
                "alternatives": [],
            }
    vendors_path.write_text(yaml.safe_dump(document, sort_keys=False))


def run(
    definitions: dg.Definitions,
    job: str,
    instance: dg.DagsterInstance,
    tags: dict[str, str] | None = None,
) -> float:
    """One real run of a job, on a persistent (SQLite) instance as the schedule's runs are."""
    started = time.perf_counter()
    result = definitions.resolve_job_def(job).execute_in_process(
        instance=instance,
        tags=tags,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert result.success, f"{job} failed"
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            STEP_TIMES.append(f"{job}: {event.message}")
    return time.perf_counter() - started


PATH_STEPS: dict[str, float] = {}


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Times one step of (a) into PATH_STEPS."""
    started = time.perf_counter()
    yield
    PATH_STEPS[name] = time.perf_counter() - started


def pipeline_path(resource_: WarehouseResource) -> float:
    """The market data path on the same functions and SQL models the assets run, without
    Dagster: ingest (read, validate, derive shares), then publish the shares, concentration and
    its history as new versions (each recomputing what changed), and move the file."""
    settings = resource_.settings()
    PATH_STEPS.clear()
    started = time.perf_counter()
    with _step("ingest: hash (second thread), read, validate, derive shares"):
        outcome, already_ingested = ingest(resource_)
    assert outcome.accepted and not outcome.rejected, "the generated file must go in"
    with _step("publish raw.market_shares"):
        resource_.publish(shares_tables(outcome), run_id="bench-path", code_version="bench")
    for name in ["market_concentration", "market_concentration_history"]:
        with _step(f"publish analytics.{name}"):
            model = SqlModel.load(name)
            resource_.publish([model.table()], run_id="bench-path", code_version=model.code_version)
    with _step("move the file to processed/"):
        settle(settings, outcome, already_ingested)
    return time.perf_counter() - started


def check_path_result(resource_: WarehouseResource, baseline: list[tuple], label: str) -> str:
    """A timed path must have published the baseline's HHI for every group, or its time means
    nothing."""
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
            f"{label} published no HHI for {len(missing)} and a different HHI for "
            f"{len(differing)} of the baseline's {len(baseline):,} groups (first: "
            f"{(missing or differing)[0]})"
        )
    return f"{label} published the baseline's HHI for all {len(baseline):,} groups"


def sovai(
    env: dict[str, str], *args: str, tool: str = "sovai"
) -> tuple[float, subprocess.CompletedProcess]:
    """`sovai ARGS` in a process of its own, as a user or cron runs it: imports included."""
    started = time.perf_counter()
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / tool), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"sovai {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return seconds, result


def long_span(root: Path, months: int, built: WarehouseResource) -> list[str]:
    """A monthly share file of `months` periods from 2000-01 through `sovai refresh` in a project
    of its own (a copy of the built warehouse, untimed), then a one-run recompute of every period
    (`sovai refresh --all`); the published HHI is checked against the hand-computed one."""

    def project(name: str) -> dict[str, str]:
        folder = root / name
        (folder / "data" / "landing").mkdir(parents=True)
        (folder / "dagster_home").mkdir()
        # The project's instance (dagster.yaml) in a home of its own
        (folder / "dagster_home" / "dagster.yaml").write_text(home_config(folder / "dagster_home"))
        return {
            "SOVAI_WAREHOUSE": str(folder / "warehouse" / "warehouse.duckdb"),
            "SOVAI_SEEDS_DIR": str(built.seeds),
            "SOVAI_LANDING_DIR": str(folder / "data" / "landing"),
            "DAGSTER_HOME": str(folder / "dagster_home"),
        }

    env, sensor_env = project("long-span"), project("long-span-sensor")
    for project_env in (env, sensor_env):  # the warehouse with its charts and report
        shutil.copytree(built.path.parent, Path(project_env["SOVAI_WAREHOUSE"]).parent)
    series = monthly.monthly_shares(date(2000, 1, 1), months)
    for landing in (env["SOVAI_LANDING_DIR"], sensor_env["SOVAI_LANDING_DIR"]):
        (Path(landing) / "monthly-shares.csv").write_text(monthly.csv_text(series))
    refresh_seconds, result = sovai(env, "refresh")
    # What the landing sensor's run does: the daemon launches the job in a process of its own,
    # which loads the code location and runs it with the project's in-process executor.
    sensor_seconds, _ = sovai(
        sensor_env,
        *("job", "execute", "-m", "pipelines.definitions", "-j", "market_refresh"),
        tool="dagster",
    )
    printed = len((result.stdout + result.stderr).splitlines())
    with duckdb.connect(env["SOVAI_WAREHOUSE"], read_only=True) as con:
        published = dict(
            con.execute(
                "select period, hhi from analytics.market_concentration where market = 'gpus'"
            ).fetchall()
        )
    wrong = [p for p, s in series.items() if abs(published.get(p, -1) - monthly.hhi(s)) > 1e-6]
    if wrong:
        raise SystemExit(f"the long-span run published a wrong HHI for {len(wrong)} months")
    recompute_seconds, _ = sovai(env, "refresh", "--all", "--quiet")
    return [
        f"| `sovai refresh` of a monthly share file of {months} periods ({months // 12} years, "
        f"two months wholly `other`), imports and Dagster included | {refresh_seconds:.2f} s, "
        f"exit 0, {printed} lines printed, HHI as hand-computed for all {months} months "
        "| <= 15 s, <= 40 lines |",
        f"| the same file through a launched run of the job, as the landing sensor starts it "
        f"(`dagster job execute -m pipelines.definitions -j market_refresh`) | "
        f"{sensor_seconds:.2f} s | <= 15 s |",
        f"| one-run recompute of all {months} periods (`sovai refresh --all`) | "
        f"{recompute_seconds:.2f} s | <= 30 s |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--months", type=int, default=240, help="periods of the long-span monthly file"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of (a), (a') and (b); the median is reported"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--built",
        type=Path,
        help="a project folder `sovai run` built from the project's seeds (wh/, dagster_home/): "
        "the untimed setup copies it instead of building; the records then keep to the known "
        "vendors (the generator's --known-vendors-only), so the seeds need no change",
    )
    args = parser.parse_args(argv)
    if args.built is not None:
        missing = [
            name
            for name in ("wh/warehouse.duckdb", "dagster_home")
            if not (args.built / name).exists()
        ]
        if missing:
            parser.error(f"--built {args.built}: no {' or '.join(missing)} (not a built project)")

    with tempfile.TemporaryDirectory(prefix="sovai-bench-") as temp:
        root = Path(temp)
        seeds = root / "seeds"
        shutil.copytree(PROJECT_ROOT / "seeds", seeds)
        record_file = generate(
            root / "generated", args.rows, args.days, args.seed, args.built is not None
        )
        size_mb = record_file.stat().st_size / 1e6
        register_vendors(seeds, record_file)
        if args.built is not None:  # its run history too, as the schedule's runs would have it
            shutil.copytree(args.built / "dagster_home", root / "dagster")
            # its dagster.yaml names the built folder's storage: the copy gets its own
            (root / "dagster" / "dagster.yaml").write_text(home_config(root / "dagster"))
        else:
            (root / "dagster").mkdir()
        instance = dg.DagsterInstance.local_temp(str(root / "dagster"))

        def landed(name: str, warehouse: Path) -> WarehouseResource:
            """A project folder with the record file landed; its warehouse a copy of the given
            one, so each timed run starts from the same state."""
            landing = root / name / "landing"
            landing.mkdir(parents=True)
            shutil.copyfile(warehouse, root / name / "warehouse.duckdb")
            os.link(record_file, landing / record_file.name)  # the run moves it to processed/
            return WarehouseResource(
                warehouse_path=str(root / name / "warehouse.duckdb"),
                seeds_dir=str(seeds),
                landing_dir=str(landing),
                allow_outside_project=True,  # a temporary folder
            )

        # Every table built and the seeds' market file in (untimed): the timed work is the file.
        built = WarehouseResource(
            warehouse_path=str(root / "built" / "warehouse.duckdb"),
            seeds_dir=str(seeds),
            landing_dir=str(root / "built" / "empty"),
            allow_outside_project=True,  # a temporary folder
        )
        if args.built is not None:
            shutil.copytree(args.built / "wh", built.path.parent)
        else:
            setup_definitions = build_definitions(built, expectations=False)
            run(setup_definitions, "refresh_all", instance)
            run(setup_definitions, "market_refresh", instance)

        run_runs = []
        for index in range(args.repeat):
            resource_ = landed(f"run-{index}", built.path)
            definitions = build_definitions(resource_, expectations=True)
            forget_hashes()  # the sensor runs in another process: the run hashes the file itself
            STEP_TIMES.clear()
            seconds = run(definitions, "market_refresh", instance)
            run_runs.append((seconds, list(STEP_TIMES), resource_))
        run_memory = peak_memory_mb()
        run_seconds, run_steps, run_resource = middle(run_runs, key=lambda run: run[0])
        quality_seconds = run(
            build_definitions(run_resource, expectations=True), "data_quality", instance
        )

        path_runs = []
        for index in range(args.repeat):
            resource_ = landed(f"path-{index}", built.path)
            forget_hashes()  # as in a fresh process: the path hashes the file itself
            path_runs.append((pipeline_path(resource_), dict(PATH_STEPS), resource_))
        path_seconds, path_steps, path_resource = middle(path_runs, key=lambda run: run[0])

        baseline_runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            groups = duckdb.connect().execute(BASELINE_SQL, [str(record_file)]).fetchall()
            baseline_runs.append(time.perf_counter() - started)
        baseline_seconds = middle(baseline_runs)
        checks = [
            check_path_result(run_resource, groups, "(a') the Dagster run"),
            check_path_result(path_resource, groups, "(a) the data path"),
        ]
        floor_seconds = bare_floor(record_file, root)
        span_rows = long_span(root, args.months, built)

    def listed(runs) -> str:
        return ", ".join(f"{run[0] if isinstance(run, tuple) else run:.2f}" for run in runs)

    run_ratio = run_seconds / baseline_seconds
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}, Dagster {dg.__version__}), by `python "
        f"scripts/bench_market_refresh.py --rows {args.rows} --days {args.days} --seed "
        f"{args.seed} --months {args.months} --repeat {args.repeat}"
        "`. (a'), (a) and (b) are the "
        f"median of {args.repeat} runs each ((a'): {listed(run_runs)} s; (a): "
        f"{listed(path_runs)} s; (b): {listed(baseline_runs)} s); (a') and (a) start each time "
        "from a copy of the same warehouse, with the file landed again.",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| record file | {args.rows:,} rows, {size_mb:,.0f} MB CSV, {len(groups):,} "
        "period/market/region groups | |",
        f"| (a') the Dagster market_refresh run, as the schedule and the landing sensor start it "
        f"(in-process executor, SQLite instance; every asset and check of the job) | "
        f"{run_seconds:.2f} s ({args.rows / run_seconds:,.0f} rows/s) | |",
        f"| (a'') then the data_quality run its sensor starts (Great Expectations suites of every "
        f"analytics table, Data Docs), once | {quality_seconds:.2f} s | |",
        f"| (a) the data path alone: read, validate, derive shares, concentration and history, "
        f"publish | {path_seconds:.2f} s ({args.rows / path_seconds:,.0f} rows/s) | |",
        f"| (b) bare DuckDB: read + HHI per group in one query | {baseline_seconds:.2f} s "
        f"({args.rows / baseline_seconds:,.0f} rows/s) | |",
        f"| (c) bare DuckDB doing the data path's work persisted, without versions or history: "
        f"hash, read with row checks, shares stored, HHI, checkpoint | {floor_seconds:.2f} s | |",
        f"| **ratio (a') / (b): what the user runs** | **{run_ratio:.2f}** | <= 2.0 |",
        f"| ratio (a) / (b): the data path | {path_seconds / baseline_seconds:.2f} | |",
        f"| ratio (c) / (b): the floor under (a) | {floor_seconds / baseline_seconds:.2f} | |",
        f"| peak memory (process maximum RSS after (a')) | {run_memory:,.0f} MB | <= 2048 MB |",
        *span_rows,
    ]
    lines += ["", *(f"Checked: {check}." for check in checks)]
    lines += ["", "Steps of (a'), its median run, as Dagster timed them:", ""]
    lines += [f"- {step}" for step in run_steps]
    lines += ["", "Steps of (a), its median run:", ""]
    lines += [f"- {step}: {seconds:.2f} s" for step, seconds in path_steps.items()]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        docs = PROJECT_ROOT / "docs" / "benchmarks.md"
        docs.parent.mkdir(exist_ok=True)
        docs.write_text(
            "# Benchmarks\n\nThe market refresh on record files, against a bare DuckDB query.\n"
            "Regenerate with the command below; the numbers are the script's printed output.\n\n"
            + report
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
