"""Tests of scripts/generate_market_records.py, run as a subprocess on small inputs."""

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_market_records.py"
HEADER = "period,market,region,vendor,quantity,unit,source"
KEY = re.compile(r"^[a-z0-9_]+$")
ROWS = 5_000


def generate(out: Path, *args: str, rows: int = ROWS, days: int = 30, seed: int = 1) -> list[Path]:
    command = [sys.executable, str(SCRIPT), "--rows", str(rows), "--days", str(days)]
    command += ["--seed", str(seed), "--out", str(out), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "rows" in result.stdout and "bytes" in result.stdout
    return sorted(out.iterdir())


def read_csvs(paths: list[Path]) -> pl.DataFrame:
    return pl.concat([pl.read_csv(path, schema_overrides={"period": pl.Date}) for path in paths])


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("records")
    return generate(out, "--files", "3", "--start", "2025-03-01", seed=7)


def test_files_are_named_and_have_exact_header(csv_files: list[Path]) -> None:
    assert [path.name for path in csv_files] == [f"records-s7-{i:03d}.csv" for i in range(3)]
    for path in csv_files:
        assert path.read_text().split("\n", 1)[0] == HEADER


def test_row_count_is_exact_across_files(csv_files: list[Path]) -> None:
    counts = [len(path.read_text().splitlines()) - 1 for path in csv_files]
    assert sum(counts) == ROWS
    assert max(counts) - min(counts) <= 1


def test_values_follow_the_contract(csv_files: list[Path]) -> None:
    frame = read_csvs(csv_files)
    start = date(2025, 3, 1)
    assert frame["period"].min() >= start
    assert frame["period"].max() <= start + timedelta(days=29)
    assert frame["period"].n_unique() == 30
    for column in ("market", "region", "vendor"):
        assert all(KEY.match(value) for value in frame[column].unique().to_list()), column
    assert frame["market"].n_unique() >= 6
    assert frame["region"].n_unique() >= 6
    assert frame["quantity"].min() > 0
    assert frame["unit"].unique().to_list() == ["units"]
    assert frame["source"].unique().to_list() == [
        "synthetic (scripts/generate_market_records.py seed 7)"
    ]


def test_vendor_distribution_is_skewed(csv_files: list[Path]) -> None:
    totals = (
        read_csvs(csv_files)
        .group_by("vendor")
        .agg(pl.col("quantity").sum())
        .sort("quantity", descending=True)
    )
    top = totals["quantity"].to_list()
    assert totals["vendor"].to_list()[:4] == ["nvidia", "amd", "intel", "google_tpu"]
    assert len(top) >= 10
    assert top[0] > 2 * top[9]
    assert top[0] / sum(top) > 0.3


def test_same_seed_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=11)
    again = generate(tmp_path / "b", "--chunk-rows", "777", seed=11)
    other = generate(tmp_path / "c", seed=12)
    assert first[0].read_bytes() == again[0].read_bytes()
    assert first[0].read_bytes() != other[0].read_bytes()


def test_known_vendors_only(tmp_path: Path) -> None:
    frame = read_csvs(generate(tmp_path, "--known-vendors-only"))
    assert set(frame["vendor"].unique().to_list()) == {
        "nvidia",
        "amd",
        "intel",
        "google_tpu",
        "other",
    }


def test_parquet_output_reads_back(tmp_path: Path) -> None:
    paths = generate(tmp_path, "--format", "parquet", "--files", "2", "--chunk-rows", "1000")
    assert [path.name for path in paths] == ["records-s1-000.parquet", "records-s1-001.parquet"]
    frame = pl.concat([pl.read_parquet(path) for path in paths])
    assert frame.columns == HEADER.split(",")
    assert frame.height == ROWS
    assert frame.schema["period"] == pl.Date
    assert frame.schema["quantity"] == pl.Float64
    assert frame.equals(read_csvs(generate(tmp_path / "csv")).cast({"quantity": pl.Float64}))


def test_bad_arguments_fail(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--rows", "10", "--days", "0", "--seed", "1"]
    command += ["--out", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "--days" in result.stderr
