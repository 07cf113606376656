"""Where things live. The one place that reads the environment, so every entry point agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    seeds_dir: Path
    sql_dir: Path
    landing_dir: Path
    # Great Expectations suites run as asset checks unless SOVAI_EXPECTATIONS=off (they add a
    # few seconds to a run; the generic table checks always run).
    expectations: bool = True

    @property
    def processed_dir(self) -> Path:
        """Landing files that went in, kept with their content hash in the name."""
        return self.landing_dir.parent / "processed"

    @property
    def quarantine_dir(self) -> Path:
        """Landing files that failed validation, each beside a .errors.json."""
        return self.landing_dir.parent / "quarantine"


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else default


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
    )
