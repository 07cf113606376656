"""Values from seeds and landing files are data, never SQL: quotes, semicolons and comments in a
name, a source or a file name arrive in the warehouse verbatim and change nothing else. (Every
statement takes values as parameters; names are quoted by quote_identifier / quote_literal.)"""

import json

import duckdb

from tests.conftest import edit, run_job

HOSTILE = "x'); drop table history.platform_efficiency; -- \"quoted\" ; select '1"


def test_hostile_text_in_seeds_and_a_file_name_is_stored_verbatim(warehouse, seeds, landing):
    edit(seeds / "vendors.yaml", "display_name: NVIDIA", f"display_name: {json.dumps(HOSTILE)}")
    name = "q1 'shares\"; drop table raw.vendors; --.csv"
    (landing / name).write_text(
        "period,market,region,vendor,share,source\n"
        f'2026-03-01,gpus,eu,nvidia,1.0,"{HOSTILE.replace(chr(34), chr(34) * 2)}"\n'
    )
    runs = run_job(warehouse, seeds, landing=landing)
    assert runs.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
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
