"""The market path: landing files in, concentration recomputed, quarantine and the sensor."""

import hashlib
import json
import os
import time
from datetime import date

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import build_definitions
from tests.conftest import copy_built, private_resource, run_job

SHARES_HEADER = "period,market,region,vendor,share,source\n"
TWO_PERIODS = SHARES_HEADER + (
    "2026-03-01,ai_accelerators,global,nvidia,0.80,test\n"
    "2026-03-01,ai_accelerators,global,amd,0.15,test\n"
    "2026-03-01,ai_accelerators,global,other,0.05,test\n"
    "2026-04-01,ai_accelerators,global,nvidia,0.70,test\n"
    "2026-04-01,ai_accelerators,global,amd,0.20,test\n"
    "2026-04-01,ai_accelerators,global,intel,0.10,test\n"
)


def query(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_share_file_with_several_periods_adds_them_with_hand_computed_hhi(built):
    warehouse, seeds, landing = built
    (landing / "shares-2026.csv").write_text(TWO_PERIODS)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success

    rows = query(
        warehouse,
        "select period, round(hhi, 6), round(hhi_upper, 6), round(delta_hhi, 6), top_mover, "
        "class_2010, class_2023 from analytics.market_concentration_history order by period",
    )
    assert rows == [
        (
            date(2026, 2, 1),
            7338.0,
            7338.0,
            None,
            None,
            "highly_concentrated",
            "highly_concentrated",
        ),
        # 80^2 + 15^2 = 6625, plus 5^2 for the unallocated 'other' in the upper bound
        (
            date(2026, 3, 1),
            6625.0,
            6650.0,
            -713.0,
            "nvidia",
            "highly_concentrated",
            "highly_concentrated",
        ),
        # 70^2 + 20^2 + 10^2 = 5400
        (
            date(2026, 4, 1),
            5400.0,
            5400.0,
            -1225.0,
            "nvidia",
            "highly_concentrated",
            "highly_concentrated",
        ),
    ]
    processed = list((landing.parent / "processed").iterdir())
    assert [path.name.split("-", 1)[1] for path in processed] == ["shares-2026.csv"]
    sha = processed[0].name.split("-", 1)[0]
    assert query(
        warehouse,
        "select count(*) from raw.market_shares where starts_with(file_sha256, ?)",
        [sha],
    ) == [(6,)]
    assert not list(landing.iterdir())


def test_a_record_file_gives_the_same_concentration_as_the_equivalent_share_file(
    tmp_path, seeds, built_template
):
    records = "period,market,region,vendor,quantity,unit\n" + "".join(
        f"2026-03-01,ai_accelerators,global,{vendor},{quantity},units\n"
        for vendor, quantity in [("nvidia", 500), ("amd", 150), ("nvidia", 300), ("other", 50)]
    )
    shares = SHARES_HEADER + (
        "2026-03-01,ai_accelerators,global,nvidia,0.80,test\n"
        "2026-03-01,ai_accelerators,global,amd,0.15,test\n"
        "2026-03-01,ai_accelerators,global,other,0.05,test\n"
    )
    results = []
    for kind, text in [("records", records), ("shares", shares)]:
        landing = tmp_path / kind / "landing"
        landing.mkdir(parents=True)
        (landing / f"{kind}.csv").write_text(text)
        warehouse = copy_built(built_template, tmp_path / kind / "warehouse.duckdb")
        assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
        results.append(
            query(
                warehouse,
                "select period, round(hhi, 9), round(hhi_upper, 9), n_vendors, cr1, class_2023 "
                "from analytics.market_concentration where market = 'ai_accelerators' "
                "order by period",
            )
        )
    assert results[0] == results[1]
    (march,) = [row for row in results[0] if str(row[0]) == "2026-03-01"]
    assert march[1] == 6625.0


def test_a_malformed_file_is_quarantined_and_the_good_file_beside_it_goes_in(built):
    warehouse, seeds, landing = built
    before = query(warehouse, "select * from at_version('market_concentration', 1)")
    (landing / "good.csv").write_text(TWO_PERIODS)
    (landing / "bad.csv").write_text(
        SHARES_HEADER + "2026-05-01,ai_accelerators,global,nvidia,not-a-number,test\n"
    )
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success

    quarantine = landing.parent / "quarantine"
    assert sorted(path.name for path in quarantine.iterdir()) == ["bad.csv", "bad.csv.errors.json"]
    report = json.loads((quarantine / "bad.csv.errors.json").read_text())
    assert report["problems"][0] | {"file": None} == {
        "file": None,
        "row": "line 2",
        "column": "share",
        "rule": "must be a finite number",
        "value": "not-a-number",
    }
    periods = query(warehouse, "select distinct period from analytics.market_concentration")
    assert sorted(period for (period,) in periods) == [
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
    assert query(warehouse, "select * from at_version('market_concentration', 1)") == before


def landing_check(runs) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        event.event_specific_data
        for event in runs.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.event_specific_data.check_name == "landing_files_valid"
    ]
    return evaluation


def test_a_refused_file_fails_the_landing_check_on_every_run_until_it_is_fixed(built):
    """Not silently green: the run after the one that refused the file still fails the check
    (an operator looking the next morning sees it); landing the fixed file clears it."""
    warehouse, seeds, landing = built
    (landing / "shares.csv").write_text(SHARES_HEADER + "2026-05-01,ai_accelerators,global,x,2,t\n")
    first = landing_check(run_job(warehouse, seeds, job="market_refresh", landing=landing))
    assert (first.passed, first.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert "sovai quarantine release shares.csv" in first.description

    second = landing_check(run_job(warehouse, seeds, job="market_refresh", landing=landing))
    assert not second.passed
    assert "still wait in quarantine" in second.description
    assert "shares.csv.errors.json" in second.description

    (landing / "shares.csv").write_text(TWO_PERIODS)  # fixed, landed again under its name
    fixed = landing_check(run_job(warehouse, seeds, job="market_refresh", landing=landing))
    assert fixed.passed
    resolved = landing.parent / "quarantine" / "resolved"
    assert sorted(path.name for path in resolved.iterdir()) == [
        "shares.csv",
        "shares.csv.errors.json",
    ]


def test_files_with_250_character_names_go_in_or_to_quarantine_and_the_next_run_is_clean(built):
    """Their kept copies get shortened names (hash prefix or `.errors.json` would pass 255
    bytes); the warehouse row and the report keep the real name."""
    warehouse, seeds, landing = built
    good, bad = "g" * 246 + ".csv", "b" * 246 + ".csv"
    (landing / good).write_text(TWO_PERIODS)
    (landing / bad).write_text(SHARES_HEADER + "2026-05-01,ai_accelerators,global,x,2,t\n")
    first = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert first.success and not list(landing.iterdir())
    assert query(
        warehouse, "select distinct file_name from raw.market_shares where period >= '2026-03-01'"
    ) == [(good,)]
    (report_path,) = (landing.parent / "quarantine").glob("*.errors.json")
    report = json.loads(report_path.read_text())
    assert report["file"] == bad and report["quarantined_as"] != bad
    assert f"as {report['quarantined_as']} beside" in landing_check(first).description

    second = run_job(warehouse, seeds, job="market_refresh", landing=landing)
    assert second.success, "a later run must not trip over the long names"


def test_a_released_file_no_longer_fails_the_landing_check(built):
    from pipelines.ingest.quarantine import release

    warehouse, seeds, landing = built
    (landing / "bad.csv").write_text("not,a,share,file\n1,2,3,4\n")
    assert not landing_check(
        run_job(warehouse, seeds, job="market_refresh", landing=landing)
    ).passed
    release(private_resource(warehouse, seeds, landing).settings(), ["bad.csv"])
    assert landing_check(run_job(warehouse, seeds, job="market_refresh", landing=landing)).passed
    assert (landing.parent / "quarantine" / "released" / "bad.csv").exists()


def test_a_later_file_replaces_a_period_and_the_earlier_figures_stay_in_history(built):
    warehouse, seeds, landing = built
    (landing / "first.csv").write_text(TWO_PERIODS)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    (landing / "revision.csv").write_text(
        SHARES_HEADER
        + "2026-04-01,ai_accelerators,global,nvidia,0.50,revised\n"
        + "2026-04-01,ai_accelerators,global,amd,0.50,revised\n"
    )
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success

    assert query(
        warehouse,
        "select period, hhi from analytics.market_concentration where period >= '2026-03-01' "
        "order by 1",
    ) == [(date(2026, 3, 1), pytest.approx(6625.0)), (date(2026, 4, 1), pytest.approx(5000.0))]
    assert query(
        warehouse,
        "select vendor, share from raw.market_shares where period = '2026-04-01' order by 1",
    ) == [("amd", 0.5), ("nvidia", 0.5)]
    versions = query(
        warehouse,
        "select max(version) from meta.table_versions where table_name = 'raw_market_shares'",
    )[0][0]
    assert query(
        warehouse,
        "select count(*) from at_version('raw_market_shares', ?) where period = '2026-04-01'",
        [versions - 1],
    ) == [(3,)]


def test_revising_a_period_also_recomputes_the_next_periods_delta_and_top_mover(built):
    """History is recomputed from a run's first period on, since each row compares a period with
    the one before it; periods before the run keep their rows."""
    warehouse, seeds, landing = built
    (landing / "first.csv").write_text(TWO_PERIODS)
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    february = "select * from history.market_concentration_history where period = '2026-02-01'"
    february_rows = query(warehouse, february)
    (landing / "march-revised.csv").write_text(
        SHARES_HEADER
        + "2026-03-01,ai_accelerators,global,nvidia,0.70,revised\n"
        + "2026-03-01,ai_accelerators,global,amd,0.30,revised\n"
    )
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success

    rows = query(
        warehouse,
        "select period, round(hhi, 6), round(delta_hhi, 6), top_mover, "
        "round(top_mover_hhi_change, 6) from analytics.market_concentration_history "
        "where period >= '2026-03-01' order by period",
    )
    assert rows == [
        # 70^2 + 30^2 = 5800 against February's 7338; nvidia's term fell 7225 -> 4900
        (date(2026, 3, 1), 5800.0, -1538.0, "nvidia", -2325.0),
        # April (70/20/10 = 5400) now follows the revised March: amd's term fell 900 -> 400
        (date(2026, 4, 1), 5400.0, -400.0, "amd", -500.0),
    ]
    assert query(warehouse, february) == february_rows  # not republished


def test_of_two_files_in_one_run_the_later_one_is_in_force_and_both_are_in_history(built):
    """Each accepted file is its own version of raw.market_shares, in the order the files came
    (oldest first), all published by the one run."""
    warehouse, seeds, landing = built
    (landing / "early.csv").write_text(TWO_PERIODS)
    (landing / "late.csv").write_text(
        SHARES_HEADER
        + "2026-04-01,ai_accelerators,global,nvidia,0.50,late\n"
        + "2026-04-01,ai_accelerators,global,amd,0.50,late\n"
    )
    os.utime(landing / "early.csv", (1_700_000_000, 1_700_000_000))
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success

    in_force = "select period, vendor, share, file_name from raw.market_shares "
    assert query(warehouse, in_force + "where period = '2026-04-01' order by vendor") == [
        (date(2026, 4, 1), "amd", 0.5, "late.csv"),
        (date(2026, 4, 1), "nvidia", 0.5, "late.csv"),
    ]
    assert query(warehouse, in_force + "where period = '2026-03-01'")[0][3] == "early.csv"
    replaced = query(
        warehouse,
        "select vendor, share, _retired_in - _version from history.raw_market_shares "
        "where file_name = 'early.csv' and period = '2026-04-01' order by vendor",
    )
    assert replaced == [("amd", 0.2, 1), ("intel", 0.1, 1), ("nvidia", 0.7, 1)]
    assert query(
        warehouse, "select hhi from analytics.market_concentration where period = '2026-04-01'"
    ) == [(pytest.approx(5000.0),)]


def test_the_sensor_requests_one_run_keyed_by_the_new_files(built):
    warehouse, seeds, landing = built
    resource = private_resource(warehouse, seeds, landing)
    sensor = build_definitions(resource).resolve_sensor_def("landing_sensor")
    with dg.build_sensor_context(resources={"warehouse": resource}) as context:
        assert isinstance(sensor(context), dg.SkipReason)
    (landing / "shares-2026.csv").write_text(TWO_PERIODS)
    with dg.build_sensor_context(resources={"warehouse": resource}) as context:
        waiting = sensor(context)  # just written: maybe still being copied in
    assert isinstance(waiting, dg.SkipReason)
    assert "Waiting for shares-2026.csv to stay unchanged" in waiting.skip_message
    a_minute_ago = time.time() - 60
    os.utime(landing / "shares-2026.csv", (a_minute_ago, a_minute_ago))
    with dg.build_sensor_context(resources={"warehouse": resource}) as context:
        request = sensor(context)
    assert isinstance(request, dg.RunRequest)
    sha = hashlib.sha256(TWO_PERIODS.encode()).hexdigest()
    assert request.run_key == sha[:16]
    assert not request.tags  # no partitions: the run finds what changed by itself


def test_parquet_share_and_record_files_go_in_like_csv(built):
    import polars as pl

    warehouse, seeds, landing = built
    pl.DataFrame(
        {
            "period": [date(2026, 3, 1)] * 2,
            "market": ["ai_accelerators"] * 2,
            "region": ["global"] * 2,
            "vendor": ["nvidia", "amd"],
            "share": [0.6, 0.4],
            "source": ["parquet test"] * 2,
        }
    ).write_parquet(landing / "shares.parquet")
    pl.DataFrame(
        {
            "period": [date(2026, 4, 1)] * 3,
            "market": ["ai_accelerators"] * 3,
            "region": ["europe"] * 3,
            "vendor": ["nvidia", "intel", "nvidia"],
            "quantity": [30.0, 50.0, 20.0],
        }
    ).write_parquet(landing / "records.parquet")
    assert run_job(warehouse, seeds, job="market_refresh", landing=landing).success
    assert query(
        warehouse,
        "select period, region, hhi from analytics.market_concentration "
        "where period > '2026-02-01' order by 1",
    ) == [
        (date(2026, 3, 1), "global", pytest.approx(60**2 + 40**2)),
        (date(2026, 4, 1), "europe", pytest.approx(50**2 + 50**2)),
    ]
    assert len(list((landing.parent / "processed").iterdir())) == 2


def test_the_sensor_and_schedule_wait_for_the_warehouse_to_be_built(tmp_path, seeds, landing):
    """On a fresh instance the seed market file is new, but its vendors are not published yet."""
    resource = private_resource(tmp_path / "none" / "warehouse.duckdb", seeds, landing)
    definitions = build_definitions(resource)
    with dg.build_sensor_context(resources={"warehouse": resource}) as context:
        skipped = definitions.resolve_sensor_def("landing_sensor")(context)
    assert isinstance(skipped, dg.SkipReason)
    assert "not built yet" in skipped.skip_message
    schedule = definitions.resolve_schedule_def("daily_market_refresh")
    with dg.build_schedule_context(resources={"warehouse": resource}) as context:
        skipped = schedule(context)
    assert isinstance(skipped, dg.SkipReason) and "not built yet" in skipped.skip_message
