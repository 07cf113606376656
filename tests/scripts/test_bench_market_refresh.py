"""The benchmark script runs end to end at a small size and reports every measure."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_reports_times_ratio_memory_and_backfill_at_a_small_size():
    result = subprocess.run(
        [
            sys.executable,
            "scripts/bench_market_refresh.py",
            *("--rows", "20000", "--days", "5", "--backfill-days", "10", "--repeat", "2"),
            "--no-write",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for measure in [
        "20,000 rows",
        "the median of 2 runs each",
        "(a) pipeline path",
        "(a') the same as a Dagster run",
        "(b) bare DuckDB",
        "ratio (a) / (b)",
        "ratio (a') / (b)",
        "(c) bare DuckDB doing the same work",
        "ratio (c) / (b)",
        "peak memory",
        "backfill of 10 daily partitions",
        "Checked: (a) published the baseline's HHI for all",
        "- publish analytics.market_concentration_history:",
    ]:
        assert measure in result.stdout
