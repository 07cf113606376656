"""`sovai versions` and `sovai diff` on a warehouse built by two real Dagster runs, the second
after seed edits whose effect on each table is worked out by hand below."""

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.keys import declared_keys
from tests.cli.runner import no_traceback, private_env, sovai
from tests.conftest import copy_built, edit, run_job

# Between the runs, seeds/policy/us.yaml gets CHIPS Act funding of 300 bn USD instead of 280 bn,
# and a new instrument in place of the AI Safety Institute; assumptions.yaml a grid intensity of
# 0.5 kg CO2/kWh instead of 0.4.
AI_SAFETY_INSTITUTE = """  - instrument: ai_safety_institute
    kind: infrastructure_investment
    funding_usd: 140000000
    earmarked_usd: 140000000
    earmarked_for: AI model evaluation and standards
    earmark_scope: ai
    article_label: ai_specific_allocation
    start_year: null
    end_year: null
    focus: [evaluation_red_teaming, standards_development]
"""
GENESIS_MISSION = """  - instrument: genesis_mission
    kind: infrastructure_investment
    funding_usd: 500000000
    earmarked_usd: 500000000
    earmarked_for: AI for science
    earmark_scope: ai
    article_label: null
    start_year: 2026
    end_year: 2027
    focus: [scientific_ai]
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory, built_template) -> dict[str, str]:
    env = private_env(tmp_path_factory.mktemp("history"))
    seeds, warehouse = Path(env["SOVAI_SEEDS_DIR"]), Path(env["SOVAI_WAREHOUSE"])
    copy_built(built_template, warehouse)  # every table at version 1
    us = seeds / "policy" / "us.yaml"
    edit(us, "funding_usd: 280000000000", "funding_usd: 300000000000")
    edit(us, AI_SAFETY_INSTITUTE, GENESIS_MISSION)
    edit(seeds / "assumptions.yaml", "grid_kg_co2_per_kwh: 0.4", "grid_kg_co2_per_kwh: 0.5")
    assert run_job(warehouse, seeds, job="refresh_all").success
    return env


def versions(table: str, env: dict[str, str]) -> list[dict]:
    result = sovai("versions", table, "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def diff(table: str, before: int, after: int, env: dict[str, str]) -> dict:
    result = sovai("diff", table, str(before), str(after), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_versions_lists_each_version_with_the_rows_it_added_and_retired(env):
    log = versions("analytics.policy_instruments", env)
    assert [v["version"] for v in log] == [1, 2]
    assert [v["rows"] for v in log] == [8, 8]
    # v2 adds genesis_mission and the new chips_act row, retires the old one and the institute
    assert [(v["rows_added"], v["rows_retired"]) for v in log] == [(8, 0), (2, 2)]
    assert log[0]["run_id"] != log[1]["run_id"]
    assert all(v["published_at_utc"] and v["code_version"] for v in log)


def test_a_table_the_edit_does_not_touch_keeps_one_version(env):
    assert [v["version"] for v in versions("raw.vendors", env)] == [1]


def test_versions_prints_an_aligned_table_for_people(env):
    result = sovai("versions", "platform_efficiency", env=env)
    assert result.returncode == 0, result.stderr
    assert "rows_added" in result.stdout and "rows_retired" in result.stdout
    assert result.stdout.rstrip().endswith("(2 rows)")


def test_diff_shows_the_added_removed_and_changed_rows_by_key(env):
    changes = diff("policy_instruments", 1, 2, env)
    assert changes["keys"] == ["jurisdiction", "instrument"]
    assert changes["note"] is None
    assert [(r["jurisdiction"], r["instrument"]) for r in changes["added"]["rows"]] == [
        ("us", "genesis_mission")
    ]
    assert changes["added"]["rows"][0]["funding_usd_per_year"] == 250_000_000  # 500 M over 2 years
    assert [(r["jurisdiction"], r["instrument"]) for r in changes["removed"]["rows"]] == [
        ("us", "ai_safety_institute")
    ]
    assert changes["changed"]["count"] == 1
    changed = {
        v["column"]: (float(v["before"]), float(v["after"])) for v in changes["changed"]["values"]
    }
    assert {v["instrument"] for v in changes["changed"]["values"]} == {"chips_act"}
    assert changed.keys() == {"funding_usd", "earmarked_share_of_funding", "funding_usd_per_year"}
    assert changed["funding_usd"] == (280e9, 300e9)
    assert changed["earmarked_share_of_funding"] == pytest.approx((52 / 280, 52 / 300))
    assert changed["funding_usd_per_year"] == pytest.approx((280e9 / 11, 300e9 / 11))  # 2022-2032


def test_diff_of_a_raw_table_uses_its_seed_models_key(env):
    changes = diff("raw.policy_instruments", 1, 2, env)
    assert changes["keys"] == ["jurisdiction", "instrument"]
    assert [(v["column"], v["before"], v["after"]) for v in changes["changed"]["values"]] == [
        ("funding_usd", "280000000000.0", "300000000000.0")
    ]


def test_diff_of_a_table_without_keys_reports_added_and_removed_only_and_says_so(env):
    changes = diff("raw.assumptions", 1, 2, env)
    assert changes["keys"] == []
    assert "declares no key columns" in changes["note"]
    assert [r["grid_kg_co2_per_kwh"] for r in changes["added"]["rows"]] == [0.5]
    assert [r["grid_kg_co2_per_kwh"] for r in changes["removed"]["rows"]] == [0.4]
    assert changes["changed"] == {"count": 0, "values": []}
    people = sovai("diff", "raw.assumptions", "1", "2", env=env)
    assert "1 row added, 1 row removed." in people.stdout
    assert "declares no key columns" in people.stdout


def test_diff_for_people_names_the_versions_keys_and_counts(env):
    result = sovai("diff", "analytics.policy_instruments", "1", "2", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "analytics.policy_instruments: version 1 -> 2 (keys: jurisdiction, instrument)"
    )
    assert lines[1] == "1 row added, 1 row removed, 1 row changed."
    assert "genesis_mission" in result.stdout and "ai_safety_institute" in result.stdout


def test_diff_backwards_swaps_added_and_removed(env):
    changes = diff("policy_instruments", 2, 1, env)
    assert [r["instrument"] for r in changes["added"]["rows"]] == ["ai_safety_institute"]
    assert [r["instrument"] for r in changes["removed"]["rows"]] == ["genesis_mission"]


def test_every_declared_key_identifies_one_row_in_every_version(env):
    con = duckdb.connect(env["SOVAI_WAREHOUSE"], read_only=True)
    try:
        tables = con.execute(
            "select distinct view_name, table_name from meta.table_versions"
        ).fetchall()
        keyed = 0
        for view, history_table in tables:
            keys = declared_keys(view)
            if not keys:
                continue
            keyed += 1
            key_list = ", ".join(f'"{key}"' for key in keys)
            for (version,) in con.execute(
                "select version from meta.table_versions where table_name = ?", [history_table]
            ).fetchall():
                repeated = con.execute(
                    f"select {key_list} from at_version(?, ?) group by all having count(*) > 1",
                    [history_table, version],
                ).fetchall()
                assert repeated == [], f"{view} v{version}: keys {keys} repeat"
    finally:
        con.close()
    # All but raw.assumptions and analytics.accelerator_match_summary (one row each).
    assert keyed == len(tables) - 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("versions", "vendors"), "Did you mean raw.vendors"),
        (("diff", "no_such_table", "1", "2"), "sovai tables"),
        (("diff", "policy_instruments", "1", "7"), "has no version 7; it has versions 1 to 2"),
        (("diff", "raw.vendors", "0", "1"), "it has only version 1"),
    ],
)
def test_an_unknown_table_or_version_exits_1_and_says_what_exists(env, args, message):
    result = sovai(*args, env=env)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.startswith("Error: ")
    assert no_traceback(result)


@pytest.mark.parametrize(
    "args",
    [
        ("versions",),
        ("diff", "policy_instruments", "1"),
        ("diff", "policy_instruments", "one", "2"),
    ],
)
def test_a_missing_or_malformed_argument_is_a_usage_error(env, args):
    result = sovai(*args, env=env)
    assert result.returncode == 2
    assert "Usage: sovai" in result.stderr
    assert no_traceback(result)
