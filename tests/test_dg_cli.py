"""The dg CLI, Dagster 1.13's current convention, knows the project from pyproject.toml."""

import json
import subprocess

from tests.cli.runner import PROJECT_ROOT

DG = PROJECT_ROOT / ".venv" / "bin" / "dg"


def dg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DG), *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )


def test_dg_checks_and_lists_the_code_location_make_ui_serves():
    checked = dg("check", "defs")
    assert checked.returncode == 0, checked.stderr
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr
    listed = dg("list", "defs", "--json")
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assets = {asset["asset_key"] for asset in found["assets"]}
    assert {"analytics/platform_efficiency", "raw/platforms", "reports/index"} <= assets
    jobs = {job["name"] for job in found["jobs"]}
    assert {"refresh_all", "market_refresh", "data_quality", "observe_sources"} <= jobs
