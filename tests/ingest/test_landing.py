"""Landing files: told apart by header; record files aggregated, with bad rows named by line."""

from pathlib import Path

import polars as pl
import pytest

from models.validation import SeedValidationError
from pipelines.ingest.landing import MarketFile, shares_from_file

VENDORS = {"nvidia", "amd"}


def landed(tmp_path: Path, text: str, name: str = "file.csv") -> MarketFile:
    path = tmp_path / name
    path.write_text(text)
    return MarketFile(path, "test", "landing")


def test_record_quantities_become_shares_of_their_period_market_and_region(tmp_path):
    file = landed(
        tmp_path,
        "period,market,region,vendor,quantity,unit\n"
        "2026-01-01,gpus,eu,nvidia,5,units\n"
        "2026-01-01,gpus,eu,amd,3,units\n"
        "2026-01-01,gpus,eu,nvidia,2,units\n"
        "2026-01-01,gpus,us,amd,4,units\n",
    )
    shares = {
        (row["region"], row["vendor"]): row["share"]
        for row in shares_from_file(file, VENDORS).iter_rows(named=True)
    }
    assert shares == {
        ("eu", "nvidia"): pytest.approx(0.7),
        ("eu", "amd"): pytest.approx(0.3),
        ("us", "amd"): pytest.approx(1.0),
    }


def test_each_bad_record_row_is_named_by_its_line_column_and_rule(tmp_path):
    file = landed(
        tmp_path,
        "period,market,region,vendor,quantity\n"
        "2026-01-01,gpus,eu,nvidia,5\n"
        "2026-13-01,gpus,eu,amd,3\n"
        "2026-01-01,GPUs X,eu,amd,-1\n"
        "2026-01-01,gpus,eu,amd,nan\n"
        "2026-01-01,gpus,eu,,7\n",
    )
    with pytest.raises(SeedValidationError) as caught:
        shares_from_file(file, VENDORS)
    found = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert found == {
        ("line 3", "period", "2026-13-01"),
        ("line 4", "market", "GPUs X"),
        ("line 4", "quantity", "-1"),
        ("line 5", "quantity", "nan"),
        ("line 6", "vendor", None),
    }


def test_a_record_file_whose_only_fault_is_a_key_pattern_is_refused_by_line(tmp_path):
    """The derived shares' pandera model leaves key patterns to the record rules, which test
    each distinct market and region before the shares are derived."""
    file = landed(tmp_path, "period,market,region,vendor,quantity\n2026-01-01,gpus,EU,amd,3\n")
    with pytest.raises(SeedValidationError) as caught:
        shares_from_file(file, VENDORS)
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        ("line 2", "region", "EU")
    ]


def test_a_header_that_is_neither_kind_is_refused(tmp_path):
    file = landed(tmp_path, "when,what,how_much\n2026-01-01,gpus,3\n")
    with pytest.raises(SeedValidationError, match="neither a share file"):
        shares_from_file(file, VENDORS)


def test_a_group_whose_quantities_sum_to_zero_is_refused(tmp_path):
    file = landed(tmp_path, "period,market,region,vendor,quantity\n2026-01-01,gpus,eu,amd,0\n")
    with pytest.raises(SeedValidationError, match="sum to 0"):
        shares_from_file(file, VENDORS)


def test_an_unknown_vendor_in_records_is_refused_once(tmp_path):
    file = landed(
        tmp_path,
        "period,market,region,vendor,quantity\n"
        "2026-01-01,gpus,eu,acme,1\n2026-02-01,gpus,eu,acme,1\n2026-01-01,gpus,eu,amd,1\n",
    )
    with pytest.raises(SeedValidationError) as caught:
        shares_from_file(file, VENDORS)
    assert [p.value for p in caught.value.problems if p.column == "vendor"][0] == "acme"


def test_typed_and_text_readers_agree_on_a_valid_record_file(tmp_path):
    """The fast typed read and the tolerant text read must derive the same totals."""
    import duckdb

    from models import market_records

    file = landed(
        tmp_path,
        "period,market,region,vendor,quantity,source\n"
        " 2026-01-01 ,gpus,eu, nvidia , 5 ,a\n"
        "2026-01-01,gpus,eu,amd,2.5e1,b\n"
        "2026-01-02,gpus,eu,amd,0,c\n",
    )
    con = duckdb.connect()
    typed, text = (
        con.sql(market_records.aggregation_sql(reader, typed=flag), params=params)
        .pl()
        .sort("period", "vendor")
        .rows()
        for reader, flag, params in [
            (market_records.typed_csv_reader(), True, [str(file.path)]),
            (market_records.text_csv_reader(), False, [str(file.path), "utf-8"]),
        ]
    )
    assert typed == text
    assert [row[3] for row in typed] == [" nvidia ", "amd", "amd"]  # folded afterwards
    assert sum(row[5] for row in typed) == 0  # no broken rows


def test_padded_vendor_names_fold_into_one_vendor_after_aggregating():
    from datetime import date

    from models import market_records

    day = date(2026, 1, 1)
    totals = pl.DataFrame(
        {
            "period": [day, day, day],
            "market": ["gpus"] * 3,
            "region": ["eu"] * 3,
            "vendor": [" nvidia ", "nvidia", "amd"],
            "quantity": [5.0, 2.0, 1.0],
            "broken_rows": [0, 0, 0],
        }
    )
    merged = market_records.merge_padded_vendors(totals).sort("vendor")
    assert merged.select("vendor", "quantity").rows() == [("amd", 1.0), ("nvidia", 7.0)]
    unpadded = totals.filter(pl.col("vendor") != " nvidia ")
    assert market_records.merge_padded_vendors(unpadded) is unpadded  # nothing to fold


def test_group_rules_catch_a_bad_key_or_an_empty_vendor_once_per_distinct_value():
    from models import market_records

    good = pl.DataFrame({"market": ["gpus"], "region": ["eu"], "vendor": ["amd"]})
    assert not market_records.group_rule_broken(good)
    for column, value in [("market", "GPUs"), ("region", None), ("vendor", "  ")]:
        assert market_records.group_rule_broken(good.with_columns(pl.lit(value).alias(column)))
