"""The ingest step's own plan: which files are new, read while their hashes are computed."""

import threading

import duckdb

import pipelines.ingest.landing as landing_module
import pipelines.ingest.landing_folder as landing_folder
from pipelines.ingest.landing_folder import sha256_of
from pipelines.ingest.market_refresh import ingest_new_files
from tests.conftest import private_resource

SHARES = (
    "period,market,region,vendor,share,source\n"
    "2026-03-01,ai_accelerators,global,nvidia,0.80,test\n"
    "2026-03-01,ai_accelerators,global,other,0.20,test\n"
)
VENDORS = {"nvidia", "amd"}


def warehouse_knowing(warehouse, hashes):
    """A warehouse file whose share history records these file hashes (all the step reads)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema history")
        con.execute("create table history.raw_market_shares (file_sha256 varchar)")
        con.executemany("insert into history.raw_market_shares values (?)", [[h] for h in hashes])


def every_seed_hash(seeds):
    return [sha256_of(path) for path in (seeds / "market_shares").iterdir()]


def hashing_waits_for_the_first_read(monkeypatch, landing):
    """Hashing a landing file blocks until a file is being read: proof the two overlap."""
    reading = threading.Event()
    read, hash_ = landing_module.shares_from_file, landing_folder.sha256_of

    def reading_shares(file, known_vendors):
        reading.set()
        return read(file, known_vendors)

    def waiting_hash(path):
        if path.parent == landing:
            assert reading.wait(timeout=10), "the file was not read while it was being hashed"
        return hash_(path)

    monkeypatch.setattr("pipelines.ingest.market_refresh.shares_from_file", reading_shares)
    monkeypatch.setattr(landing_folder, "sha256_of", waiting_hash)


def test_a_new_landing_file_is_read_while_its_hash_is_computed(
    monkeypatch, warehouse, seeds, landing
):
    warehouse_knowing(warehouse, every_seed_hash(seeds))
    (landing / "shares.csv").write_text(SHARES)
    hashing_waits_for_the_first_read(monkeypatch, landing)

    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, already_ingested = ingest_new_files(settings, VENDORS)

    ((file, shares),) = outcome.accepted
    assert file.sha256 == sha256_of(landing / "shares.csv")
    assert shares.height == 2 and not outcome.rejected and already_ingested == []


def test_a_file_dropped_again_is_read_then_set_aside_as_already_ingested(
    monkeypatch, warehouse, seeds, landing
):
    (landing / "again.csv").write_text(SHARES)
    warehouse_knowing(warehouse, every_seed_hash(seeds) + [sha256_of(landing / "again.csv")])
    hashing_waits_for_the_first_read(monkeypatch, landing)

    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, already_ingested = ingest_new_files(settings, VENDORS)

    assert outcome.accepted == [] and outcome.rejected == []
    assert [file.path.name for file in already_ingested] == ["again.csv"]


def test_seed_files_already_ingested_are_not_read(monkeypatch, warehouse, seeds, landing):
    warehouse_knowing(warehouse, every_seed_hash(seeds))

    def must_not_read(file, known_vendors):
        raise AssertionError(f"{file.path.name} was read")

    monkeypatch.setattr("pipelines.ingest.market_refresh.shares_from_file", must_not_read)
    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    assert outcome.accepted == outcome.rejected == already_ingested == []


# --- a file that breaks a reader is refused alone ------------------------------------------------


def refused_rules(outcome) -> dict[str, list[tuple[str, str, str]]]:
    return {
        file.path.name: [(p.row, p.column, p.rule) for p in problems]
        for file, problems in outcome.rejected
    }


def test_csv_files_whose_first_line_or_field_is_over_128_kib_are_refused_not_fatal(
    warehouse, seeds, landing
):
    """csv.reader stops at 128 KiB per field (_csv.Error): a header line of 140 KiB without a
    comma, and a header whose unclosed quote swallows the whole file."""
    warehouse_knowing(warehouse, every_seed_hash(seeds))
    (landing / "one-long-line.csv").write_text("x" * (140 * 1024) + "\n1\n")
    rows = "".join(f"2026-03-01,gpus,eu,vendor{i},0.0001,t\n" for i in range(4000))
    unclosed = '"period,market,region,vendor,share,source\n'
    (landing / "unclosed-quote.csv").write_text(unclosed + rows)
    (landing / "good.csv").write_text(SHARES)

    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, _ = ingest_new_files(settings, VENDORS)

    assert [file.path.name for file, _ in outcome.accepted] == ["good.csv"]
    rule = "could not be read: field larger than field limit (131072) (csv.Error)"
    too_long = (
        "the first line is longer than 64 KiB, so it is not a market file's header "
        "(period,market,region,vendor,...); nothing was read"
    )
    assert refused_rules(outcome) == {
        "one-long-line.csv": [("line 1", "-", too_long)],  # refused before any reader
        "unclosed-quote.csv": [("whole file", "-", rule)],
    }


def test_a_reader_that_panics_refuses_its_file_and_the_others_still_go_in(
    monkeypatch, warehouse, seeds, landing
):
    """A Rust panic surfaces as pyo3's PanicException, a BaseException: caught per file too."""
    import polars as pl

    warehouse_knowing(warehouse, every_seed_hash(seeds))
    (landing / "a-panics.csv").write_text(SHARES)
    (landing / "b-good.csv").write_text(SHARES.replace("2026-03-01", "2026-04-01"))
    read = landing_module.shares_from_file

    def panicking(file, known_vendors):
        if file.path.name == "a-panics.csv":
            raise pl.exceptions.PanicException("index out of bounds\nstack backtrace: ...")
        return read(file, known_vendors)

    monkeypatch.setattr("pipelines.ingest.market_refresh.shares_from_file", panicking)
    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, _ = ingest_new_files(settings, VENDORS)

    assert [file.path.name for file, _ in outcome.accepted] == ["b-good.csv"]
    ((row, column, rule),) = refused_rules(outcome)["a-panics.csv"]
    assert (row, column) == ("whole file", "-")
    assert "crashed inside a library (PanicException: index out of bounds)" in rule


