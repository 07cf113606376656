"""The startup benchmark runs on a built warehouse and reports each command beside the floor."""

import subprocess
import sys

from tests.cli.runner import PROJECT_ROOT


def test_the_benchmark_times_each_reading_command_beside_the_floor(built_template):
    result = subprocess.run(
        [sys.executable, "scripts/bench_cli_startup.py", "--repeat", "1"]
        + ["--warehouse", str(built_template)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("command (a new process each run)")
    labels = [line.rsplit(None, 3)[0] for line in lines[1:]]
    assert labels == [
        'sovai sql "select count(*) from analytics.platform_efficiency"',
        "sovai tables",
        "sovai query lowest-co2-platform",
        "sovai versions raw.platforms",
        "floor: python, import duckdb, the query",
    ]
    assert all(float(line.split()[-3]) > 0 for line in lines[1:])
