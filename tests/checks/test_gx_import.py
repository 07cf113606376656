"""Great Expectations is imported without loading scipy.stats, which still loads when used."""

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys, time
started = time.process_time()
from pipelines.checks.gx_import import import_great_expectations
gx = import_great_expectations()
print(round(time.process_time() - started, 2), file=sys.stderr)
print("scipy.stats._stats_py" in sys.modules)
from scipy import stats
print(round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4))
print("scipy.stats._stats_py" in sys.modules)
print(gx.expectations.ExpectColumnKLDivergenceToBeLessThan.__name__)
"""


def test_gx_loads_without_scipy_stats_and_scipy_stats_loads_on_first_use():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",  # not loaded by GX's import
        "0.5108",  # the KL divergence of (0.5, 0.5) from (0.9, 0.1), by scipy.stats
        "True",
        "ExpectColumnKLDivergenceToBeLessThan",
    ]


def test_the_benchmark_reports_both_imports():
    result = subprocess.run(
        [sys.executable, "scripts/bench_gx_import.py", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 runs each; CPU-seconds (user + system)"
    for label in ("import great_expectations (GX", "import_great_expectations() (scipy"):
        (row,) = [line for line in lines if line.startswith(label)]
        assert all(float(number) > 0 for number in row.split()[-3:]), row
