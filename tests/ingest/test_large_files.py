"""A 100 MB landing file of a valid shape goes in within the memory bound (2 GB peak RSS,
docs/benchmarks.md), measured on the real `sovai run` process."""

import os
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"
MEMORY_BOUND_KB = 2 * 1024 * 1024
SIZE_BYTES = 100 * 1000 * 1000
VENDORS = ["nvidia", "amd", "intel", "google_tpu"]
REGIONS = ["global", "eu", "us", "apac"]
DAYS = 28


def write_record_file(path: Path, min_bytes: int) -> int:
    """Daily unit records for January 2026, enough rows to pass min_bytes; returns rows."""
    rows = min_bytes // 58 + 1
    index = pl.int_range(rows)
    frame = pl.select(
        period=pl.lit(date(2026, 1, 1)) + pl.duration(days=index % DAYS),
        market=pl.lit("ai_accelerators"),
        region=pl.lit(pl.Series(REGIONS)).get(index // DAYS % len(REGIONS)),
        vendor=pl.lit(pl.Series(VENDORS)).get(index // 7 % len(VENDORS)),
        quantity=index * 7919 % 1000 + 1,
        unit=pl.lit("units"),
        source=pl.lit("synthetic feed"),
    )
    frame.write_csv(path)
    assert path.stat().st_size >= min_bytes, path.stat().st_size
    return rows


def test_a_100_mb_record_file_goes_in_within_the_memory_bound(tmp_path, sovai_built):
    # The daily case: a built warehouse (a copy of the session's) and a big file landed in it;
    # the run ingests it and recomputes the market path.
    env = {**os.environ, **sovai_built.copy_to(tmp_path)}  # Great Expectations off
    landing = Path(env["SOVAI_LANDING_DIR"])
    landing.mkdir(parents=True, exist_ok=True)
    big = landing / "units-2026-01.csv"
    rows = write_record_file(big, SIZE_BYTES)
    warehouse = Path(env["SOVAI_WAREHOUSE"])
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        process = subprocess.Popen(
            [str(SOVAI), "run"], env=env, cwd=PROJECT_ROOT, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak, not other tests'
        process.returncode = os.waitstatus_to_exitcode(status)
    errors = (tmp_path / "err.txt").read_text()
    assert process.returncode == 0, errors
    print(f"100 MB case: {rows} rows, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
    assert usage.ru_maxrss < MEMORY_BOUND_KB, f"peak RSS {usage.ru_maxrss / 1024:.0f} MB"

    assert not big.exists()
    assert list((landing.parent / "processed").glob("*-units-2026-01.csv"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        groups = con.execute(
            "select count(*), min(total), max(total) from ("
            "  select period, market, region, sum(share) as total"
            "  from raw.market_shares where file_name = 'units-2026-01.csv'"
            "  group by all)"
        ).fetchall()
        periods = con.execute(
            "select count(distinct period) from analytics.market_concentration "
            "where period between date '2026-01-01' and date '2026-01-28'"
        ).fetchall()
    count, low, high = groups[0]
    assert count == DAYS * len(REGIONS)
    assert abs(low - 1) < 1e-9 and abs(high - 1) < 1e-9
    assert periods == [(DAYS,)]
