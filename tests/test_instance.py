"""The embedded instance (dagster.yaml): Dagster's SQLite storage with the event log's files kept
open, writing the files Dagster's own SQLite storage reads; and the project's instance in a home
of its own."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import dagster as dg
import yaml

from pipelines.instance import OPEN_SHARDS, KeptOpenSqliteEventLogStorage, home_config

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dg.asset
def first() -> int:
    return 1


@dg.asset
def second(first: int) -> int:
    return first + 1


@dg.asset_check(asset=second)
def second_is_two(second: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=second == 2)


TWO_ASSETS = dg.Definitions(assets=[first, second], asset_checks=[second_is_two])


def project_instance(home: Path) -> dg.DagsterInstance:
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(home_config(home))
    return dg.DagsterInstance.from_config(str(home))


def run_two_assets(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = TWO_ASSETS.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success
    return result


def event_log_files_open(base: Path) -> set[str]:
    """The event log's database files this process holds open (index.db and run shards; SQLite
    may hold a file twice, keeping a closed connection's descriptor while another holds a lock)."""
    folder = str(base / "history" / "runs")
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed by now
            continue
    return {target for target in targets if target.startswith(folder) and target.endswith(".db")}


def test_home_config_is_the_projects_instance_with_its_folders_in_the_home(tmp_path):
    project = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    moved = yaml.safe_load(home_config(tmp_path))

    assert moved["storage"]["custom"]["class"] == "KeptOpenSqliteStorage"
    assert moved["storage"]["custom"]["config"]["base_dir"] == str(tmp_path / "storage")
    assert moved["local_artifact_storage"]["config"]["base_dir"] == str(tmp_path)
    assert moved["compute_logs"]["config"]["base_dir"] == str(tmp_path / "logs")
    for setting in ("concurrency", "telemetry", "freshness", "python_logs"):
        assert moved[setting] == project[setting], setting


def test_the_project_instance_writes_what_dagsters_own_sqlite_storage_reads(tmp_path):
    home = tmp_path / "home"
    with project_instance(home) as instance:
        assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
        run_id = run_two_assets(instance).run_id

    # The same folder as `storage: sqlite:` (Dagster's own classes) sees the run, its events,
    # its materializations and its check, as it would have before this storage
    (tmp_path / "plain").mkdir()
    plain = {"storage": {"sqlite": {"base_dir": str(home / "storage")}}}
    (tmp_path / "plain" / "dagster.yaml").write_text(yaml.safe_dump(plain))
    with dg.DagsterInstance.from_config(str(tmp_path / "plain")) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        assert instance.get_latest_materialization_event(dg.AssetKey("second")).run_id == run_id
        assert len(instance.all_logs(run_id)) > 20
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("second"), "second_is_two")]
        )
        assert list(check.values())[0].run_id == run_id

        run_id = run_two_assets(instance).run_id  # and what Dagster's own writes, it reads
    with project_instance(home) as instance:
        assert instance.get_latest_materialization_event(dg.AssetKey("second")).run_id == run_id


def test_a_run_opens_each_event_log_file_once_not_once_per_event(tmp_path, monkeypatch):
    opened: list[str] = []
    connect = sqlite3.dbapi2.connect  # the module SQLAlchemy's SQLite dialect calls

    def counting_connect(database, *args, **kwargs):
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3.dbapi2, "connect", counting_connect)
    with project_instance(tmp_path / "home") as instance:
        run_two_assets(instance)  # the index shard is made here, the run shard too
        opened.clear()
        result = run_two_assets(instance)

    events = len(result.all_events)
    event_log = [path for path in opened if "/history/runs/" in path]
    assert events > 20
    # Dagster's own storage opens a connection per statement: 60 for this run's 40-odd events.
    # Kept open: the new run's file (created, so twice), the index, Dagster's table checks.
    assert len(event_log) <= 8, event_log


def test_a_long_lived_process_keeps_at_most_a_few_event_log_files_open(tmp_path):
    with project_instance(tmp_path / "home") as instance:
        for _ in range(OPEN_SHARDS + 4):
            run_two_assets(instance)
        assert 2 <= len(event_log_files_open(tmp_path / "home" / "storage")) <= OPEN_SHARDS
        assert len(instance.get_runs()) == OPEN_SHARDS + 4
    # disposing of the instance closes them
    assert event_log_files_open(tmp_path / "home" / "storage") == set()


def test_wiping_the_event_log_closes_its_files_first_and_it_works_after(tmp_path):
    with project_instance(tmp_path / "home") as instance:
        run_two_assets(instance)
        instance.event_log_storage.wipe()
        assert instance.get_latest_materialization_event(dg.AssetKey("second")) is None
        run_id = run_two_assets(instance).run_id
        assert instance.get_latest_materialization_event(dg.AssetKey("second")).run_id == run_id


def test_the_projects_dagster_yaml_keeps_its_history_under_dagster_in_the_working_folder(
    monkeypatch, tmp_path
):
    """`sovai` and `make ui` run Dagster from the project root, with DAGSTER_HOME there."""
    monkeypatch.chdir(tmp_path)  # its relative folders land here, not in the project
    (tmp_path / "dagster.yaml").write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
        run_two_assets(instance)
    history = tmp_path / ".dagster" / "storage" / "history"
    assert (history / "runs.db").is_file()  # where `storage: sqlite:` kept them
    assert (history / "runs" / "index.db").is_file()
