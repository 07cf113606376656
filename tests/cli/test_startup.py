"""The commands that only read the warehouse start fast: they import neither Dagster nor pandera,
which cost each `sovai` process a second or more before it does anything (an analyst's query, a
script calling `sovai sql` in a loop)."""

import os
import subprocess
import sys

import pytest

from tests.cli.runner import PROJECT_ROOT

HEAVY = ("dagster", "pandera", "great_expectations")

# Runs the command in this process as the `sovai` script does, then lists the heavy libraries
# it loaded (the command's own exit is caught: only the imports matter here).
PROBE = """
import sys
from pipelines.cli import main
sys.argv = ["sovai", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = {{name.split(".")[0] for name in sys.modules}} & {heavy}
print("LOADED", *sorted(loaded), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "command",
    [
        ["sql", "select 1"],
        ["tables"],
        ["query", "lowest-co2-platform"],
        ["versions", "analytics.platform_efficiency"],
        ["diff", "analytics.platform_efficiency", "1", "1"],
    ],
)
def test_a_reading_command_imports_neither_dagster_nor_pandera(command, built_template):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *command],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SOVAI_")},
            "SOVAI_WAREHOUSE": str(built_template),
        },
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("LOADED")]
    assert line.split()[1:] == [], result.stderr
    assert "Traceback" not in result.stderr, result.stderr
