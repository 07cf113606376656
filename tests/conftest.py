"""Shared fixtures: a private copy of the seeds and a private warehouse for each test."""

import gc
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from filelock import FileLock

from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# The test files that take longest, longest first (measured with --durations=0 on 2 cores, all
# files' times summed). pytest-xdist hands whole files to its workers in collection order
# (--no-loadscope-reorder, see pyproject.toml), so starting with these keeps a long file from
# starting last while the other workers sit idle. The first files alternate between those that
# wait for the session's build (sovai_built) and those that do not need it.
SLOW_FILES = [
    "tests/test_postgres_instance.py",  # a build, refreshes, run faults, a daemon on PostgreSQL
    "tests/e2e/test_dagster_ui.py",  # two full builds in the UI's run worker, a browser
    "tests/warehouse/test_run_faults.py",
    "tests/assets/test_refresh.py",
    "tests/ingest/test_bad_input_corpus.py",
    "tests/cli/test_refresh.py",
    "tests/checks/test_asset_checks.py",
    "tests/scripts/test_bench_market_refresh.py",
    "tests/test_readme_queries.py",
    "tests/warehouse/test_kill_trials.py",
    "tests/cli/test_run_changed.py",
    "tests/assets/test_market_refresh.py",
    "tests/assets/test_reports.py",
    "tests/test_make_ui.py",
    "tests/assets/test_market_scope.py",
    "tests/assets/test_hardware.py",
    "tests/cli/test_build_and_sql.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def slow_rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return SLOW_FILES.index(path) if path in SLOW_FILES else len(SLOW_FILES)

    items.sort(key=slow_rank)  # stable: the other files keep their order after the slow ones


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    """Change one occurrence of a text in a file (the test fails if it is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


@dataclass(frozen=True)
class SovaiBuild:
    """A project folder built by one `sovai run` from nothing (the user's first run): its seeds,
    warehouse and reports (wh/), the Dagster home that holds the run's history, and what the
    run printed."""

    root: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def warehouse(self) -> Path:
        return self.root / "wh" / "warehouse.duckdb"

    @property
    def env(self) -> dict[str, str]:
        """`sovai`'s environment on this folder (tests/cli/runner.py); nothing is written, as
        other workers may be copying it."""
        from tests.cli.runner import project_env

        return project_env(self.root) | {"SOVAI_EXPECTATIONS": "on"}

    def copy_to(self, folder: Path) -> dict[str, str]:
        """A copy of the build in folder, its Dagster home included (copy_project)."""
        return copy_project(self.root, folder)


def copy_project(source: Path, folder: Path) -> dict[str, str]:
    """A copy of a built project folder (private_env's layout: seeds, wh/ with the warehouse, the
    copy of its previous version and the reports, and the Dagster home if it has one) in folder,
    and `sovai`'s environment on it (expectations off, as private_env, which also gives the copied
    home a dagster.yaml naming its own folders instead of the source's). A `sovai run` on the
    copy of a home finds everything up to date, as a second run in the source does, so a test
    pays only for what it changes."""
    from tests.cli.runner import private_env

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "seeds", folder / "seeds")
    if (source / "dagster_home").exists():
        shutil.copytree(source / "dagster_home", folder / "dagster_home")
    shutil.copytree(source / "wh", folder / "wh")
    return private_env(folder)


@pytest.fixture(scope="session")
def sovai_built(tmp_path_factory: pytest.TempPathFactory) -> SovaiBuild:
    """One `sovai run` from nothing, Great Expectations on, for the whole session: the tests of
    a first run read what it printed, the others copy its warehouse (a copy costs milliseconds,
    a run 30 to 40 seconds) or the whole folder with its Dagster home (SovaiBuild.copy_to). The
    pytest-xdist workers share it: the first to ask builds it, under a file lock, the others
    wait. Nobody changes it."""
    from tests.cli.runner import private_env, sovai

    # Under xdist each worker's base folder sits in the session's; alone, the session's own.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    root = shared / "sovai-built"
    outcome = root / "run.json"
    with FileLock(str(shared / "sovai-built.lock")):
        if not outcome.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            result = sovai("run", env=private_env(root) | {"SOVAI_EXPECTATIONS": "on"})
            printed = {"returncode": result.returncode, "stdout": result.stdout}
            outcome.write_text(json.dumps(printed | {"stderr": result.stderr}))
    build = SovaiBuild(root, **json.loads(outcome.read_text()))
    assert build.returncode == 0, build.stderr
    return build


@pytest.fixture(scope="session")
def built_template(sovai_built: SovaiBuild) -> Path:
    """The session's built warehouse (every table, the seeds' market file in), for tests that
    copy it (copy_built, `built`) and never change it."""
    return sovai_built.warehouse


def copy_built(built_template: Path, warehouse: Path) -> Path:
    """A copy of the session's built warehouse at warehouse (its folder created)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built_template, warehouse)
    return warehouse


@pytest.fixture
def built(built_template: Path, warehouse: Path, seeds: Path, landing: Path):
    """A built warehouse of the test's own (a copy of the session's), its seeds and landing."""
    copy_built(built_template, warehouse)
    return warehouse, seeds, landing


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "landing"
    folder.mkdir(parents=True)
    return folder


class Runs:
    """The results of the runs `sovai run` makes (refresh_all, then market_refresh), as one."""

    def __init__(self, results: list[dg.ExecuteInProcessResult]):
        self.results = results
        self.success = all(result.success for result in results)
        self.all_events = [event for result in results for event in result.all_events]

    def get_asset_materialization_events(self):
        return [e for result in self.results for e in result.get_asset_materialization_events()]


def private_resource(warehouse: Path, seeds: Path, landing: Path) -> WarehouseResource:
    """The warehouse resource on a test's own folders (temporary, so outside the project)."""
    return WarehouseResource(
        allow_outside_project=True,
        warehouse_path=str(warehouse),
        seeds_dir=str(seeds),
        landing_dir=str(landing),
    )


def run_selection(
    warehouse: Path,
    seeds: Path,
    selection: dg.AssetSelection,
    *,
    instance: dg.DagsterInstance | None = None,
    expectations: bool = False,
) -> Runs:
    """A real in-process run of the selected assets or checks only, on the given paths."""
    resource = private_resource(warehouse, seeds, seeds.parent / "no-landing")
    job = dg.define_asset_job("selected", selection=selection)
    definitions = dg.Definitions.merge(
        build_definitions(resource, expectations=expectations), dg.Definitions(jobs=[job])
    )
    result = definitions.resolve_job_def("selected").execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    return Runs([result])


def run_with_upstream(
    warehouse: Path,
    seeds: Path,
    *keys: dg.AssetKey,
    instance: dg.DagsterInstance | None = None,
) -> Runs:
    """A real in-process run of some assets and everything they read, as "Materialize" with
    their upstream does in the UI: for tests of one path that need not rebuild the rest."""
    selection = dg.AssetSelection.assets(*keys).upstream()
    return run_selection(warehouse, seeds, selection, instance=instance)


def run_job(
    warehouse: Path,
    seeds: Path,
    job: str = "all",
    landing: Path | None = None,
    expectations: bool = False,
    instance: dg.DagsterInstance | None = None,
    tags: dict[str, str] | None = None,
) -> Runs:
    """Real in-process Dagster runs of the project's jobs on the given paths.

    Great Expectations checks are left out unless asked for (they add seconds to every run;
    asked for, the data_quality job runs after the build, as its sensor starts it); the table
    checks always run. Pass an instance to keep run history across calls; tags go to
    the market run (e.g. the recompute tags of pipelines/assets/recompute.py)."""
    resource = private_resource(warehouse, seeds, landing or seeds.parent / "no-landing")
    definitions = build_definitions(resource, expectations=expectations)
    results = []
    if job in ("all", "refresh_all"):
        results.append(
            definitions.resolve_job_def("refresh_all").execute_in_process(
                instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
            )
        )
        if not results[-1].success:
            return Runs(results)
    if job in ("all", "market_refresh"):
        results.append(
            definitions.resolve_job_def("market_refresh").execute_in_process(
                instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=tags
            )
        )
    if expectations and results[-1].success:  # the run the quality sensor starts after a build
        results.append(
            definitions.resolve_job_def("data_quality").execute_in_process(
                instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
            )
        )
    return Runs(results)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported and made (Dagster, the definitions, the test items) lives as long
    as the worker: moved out of the garbage collector's sight, the collections the in-process runs
    set off do not walk it each time (tests/assets' market files: 5 to 11% less CPU, alternating
    runs with and without)."""
    gc.freeze()
