"""Where paths may point: configured paths stay in the project's data folders unless the user
set them explicitly (an environment variable, a command-line argument, allow_outside_project)."""

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource
from pipelines.settings import (
    PROJECT_ROOT,
    PathOutsideProjectError,
    SettingError,
    configured_path,
    get_settings,
)


def test_a_configured_path_inside_the_data_folders_is_resolved_against_the_project():
    assert configured_path("data/landing-2", "landing_dir") == PROJECT_ROOT / "data" / "landing-2"
    assert configured_path(PROJECT_ROOT / "seeds", "seeds_dir") == PROJECT_ROOT / "seeds"


@pytest.mark.parametrize(
    "value", ["../outside/warehouse.duckdb", "data/../../outside.duckdb", "/etc/warehouse.duckdb"]
)
def test_a_configured_path_escaping_the_data_folders_is_refused_with_the_way_to_allow_it(value):
    with pytest.raises(PathOutsideProjectError) as refused:
        configured_path(value, "warehouse_path")
    message = str(refused.value)
    assert "outside the project's data folders" in message
    assert "SOVAI_WAREHOUSE" in message and "allow_outside_project" in message


def test_a_configured_link_out_of_the_data_folders_is_followed_and_refused(tmp_path):
    link = PROJECT_ROOT / "data" / f"link-out-{tmp_path.name}"
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(tmp_path)
    try:
        with pytest.raises(PathOutsideProjectError):
            configured_path(link / "warehouse.duckdb", "warehouse_path")
    finally:
        link.unlink()


def test_a_path_set_explicitly_may_point_anywhere(tmp_path, monkeypatch):
    assert configured_path(tmp_path, "seeds_dir", explicit=True) == tmp_path.resolve()
    monkeypatch.setenv("SOVAI_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert get_settings().warehouse_path == (tmp_path / "w.duckdb").resolve()
    resource = WarehouseResource(warehouse_path=str(tmp_path), allow_outside_project=True)
    assert resource.path == tmp_path.resolve()


def test_a_run_configured_with_a_path_outside_the_project_fails_before_writing(tmp_path):
    outside = tmp_path / "warehouse.duckdb"
    resource = WarehouseResource(warehouse_path=str(outside), seeds_dir=str(PROJECT_ROOT / "seeds"))
    result = (
        build_definitions(resource, expectations=False)
        .resolve_job_def("refresh_all")
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )
    assert not result.success
    messages = [
        event.step_failure_data.error.message
        for event in result.all_events
        if event.is_step_failure
    ]
    assert any("outside the project's data folders" in message for message in messages)
    assert not outside.exists()


def test_the_daily_refresh_runs_when_sovai_refresh_cron_says(monkeypatch):
    monkeypatch.setenv("SOVAI_REFRESH_CRON", "  30 4 * * 1-5 ")
    assert get_settings().refresh_cron == "30 4 * * 1-5"
    schedule = build_definitions().resolve_schedule_def("daily_market_refresh")
    assert schedule.cron_schedule == "30 4 * * 1-5"
    assert "'30 4 * * 1-5'" in schedule.description


@pytest.mark.parametrize("value", ["every day", "0 6 * *", "61 6 * * *"])
def test_a_refresh_cron_that_is_not_one_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("SOVAI_REFRESH_CRON", value)
    with pytest.raises(SettingError) as refused:
        build_definitions()  # as the code location loads, before any schedule runs
    assert "SOVAI_REFRESH_CRON" in str(refused.value) and "five fields" in str(refused.value)
