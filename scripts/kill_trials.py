"""Kill `sovai refresh` with SIGKILL at random moments; after each kill, check the warehouse.

    python scripts/kill_trials.py [--trials 200] [--seed 1] [--folder DIR]

A private project folder (a copy of the seeds, a warehouse built by `sovai run`, a landing folder)
under --folder (a temporary folder if not given). Each trial lands a new monthly share file of its
own periods, starts `sovai refresh --quiet`, kills it after a random delay (up to the time a whole
refresh takes), and checks:

1. the warehouse is whole: every view holds the rows its latest logged version counted, and
   every table's versions run 1, 2, ... without a gap;
2. the next `sovai refresh` exits 0 and, after it, analytics.market_concentration covers every
   period, market and region of raw.market_shares with the HHI of its shares, and the history's
   delta_hhi of every period is measured against the period just before it.

Prints one line per trial and a summary; exits 1 if any check failed. tests/warehouse/
test_kill_trials.py runs a few trials; run hundreds by hand.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from pipelines.instance import home_config  # noqa: E402 - the project's instance for each trial

SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"

_spec = importlib.util.spec_from_file_location(
    "generate_monthly_shares", PROJECT_ROOT / "scripts" / "generate_monthly_shares.py"
)
monthly = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(monthly)

COVERAGE_SQL = """
with given as (
    select period, market, region,
        sum(case when vendor <> 'other' then power(100 * share, 2) else 0 end) as hhi
    from raw.market_shares group by all
)
select 'no concentration row for ' || g.period || ' ' || g.market || '/' || g.region
from given g left join analytics.market_concentration c using (period, market, region)
where c.period is null
union all
select 'HHI of ' || g.period || ' ' || g.market || '/' || g.region || ' is ' || c.hhi
    || ', its shares give ' || g.hhi
from given g join analytics.market_concentration c using (period, market, region)
where abs(c.hhi - g.hhi) > 1e-6
union all
select 'concentration row without shares: ' || c.period || ' ' || c.market || '/' || c.region
from analytics.market_concentration c left join given g using (period, market, region)
where g.period is null
"""

HISTORY_SQL = """
with expected as (
    select period, market, region, hhi,
        lag(period) over series as previous_period,
        hhi - lag(hhi) over series as delta_hhi
    from analytics.market_concentration
    window series as (partition by market, region order by period)
)
select 'history of ' || e.period || ' ' || e.market || '/' || e.region || ': previous '
    || coalesce(h.previous_period::varchar, 'none') || ' delta '
    || coalesce(h.delta_hhi::varchar, 'none') || ', expected previous '
    || coalesce(e.previous_period::varchar, 'none') || ' delta '
    || coalesce(e.delta_hhi::varchar, 'none')
from expected e
left join analytics.market_concentration_history h using (period, market, region)
where h.period is null
    or h.previous_period is distinct from e.previous_period
    or abs(coalesce(h.delta_hhi, 0) - coalesce(e.delta_hhi, 0)) > 1e-6
"""


@dataclass
class Project:
    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "warehouse.duckdb"

    @property
    def landing(self) -> Path:
        return self.root / "data" / "landing"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SOVAI_WAREHOUSE": str(self.warehouse),
            "SOVAI_SEEDS_DIR": str(self.root / "seeds"),
            "SOVAI_LANDING_DIR": str(self.landing),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "SOVAI_EXPECTATIONS": "off",
        }

    def sovai(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(SOVAI), *args],
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=PROJECT_ROOT,
            timeout=600,
        )


def set_up(root: Path, seeds: Path, built: Path | None = None) -> Project:
    """A project of its own with every table built: a copy of built (a warehouse built from
    seeds), or a `sovai run` (neither timed nor killed)."""
    project = Project(root)
    shutil.copytree(seeds, root / "seeds")
    project.landing.mkdir(parents=True)
    (root / "dagster_home").mkdir()
    (root / "dagster_home" / "dagster.yaml").write_text(home_config(root / "dagster_home"))
    if built is not None:
        project.warehouse.parent.mkdir(parents=True)
        shutil.copyfile(built, project.warehouse)
        return project
    result = project.sovai("run", "--quiet")
    if result.returncode != 0:
        raise SystemExit(f"setting up failed: {result.stderr}")
    return project


def whole_problems(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        latest = con.execute(
            "select view_name, row_count from meta.table_versions "
            "qualify version = max(version) over (partition by table_name)"
        ).fetchall()
        problems = [
            f"{view} holds {found} rows, its latest version counted {rows}"
            for view, rows in latest
            for (found,) in [con.execute(f"select count(*) from {view}").fetchone()]
            if found != rows
        ]
        gaps = con.execute(
            "select table_name from meta.table_versions group by table_name "
            "having max(version) <> count(*)"
        ).fetchall()
    return problems + [f"{table} has a gap in its versions" for (table,) in gaps]


def coverage_problems(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(COVERAGE_SQL).fetchall() + con.execute(HISTORY_SQL).fetchall()
    return [problem for (problem,) in found]


def land(project: Project, index: int) -> None:
    """Six months of shares of its own per trial (periods from 2001 on, three years apart)."""
    start = date(2001 + 3 * (index % 8), 1 + index // 8 % 12, 1)
    series = monthly.monthly_shares(start, 6, all_other=frozenset())
    (project.landing / f"trial-{index:04d}.csv").write_text(monthly.csv_text(series))


def trial(project: Project, index: int, delay: float) -> tuple[str, list[str]]:
    land(project, index)
    started = time.monotonic()
    refresh = subprocess.Popen(
        [str(SOVAI), "refresh", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=project.env(),
        cwd=PROJECT_ROOT,
    )
    time.sleep(delay)
    finished_first = refresh.poll() is not None
    if not finished_first:
        os.kill(refresh.pid, signal.SIGKILL)
    refresh.wait(timeout=60)
    outcome = (
        f"finished before the kill (exit {refresh.returncode})"
        if finished_first
        else f"killed at {time.monotonic() - started:.2f} s"
    )
    problems = [f"after the kill: {problem}" for problem in whole_problems(project.warehouse)]
    completed = project.sovai("refresh", "--quiet")
    if completed.returncode != 0:
        problems.append(f"the next refresh exited {completed.returncode}: {completed.stderr}")
    problems += [f"after the next run: {p}" for p in whole_problems(project.warehouse)]
    problems += coverage_problems(project.warehouse)
    return outcome, problems


def run_trials(project: Project, trials: int, seed: int, first: int = 0) -> list[str]:
    """Returns every problem found; prints a line per trial."""
    rng = random.Random(seed)
    started = time.monotonic()
    timed = project.sovai("refresh", "--quiet")  # how long a refresh with nothing new takes
    longest = max(time.monotonic() - started, 1.0) * 1.5
    found = []
    for index in range(first, first + trials):
        delay = rng.uniform(0.0, longest)
        outcome, problems = trial(project, index, delay)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"trial {index}: {outcome}; {status}", flush=True)
        found += [f"trial {index}: {problem}" for problem in problems]
    if timed.returncode != 0:
        found.append(f"the timing refresh exited {timed.returncode}: {timed.stderr}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="keep the project here (default: temporary)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sovai-kill-") as temporary:
        root = args.folder or Path(temporary)
        root.mkdir(parents=True, exist_ok=True)
        project = set_up(root / "project", PROJECT_ROOT / "seeds")
        problems = run_trials(project, args.trials, args.seed)
    for problem in problems:
        print(problem)
    print(f"{args.trials} trials, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
