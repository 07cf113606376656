"""`sovai refresh`, `check` and `quarantine` as a user runs them: real processes, private paths."""

import hashlib
import importlib.util
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.cli.runner import PROJECT_ROOT, no_traceback, private_env, sovai
from tests.conftest import copy_built

_spec = importlib.util.spec_from_file_location(
    "generate_monthly_shares", PROJECT_ROOT / "scripts" / "generate_monthly_shares.py"
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)


@pytest.fixture(scope="module")
def built(tmp_path_factory, built_template) -> dict[str, str]:
    """A built warehouse (a copy of the session's) and a Dagster home that has not run yet."""
    env = private_env(tmp_path_factory.mktemp("refresh"))
    copy_built(built_template, Path(env["SOVAI_WAREHOUSE"]))
    Path(env["SOVAI_LANDING_DIR"]).mkdir(parents=True, exist_ok=True)
    return env


def test_a_long_monthly_series_with_survey_gaps_refreshes_quietly_and_exits_0(built):
    """Two months wholly 'other' are a warning, not an error; one line per asset, whatever the
    number of periods; then the Great Expectations run (sovai check) warns about the same."""
    series = generator.monthly_shares(date(2008, 1, 1), 60)
    landing = Path(built["SOVAI_LANDING_DIR"])
    (landing / "gpu-shares.csv").write_text(generator.csv_text(series))

    result = sovai("refresh", env=built)
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    assert (
        sum("analytics/market_concentration " in line for line in result.stdout.splitlines()) == 1
    )
    assert "Check warning: analytics/market_concentration rows_usual" in result.stderr
    with duckdb.connect(built["SOVAI_WAREHOUSE"], read_only=True) as con:
        published = dict(
            con.execute(
                "select period, hhi from analytics.market_concentration where market = 'gpus'"
            ).fetchall()
        )
    assert published == {period: pytest.approx(generator.hhi(s)) for period, s in series.items()}

    checked = sovai("check", env={**built, "SOVAI_EXPECTATIONS": "on"})
    assert checked.returncode == 0, checked.stderr
    assert "Check warning: analytics/market_concentration great_expectations" in checked.stderr
    assert "n_vendors" in checked.stderr


def test_refresh_exits_1_while_a_refused_file_waits_until_it_is_released(built):
    landing = Path(built["SOVAI_LANDING_DIR"])
    (landing / "broken.csv").write_text(
        "period,market,region,vendor,share,source\n2026-05-01,gpus,global,nvidia,1.5,t\n"
    )
    for _ in range(2):  # the run that refused it, and the next one: both say so
        result = sovai("refresh", "--quiet", env=built)
        assert result.returncode == 1, result.stderr
        assert "broken.csv" in result.stderr and "broken.csv.errors.json" in result.stderr
        assert no_traceback(result)

    listed = sovai("quarantine", env=built)
    assert listed.returncode == 0 and "broken.csv: 2 problem(s)" in listed.stdout

    unknown = sovai("quarantine", "release", "brokn.csv", env=built)
    assert unknown.returncode == 1 and "Pending: broken.csv" in unknown.stderr

    released = sovai("quarantine", "release", "broken.csv", env=built)
    assert released.returncode == 0, released.stderr
    assert "released/broken.csv" in released.stdout
    assert sovai("refresh", "--quiet", env=built).returncode == 0


def test_a_range_that_ends_before_it_starts_is_a_usage_error(tmp_path):
    result = sovai(
        "refresh", "--from", "2010-01-01", "--to", "2009-12-01", env=private_env(tmp_path)
    )
    assert result.returncode == 2
    assert "--to is before --from" in result.stderr


# Writes a share file in two parts, holding the descriptor open between them until told to go on.
TWO_PART_WRITER = """
import sys
with open(sys.argv[1], "w") as out:
    out.write("period,market,region,vendor,share,source\\n2026-06-01,gpus,apac,nvidia,0.7,w\\n")
    out.flush()
    print("half", flush=True)
    input()
    out.write("2026-06-01,gpus,apac,amd,0.3,w\\n")
"""


def test_refresh_leaves_a_file_still_being_written_and_takes_it_whole_once_it_is_closed(built):
    """A real writer process keeps the file open between its two writes; a FIFO beside it is
    reported, never opened (opening it would hang the refresh)."""
    landing = Path(built["SOVAI_LANDING_DIR"])
    path = landing / "being-written.csv"
    writer = subprocess.Popen(
        [sys.executable, "-c", TWO_PART_WRITER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "half\n"
        os.mkfifo(landing / "pipe.csv")
        first = sovai("refresh", env=built)
    finally:
        writer.communicate("\n", timeout=30)
        (landing / "pipe.csv").unlink(missing_ok=True)
    assert first.returncode == 0, first.stderr
    assert (
        "Note: being-written.csv: open for writing by a process: still being written, left in "
        "landing for the next refresh" in first.stderr
    )
    assert "Ignored: pipe.csv: a FIFO (named pipe), not a regular file; never opened" in (
        first.stderr
    )
    assert path.exists() and no_traceback(first)

    second = sovai("refresh", "--quiet", env=built)
    assert second.returncode == 0, second.stderr
    assert not path.exists() and "being-written.csv" not in second.stderr
    (kept,) = (landing.parent / "processed").glob("*-being-written.csv")
    with duckdb.connect(built["SOVAI_WAREHOUSE"], read_only=True) as con:
        recorded = con.execute(
            "select distinct file_sha256, count(*) over () from raw.market_shares "
            "where file_name = 'being-written.csv'"
        ).fetchall()
    assert recorded == [(hashlib.sha256(kept.read_bytes()).hexdigest(), 2)]
    assert kept.read_text().count("\n") == 3, "the whole file, both parts"


def test_a_landing_path_that_is_a_file_is_a_clear_error(tmp_path):
    env = private_env(tmp_path)
    Path(env["SOVAI_LANDING_DIR"]).parent.mkdir(parents=True)
    Path(env["SOVAI_LANDING_DIR"]).write_text("not a folder")
    result = sovai("refresh", env=env)
    assert result.returncode == 1 and no_traceback(result)
    assert f"{env['SOVAI_LANDING_DIR']} is not a folder" in result.stderr
