"""Record-file groups whose shares cannot be right: a total too large for a float (every share
would be 0) and quantities in more than one unit (counts added to money). Each is refused naming
the group; a file that keeps to one unit per group goes in."""

import duckdb
import pytest

from models import market_records
from models.validation import SeedValidationError
from pipelines.ingest.landing import shares_from_file
from tests.ingest.test_landing import VENDORS, landed

HEADER = "period,market,region,vendor,quantity,unit\n"


def refused(file) -> list[tuple[str, str, str]]:
    with pytest.raises(SeedValidationError) as caught:
        shares_from_file(file, VENDORS)
    return [(p.row, p.column, p.rule) for p in caught.value.problems]


@pytest.mark.parametrize("second_vendor", ["amd", "nvidia"])
def test_a_group_whose_total_overflows_is_refused_by_group(tmp_path, second_vendor):
    file = landed(
        tmp_path,
        HEADER + "2026-03-01,gpus,eu,nvidia,1e308,units\n"
        f"2026-03-01,gpus,eu,{second_vendor},1e308,units\n"
        "2026-03-01,gpus,us,amd,5,units\n",
    )
    ((row, column, rule),) = refused(file)
    assert (row, column) == ("records of 2026-03-01 gpus/eu", "quantity")
    assert "more than a number can hold" in rule


def test_a_group_mixing_units_is_refused_with_the_units_it_mixes(tmp_path):
    file = landed(
        tmp_path,
        HEADER + "2026-03-01,gpus,eu,nvidia,120,units\n"
        "2026-03-01,gpus,eu,amd,35.5,usd_millions\n"
        "2026-03-01,gpus,us,amd,5,units\n"
        "2026-04-01,gpus,eu,nvidia,5,\n"
        "2026-04-01,gpus,eu,amd,5,units\n",
    )
    problems = refused(file)
    assert [(row, column) for row, column, _ in problems] == [
        ("records of 2026-03-01 gpus/eu", "unit"),
        ("records of 2026-04-01 gpus/eu", "unit"),
    ]
    assert "mixes units (units, usd_millions)" in problems[0][2]
    assert "mixes units (units, (empty))" in problems[1][2]


def test_one_unit_per_group_goes_in_even_written_two_ways(tmp_path):
    file = landed(
        tmp_path,
        HEADER + "2026-03-01,gpus,eu,nvidia,30,units\n"
        "2026-03-01,gpus,eu,nvidia,30, Units\n"
        "2026-03-01,gpus,eu,amd,40,units\n"
        "2026-03-01,gpus,us,amd,5,usd_millions\n"
        "2026-03-01,gpus,us,nvidia,15,usd_millions\n",
    )
    shares = {(r, v): s for _, _, r, v, s, _ in shares_from_file(file, VENDORS).iter_rows()}
    assert shares == {
        ("eu", "nvidia"): pytest.approx(0.6),
        ("eu", "amd"): pytest.approx(0.4),
        ("us", "amd"): pytest.approx(0.25),
        ("us", "nvidia"): pytest.approx(0.75),
    }


def test_typed_and_text_readers_agree_on_units(tmp_path):
    file = landed(
        tmp_path, HEADER + "2026-03-01,gpus,eu,nvidia,1,units\n2026-03-01,gpus,eu,amd,2,\n"
    )
    con = duckdb.connect()
    typed, text = (
        con.sql(market_records.aggregation_sql(reader, typed=flag, with_unit=True), params=params)
        .pl()
        .sort("vendor")
        .rows()
        for reader, flag, params in [
            (market_records.typed_csv_reader(), True, [str(file.path)]),
            (market_records.text_csv_reader(), False, [str(file.path), "utf-8"]),
        ]
    )
    assert typed == text
