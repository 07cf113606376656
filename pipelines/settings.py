"""Where things live. The one place that reads the environment, so every entry point agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFRESH_CRON = "0 6 * * *"


class SettingError(ValueError):
    """An environment variable holds a value the project cannot use."""


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    seeds_dir: Path
    sql_dir: Path
    landing_dir: Path
    # Great Expectations suites run as asset checks (job data_quality, after each build) unless
    # SOVAI_EXPECTATIONS=off; the generic table checks always run, in the build itself.
    expectations: bool = True
    # When the daily market refresh runs (cron, UTC): SOVAI_REFRESH_CRON, read when the code
    # location loads, so a deployment sets its hour without a code change.
    refresh_cron: str = DEFAULT_REFRESH_CRON

    @property
    def processed_dir(self) -> Path:
        """Landing files that went in, kept with their content hash in the name."""
        return self.landing_dir.parent / "processed"

    @property
    def reports_dir(self) -> Path:
        return reports_dir_of(self.warehouse_path)

    @property
    def quarantine_dir(self) -> Path:
        """Landing files that failed validation, each beside a .errors.json."""
        return self.landing_dir.parent / "quarantine"


# Where configured paths may point: the project's data folders. A path set explicitly by the
# user (an environment variable, a command-line argument) may point anywhere.
DATA_FOLDERS = ("warehouse", "data", "seeds")
ENVIRONMENT = {
    "warehouse_path": "SOVAI_WAREHOUSE",
    "seeds_dir": "SOVAI_SEEDS_DIR",
    "landing_dir": "SOVAI_LANDING_DIR",
}


def reports_dir_of(warehouse_path: Path) -> Path:
    """Charts (one PNG per chart and version) and the static report, beside the warehouse."""
    return warehouse_path.parent / "reports"


class PathOutsideProjectError(ValueError):
    """A configured path resolves outside the project's data folders."""


def configured_path(value: str | Path, setting: str, explicit: bool = False) -> Path:
    """A path from configuration, resolved (relative paths against the project, links followed)
    and refused when it escapes the data folders, unless the user set it explicitly."""
    path = Path(value).expanduser()
    resolved = (path if path.is_absolute() else PROJECT_ROOT / path).resolve()
    if explicit or any(
        resolved.is_relative_to((PROJECT_ROOT / folder).resolve()) for folder in DATA_FOLDERS
    ):
        return resolved
    raise PathOutsideProjectError(
        f"{setting} {str(value)!r} resolves to {resolved}, outside the project's data folders "
        f"({', '.join(folder + '/' for folder in DATA_FOLDERS)}). If that is intended, set it "
        f"explicitly: the {ENVIRONMENT.get(setting, 'matching SOVAI_*')} environment variable, or "
        "allow_outside_project: true beside it in the resource configuration."
    )


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else default


def env_path(variable: str) -> Path | None:
    """A path an environment variable names (sources.yaml says which), or None when unset."""
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else None


def get_settings() -> Settings:
    """Defaults point inside the project; SOVAI_WAREHOUSE, SOVAI_SEEDS_DIR and SOVAI_LANDING_DIR
    override them."""
    return Settings(
        warehouse_path=_path_from_env(
            "SOVAI_WAREHOUSE", PROJECT_ROOT / "warehouse" / "warehouse.duckdb"
        ),
        seeds_dir=_path_from_env("SOVAI_SEEDS_DIR", PROJECT_ROOT / "seeds"),
        sql_dir=PROJECT_ROOT / "sql",
        landing_dir=_path_from_env("SOVAI_LANDING_DIR", PROJECT_ROOT / "data" / "landing"),
        expectations=os.environ.get("SOVAI_EXPECTATIONS", "on").strip().lower()
        not in ("off", "0", "false", "no"),
        refresh_cron=_cron_from_env("SOVAI_REFRESH_CRON", DEFAULT_REFRESH_CRON),
    )


def _cron_from_env(variable: str, default: str) -> str:
    """The schedule's cron string as set, whitespace tidied; checked by checked_refresh_cron
    where the schedule is built, so the commands that never build it need not import Dagster
    (its import costs each `sovai` process about a second)."""
    return " ".join(os.environ.get(variable, "").split()) or default


def checked_refresh_cron(settings: Settings) -> str:
    """A five-field cron string; a bad one is refused by name when the code location loads
    (`sovai run`, `make ui`, the daemon) rather than left to fail later in the scheduler daemon,
    far from where it was set."""
    from dagster._utils.schedules import is_valid_cron_string

    value = settings.refresh_cron
    if not is_valid_cron_string(value):
        raise SettingError(
            f"SOVAI_REFRESH_CRON={value!r} is not a cron schedule: five fields, minute hour "
            f"day-of-month month day-of-week, e.g. {DEFAULT_REFRESH_CRON!r} (every day at 06:00 "
            "UTC)."
        )
    return value
