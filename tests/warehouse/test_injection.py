"""Values from seeds and landing files are data, never SQL: quotes, semicolons and comments in a
name, a source or a file name arrive in the warehouse verbatim and change nothing else. (Every
statement takes values as parameters; names are quoted by quote_identifier / quote_literal.)"""

import json
from pathlib import Path

import duckdb

from tests.cli.runner import sovai
from tests.conftest import edit

HOSTILE = "x'); drop table history.platform_efficiency; -- \"quoted\" ; select '1"


def test_hostile_text_in_seeds_and_a_file_name_is_stored_verbatim(sovai_built, tmp_path):
    """A user's `sovai run` after the first (a copy of the session's build): the edited seed and
    the landed file are what it builds."""
    env = sovai_built.copy_to(tmp_path / "project")
    seeds, landing = Path(env["SOVAI_SEEDS_DIR"]), Path(env["SOVAI_LANDING_DIR"])
    edit(seeds / "vendors.yaml", "display_name: NVIDIA", f"display_name: {json.dumps(HOSTILE)}")
    name = "q1 'shares\"; drop table raw.vendors; --.csv"
    landing.mkdir(parents=True, exist_ok=True)
    (landing / name).write_text(
        "period,market,region,vendor,share,source\n"
        f'2026-03-01,gpus,eu,nvidia,1.0,"{HOSTILE.replace(chr(34), chr(34) * 2)}"\n'
    )
    result = sovai("run", env=env)
    assert result.returncode == 0, result.stderr
    assert "raw/vendors" in result.stdout and "raw/market_shares" in result.stdout
    with duckdb.connect(env["SOVAI_WAREHOUSE"], read_only=True) as con:
        assert con.execute(
            "select distinct display_name from analytics.vendor_risk where vendor = 'nvidia'"
        ).fetchall() == [(HOSTILE,)]
        assert con.execute(
            "select file_name, source from raw.market_shares where region = 'eu'"
        ).fetchall() == [(name, HOSTILE)]
        assert con.execute("select count(*) from analytics.platform_efficiency").fetchall() == [
            (3,)
        ]
        assert con.execute("select count(*) from raw.vendors").fetchall() == [(4,)]
        (history_rows,) = con.execute("select count(*) from history.platform_efficiency").fetchone()
        assert history_rows >= 3  # the table the text names is still there, rows and all
