"""Refused files wait in quarantine until fixed (landed again under the same name) or released;
nothing is ever deleted."""

import json
from pathlib import Path

import pytest

from pipelines.ingest.quarantine import (
    NotQuarantinedError,
    pending,
    release,
    resolve_superseded,
)
from pipelines.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    landing = tmp_path / "data" / "landing"
    landing.mkdir(parents=True)
    return Settings(tmp_path / "wh" / "warehouse.duckdb", tmp_path / "seeds", tmp_path, landing)


def refuse(settings: Settings, name: str, original: str | None = None) -> Path:
    """A refused file as settle() leaves it: the file and NAME.errors.json."""
    folder = settings.quarantine_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("period,market\nbad,row\n")
    report = {"file": original or name, "sha256": "ab" * 32, "problems": [{"row": "line 2"}]}
    (folder / f"{name}.errors.json").write_text(json.dumps(report))
    return folder / name


def test_a_refused_file_waits_with_its_report_and_problem_count(settings):
    refuse(settings, "bad.csv")
    (waiting,) = pending(settings)
    assert (waiting.name, waiting.original_name, waiting.problem_count) == ("bad.csv", "bad.csv", 1)
    assert waiting.errors.name == "bad.csv.errors.json"


def test_releasing_keeps_the_file_and_its_report_in_released(settings):
    refuse(settings, "bad.csv")
    ((item, kept),) = release(settings, ["bad.csv"])
    assert pending(settings) == []
    assert kept == settings.quarantine_dir / "released" / "bad.csv"
    assert kept.read_text().startswith("period")
    assert kept.with_name("bad.csv.errors.json").exists()


def test_releasing_a_name_that_does_not_wait_says_what_does(settings):
    refuse(settings, "bad.csv")
    with pytest.raises(NotQuarantinedError, match=r"typo\.csv\. Pending: bad\.csv"):
        release(settings, ["typo.csv"])
    assert len(pending(settings)) == 1


def test_release_all_and_a_second_release_of_the_same_name_never_overwrite(settings):
    refuse(settings, "bad.csv")
    release(settings, None)
    refuse(settings, "bad.csv")
    ((_, kept),) = release(settings, None)
    assert kept.name == "bad.1.csv"
    assert sorted(p.name for p in (settings.quarantine_dir / "released").iterdir()) == [
        "bad.1.csv",
        "bad.1.csv.errors.json",
        "bad.csv",
        "bad.csv.errors.json",
    ]


def test_a_file_landed_again_under_its_name_supersedes_the_refused_one(settings):
    refuse(settings, "shares.csv")
    refuse(settings, "shares.1.csv", original="shares.csv")  # refused twice
    refuse(settings, "other.csv")
    resolved = resolve_superseded(settings, {"shares.csv"})
    assert sorted(item.name for item in resolved) == ["shares.1.csv", "shares.csv"]
    assert [item.name for item in pending(settings)] == ["other.csv"]
    assert (settings.quarantine_dir / "resolved" / "shares.1.csv").exists()


def test_releasing_a_long_named_file_twice_numbers_it_within_the_name_limit(settings):
    long_name = "r" * 239 + ".csv"  # with `.errors.json` 255 bytes; numbered `.1`, 257
    refuse(settings, long_name)
    release(settings, None)
    refuse(settings, long_name)
    ((_, kept),) = release(settings, None)
    assert kept.name.endswith(".1.csv") and len(kept.name + ".errors.json") <= 255
    assert kept.with_name(kept.name + ".errors.json").exists()
