"""A market refresh killed with SIGKILL at random moments leaves a whole warehouse, and the next
refresh completes it: concentration covers every period of the shares, and each period's delta
is against the period before. A few trials here; `python scripts/kill_trials.py --trials 200`
runs hundreds."""

import importlib.util
import sys

import duckdb

from tests.cli.runner import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location(
    "kill_trials", PROJECT_ROOT / "scripts" / "kill_trials.py"
)
kill_trials = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = kill_trials  # its dataclass looks its module up
_spec.loader.exec_module(kill_trials)


def test_refreshes_killed_at_random_moments_leave_a_whole_warehouse_that_the_next_run_completes(
    tmp_path, built_template
):
    project = kill_trials.set_up(
        tmp_path / "project", built_template.parent.parent / "seeds", built_template
    )
    assert kill_trials.run_trials(project, trials=2, seed=13) == []


def test_the_checks_find_a_lagging_concentration_and_a_delta_against_the_wrong_period(tmp_path):
    """The trials' checks are not vacuous: March has shares but no concentration row, and
    April's delta is measured against February (the issue's symptom) instead of March."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create schema analytics")
        con.execute(
            "create table raw.market_shares as select * from (values "
            "(date '2026-02-01', 'gpus', 'global', 'nvidia', 0.5), "
            "(date '2026-03-01', 'gpus', 'global', 'nvidia', 0.6), "
            "(date '2026-04-01', 'gpus', 'global', 'nvidia', 0.7)) "
            "t(period, market, region, vendor, share)"
        )
        con.execute(
            "create table analytics.market_concentration as select * from (values "
            "(date '2026-02-01', 'gpus', 'global', 2500.0), "
            "(date '2026-04-01', 'gpus', 'global', 4900.0)) t(period, market, region, hhi)"
        )
        con.execute(
            "create table analytics.market_concentration_history as select * from (values "
            "(date '2026-02-01', 'gpus', 'global', null, null), "
            "(date '2026-04-01', 'gpus', 'global', date '2026-02-01', 2400.0)) "
            "t(period, market, region, previous_period, delta_hhi)"
        )
    assert kill_trials.coverage_problems(warehouse) == [
        "no concentration row for 2026-03-01 gpus/global"
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into analytics.market_concentration values "
            "(date '2026-03-01', 'gpus', 'global', 3600.0)"
        )
    problems = kill_trials.coverage_problems(warehouse)
    assert any(
        p.startswith("history of 2026-04-01 gpus/global: previous 2026-02-01") for p in problems
    )
    assert any(p.startswith("history of 2026-03-01") for p in problems)  # no history row
