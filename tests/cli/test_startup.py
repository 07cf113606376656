"""The commands that only read the warehouse start fast: they import neither Dagster nor pandera,
which cost each `sovai` process a second or more before it does anything (an analyst's query, a
script calling `sovai sql` in a loop)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import PROJECT_ROOT
from tests.conftest import edit

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


# Runs `sovai` in this process as the script does, counting the Dagster instances it loads, the
# runs it starts, how often alembic reads Dagster's migration scripts and how often Python's
# garbage collector runs from the command's start.
COUNTING_PROBE = """
import collections, gc, sys
import dagster as dg
from alembic.script import ScriptDirectory

counts = collections.Counter()

def counting(cls, name, label):
    original = getattr(cls, name)
    def counted(*args, **kwargs):
        counts[label] += 1
        return original(*args, **kwargs)
    setattr(cls, name, counted)

counting(dg.DagsterInstance, "__init__", "instances")
counting(dg.DagsterInstance, "create_run_for_job", "runs")
counting(ScriptDirectory, "_load_revisions", "script_reads")
from pipelines.cli import main
gc.callbacks.append(lambda phase, info: counts.update(["collections"] if phase == "start" else []))
sys.argv = ["sovai", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    counts["exit"] = exit.code or 0
print("COUNTS", *(f"{key}={value}" for key, value in sorted(counts.items())), file=sys.stderr)
"""


def test_a_run_that_rebuilds_pays_once_for_the_instance_and_the_scripts_and_collects_in_batches(
    sovai_built, tmp_path
):
    """Loading Dagster's instance costs a second of CPU, and reading the migration scripts 24 ms
    each time a database of the instance is opened: a `sovai run` pays each once, however many
    runs it starts (pipelines/cli/job_runs.py, pipelines/storage_migrations.py). Python's
    garbage collector, at its default thresholds, ran about 900 times in this run and took a
    tenth of its CPU (pipelines/gc_policy.py)."""
    env = sovai_built.copy_to(tmp_path)
    edit(
        Path(env["SOVAI_SEEDS_DIR"]) / "platforms.csv", "x86_current,100,350", "x86_current,100,351"
    )
    result = subprocess.run(
        [sys.executable, "-c", COUNTING_PROBE, "run"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("COUNTS")]
    counts = {key: int(value) for key, value in (item.split("=") for item in line.split()[1:])}
    assert counts["exit"] == 0, result.stderr
    assert counts["runs"] >= 3, counts  # the observation, refresh_all and the report's run
    assert counts["instances"] == 1, counts
    # once to learn the newest revision, and once for each new run's event-log file, which
    # alembic's own stamp command marks with it
    assert counts["script_reads"] == 1 + counts["runs"], counts
    assert counts["collections"] < 100, counts
