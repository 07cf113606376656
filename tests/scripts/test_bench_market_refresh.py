"""The benchmark script runs end to end at a small size and reports every measure."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_reports_the_dagster_run_beside_the_data_path_and_a_long_span(sovai_built):
    result = subprocess.run(
        [
            sys.executable,
            "scripts/bench_market_refresh.py",
            *("--rows", "20000", "--days", "5", "--months", "30", "--repeat", "1"),
            "--no-write",
            *("--built", str(sovai_built.root)),  # its setup copies the session's build
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for measure in [
        "20,000 rows",
        "the median of 1 runs each",
        "(a') the Dagster market_refresh run, as the schedule and the landing sensor start it",
        "(a'') then the data_quality run its sensor starts",
        "(a) the data path alone",
        "(b) bare DuckDB",
        "**ratio (a') / (b): what the user runs**",
        "ratio (a) / (b): the data path",
        "(c) bare DuckDB doing the data path's work",
        "ratio (c) / (b)",
        "peak memory",
        "`sovai refresh` of a monthly share file of 30 periods",
        "HHI as hand-computed for all 30 months",
        "one-run recompute of all 30 periods (`sovai refresh --all`)",
        "as the landing sensor starts it (`dagster job execute",
        "Checked: (a') the Dagster run published the baseline's HHI for all",
        "Checked: (a) the data path published the baseline's HHI for all",
        "- market_refresh: Finished execution of step",
        "- publish analytics.market_concentration_history:",
    ]:
        assert measure in result.stdout, measure