def test_a_keyboard_interrupt_while_reading_still_stops_the_step(
    monkeypatch, warehouse, seeds, landing
):
    import pytest

    warehouse_knowing(warehouse, every_seed_hash(seeds))
    (landing / "shares.csv").write_text(SHARES)

    def interrupted(file, known_vendors):
        raise KeyboardInterrupt

    monkeypatch.setattr("pipelines.ingest.market_refresh.shares_from_file", interrupted)
    settings = private_resource(warehouse, seeds, landing).settings()
    with pytest.raises(KeyboardInterrupt):
        ingest_new_files(settings, VENDORS)


# --- names as long as Linux allows -------------------------------------------------------------


def test_long_named_files_are_kept_under_shortened_names_and_reported_under_their_own(
    warehouse, seeds, landing
):
    """A 250-character name plus the hash prefix (processed/) or `.errors.json` (quarantine/)
    is over Linux's 255 bytes: the kept copy is shortened, the records keep the real name."""
    import json

    from pipelines.ingest.market_refresh import file_columns, settle

    warehouse_knowing(warehouse, every_seed_hash(seeds))
    good, bad = "g" * 246 + ".csv", "b" * 246 + ".csv"
    (landing / good).write_text(SHARES)
    (landing / bad).write_text(SHARES.replace("0.80", "1.80"))
    settings = private_resource(warehouse, seeds, landing).settings()

    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    settle(settings, outcome, already_ingested)

    ((file, _),) = outcome.accepted
    assert file_columns(file)["file_name"] == good, "the warehouse row keeps the real name"
    (kept,) = settings.processed_dir.iterdir()
    assert kept.name.startswith(f"{file.sha256[:16]}-ggg") and kept.name.endswith(".csv")
    assert sha256_of(kept) == file.sha256
    stored = outcome.quarantined_as[bad]
    report = json.loads((settings.quarantine_dir / f"{stored}.errors.json").read_text())
    assert (report["file"], report["quarantined_as"]) == (bad, stored)
    assert sha256_of(settings.quarantine_dir / stored) == report["sha256"]
    assert not list(landing.iterdir())

    (landing / bad).write_text(SHARES.replace("0.80", "1.80"))  # refused again: numbered
    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    settle(settings, outcome, already_ingested)
    again = outcome.quarantined_as[bad]
    assert again != stored and again.endswith(".1.csv") and len(again) <= 255 - 12


def test_a_quarantined_share_sum_over_one_reports_the_sum_as_its_value(warehouse, seeds, landing):
    import json

    from pipelines.ingest.market_refresh import settle

    warehouse_knowing(warehouse, every_seed_hash(seeds))
    (landing / "over.csv").write_text(SHARES.replace("0.20", "0.35"))  # 0.80 + 0.35
    settings = private_resource(warehouse, seeds, landing).settings()
    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    settle(settings, outcome, already_ingested)

    stored = outcome.quarantined_as["over.csv"]
    report = json.loads((settings.quarantine_dir / f"{stored}.errors.json").read_text())
    sums = [p for p in report["problems"] if "add up to more than 1" in p["rule"]]
    assert [(p["row"], p["value"]) for p in sums] == [("line 2", "1.15"), ("line 3", "1.15")]
