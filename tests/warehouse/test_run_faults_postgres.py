"""The run fault tests of test_run_faults.py where Dagster's instance plays a part (a reader
holding the file through a run, two runs at once, a run killed mid-publish), with the production
instance (deploy/dagster.yaml) on a real PostgreSQL server (tests/postgres.py), as a team's
deployment runs them. The tests are the same functions; only `project` differs: a copy of a
build whose run history is in PostgreSQL, on a database of the test's own."""

import uuid
from pathlib import Path

import pytest

from tests.cli.runner import no_traceback, sovai
from tests.conftest import copy_project
from tests.postgres import dagster_url, deploy_home, new_database, postgres_url  # noqa: F401
from tests.warehouse.test_run_faults import (  # noqa: F401  (collected here with this `project`)
    test_a_reader_session_open_for_a_whole_run_keeps_its_view_and_the_run_succeeds,
    test_a_sovai_run_killed_mid_publish_leaves_a_whole_warehouse_and_the_next_run_completes,
    test_two_sovai_runs_started_together_both_finish_with_consecutive_whole_versions,
)

HISTORY_DATABASE = "faults_template"


def on_postgres(env: dict[str, str], folder: Path, database_url: str) -> dict[str, str]:
    return env | {
        "DAGSTER_HOME": str(deploy_home(folder)),
        "DAGSTER_POSTGRES_URL": dagster_url(database_url),
    }


@pytest.fixture(scope="module")
def built_on_postgres(sovai_built, postgres_url, tmp_path_factory) -> Path:  # noqa: F811
    """A copy of the session's build with its run history in PostgreSQL: one `sovai run` of the
    copy on a new database builds every asset once (the instance has seen none) and publishes
    nothing new (the tables are unchanged). Each test copies the folder and the database."""
    folder = tmp_path_factory.mktemp("built-on-postgres")
    env = sovai_built.copy_to(folder)
    database = new_database(postgres_url, HISTORY_DATABASE)
    result = sovai("run", env=on_postgres(env, folder, database))
    assert result.returncode == 0 and no_traceback(result), result.stderr
    return folder


@pytest.fixture
def project(built_on_postgres, postgres_url, tmp_path) -> dict[str, str]:  # noqa: F811
    """`sovai`'s environment on a copy of that build and a copy of its PostgreSQL history."""
    env = copy_project(built_on_postgres, tmp_path / "project")
    database = new_database(postgres_url, f"faults_{uuid.uuid4().hex[:12]}", HISTORY_DATABASE)
    return on_postgres(env, tmp_path / "project", database)
