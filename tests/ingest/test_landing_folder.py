"""The landing folder: only finished files are taken, other entries are reported and never opened,
hard links are taken without touching their other name, and a landing path must be a folder."""

import os
import subprocess
import sys
import threading

import pytest

import pipelines.ingest.market_refresh as market_refresh
from pipelines.ingest.landing_folder import (
    CHANGED_WHILE_READ,
    OPEN_FOR_WRITING,
    STILL_WRITTEN,
    LandingFolderError,
    list_folder,
    sha256_of,
)
from pipelines.ingest.market_refresh import ingest_new_files, plan_refresh, settle
from pipelines.ingest.writers import open_for_writing
from tests.conftest import private_resource
from tests.ingest.test_market_refresh import SHARES, VENDORS, every_seed_hash, warehouse_knowing

HEADER, FIRST_ROW, SECOND_ROW = SHARES.splitlines(keepends=True)


@pytest.fixture
def settings(warehouse, seeds, landing):
    warehouse_knowing(warehouse, every_seed_hash(seeds))
    return private_resource(warehouse, seeds, landing).settings()


def refresh(settings):
    """The ingest step and the moves after it, as a run makes them (without publishing)."""
    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    settle(settings, outcome, already_ingested)
    return outcome


# --- only finished files ----------------------------------------------------------------------


def test_a_file_held_open_for_writing_waits_and_goes_in_whole_once_its_writer_closes(
    settings, landing
):
    """A writer thread of this very process writes a record file in two parts, holding its
    descriptor open in between; a refresh in between must not take the first part."""
    path = landing / "shares.csv"
    writer = open(path, "w")  # noqa: SIM115 - held open across the first refresh
    writer.write(HEADER + FIRST_ROW)
    writer.flush()

    first = refresh(settings)
    assert first.accepted == [] and first.rejected == []
    assert first.left == [("shares.csv", OPEN_FOR_WRITING)]
    assert STILL_WRITTEN == "still being written, left in landing for the next refresh"
    assert path.exists() and not settings.quarantine_dir.exists()

    done = threading.Thread(target=lambda: (writer.write(SECOND_ROW), writer.close()))
    done.start()
    done.join()
    second = refresh(settings)
    ((file, shares),) = second.accepted
    assert shares.height == 2 and second.left == []
    (kept,) = settings.processed_dir.iterdir()
    assert kept.read_text() == SHARES, "the whole file, as written"
    assert sha256_of(kept) == file.sha256, "the processed file is the bytes the hash names"


def test_a_file_that_changes_while_it_is_read_is_left_untouched_not_quarantined(
    monkeypatch, settings, landing
):
    """A writer that opens, writes and closes between the open-for-writing check and the end of
    the read (so the check cannot see it) is caught by the size and times before and after."""
    path = landing / "shares.csv"
    path.write_text(HEADER + FIRST_ROW)
    read = market_refresh.shares_from_file

    def read_while_appended(file, known_vendors):
        shares = read(file, known_vendors)
        with open(file.path, "a") as late_writer:
            late_writer.write(SECOND_ROW)
        return shares

    monkeypatch.setattr(market_refresh, "shares_from_file", read_while_appended)
    outcome = refresh(settings)
    assert outcome.accepted == [] and outcome.rejected == []
    assert outcome.left == [("shares.csv", CHANGED_WHILE_READ)]
    assert path.read_text() == SHARES and not settings.quarantine_dir.exists()

    monkeypatch.undo()
    ((file, shares),) = refresh(settings).accepted
    assert shares.height == 2 and file.sha256 == sha256_of(next(settings.processed_dir.iterdir()))


def test_a_file_changed_after_it_was_read_is_not_moved_nor_quarantined(settings, landing):
    """The last look before the move: processed/ must hold the bytes the hash names."""
    (landing / "good.csv").write_text(SHARES)
    (landing / "bad.csv").write_text(SHARES.replace("0.80", "1.80"))
    outcome, already_ingested = ingest_new_files(settings, VENDORS)
    for name in ("good.csv", "bad.csv"):
        with open(landing / name, "a") as late_writer:
            late_writer.write("2026-05-01,gpus,eu,amd,1.0,late\n")
    settle(settings, outcome, already_ingested)

    assert sorted(path.name for path in landing.iterdir()) == ["bad.csv", "good.csv"]
    assert not settings.processed_dir.exists() and not settings.quarantine_dir.exists()
    assert outcome.rejected == [] and len(outcome.accepted) == 1
    assert dict(outcome.left) == {
        "good.csv": "changed after it was read; its rows as read went in, the file stays in "
        "landing",
        "bad.csv": f"changed after it was read; {STILL_WRITTEN}",
    }


def test_a_writer_in_another_process_is_seen_and_a_reader_is_not(tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text(HEADER)
    hold = "import sys; handle = open(sys.argv[1], sys.argv[2]); print('open', flush=True); input()"
    for mode, writes in [("a", True), ("r+", True), ("r", False)]:
        holder = subprocess.Popen(
            [sys.executable, "-c", hold, str(path), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline() == "open\n"
            found = open_for_writing({path: path.stat()})
            assert found == ({path} if writes else set()), mode
        finally:
            holder.communicate("\n", timeout=10)
    assert open_for_writing({path: path.stat()}) == set()


def test_the_sensor_plan_does_not_count_a_file_still_being_written_as_new(settings, landing):
    (landing / "done.csv").write_text(SHARES)
    with open(landing / "busy.csv", "w") as writer:
        writer.write(HEADER)
        writer.flush()
        plan = plan_refresh(settings)
    assert [file.path.name for file in plan.new_files if file.origin == "landing"] == ["done.csv"]
    assert plan.waiting == [("busy.csv", OPEN_FOR_WRITING)]


# --- entries that are not read ----------------------------------------------------------------


def test_entries_that_are_not_market_files_are_reported_and_a_fifo_is_never_opened(
    settings, landing, tmp_path
):
    (landing / "x.csv").mkdir()
    (landing / "shares.csv.gz").write_bytes(b"\x1f\x8b")
    (landing / "notes.txt").write_text("read me")
    os.mkfifo(landing / "pipe.csv")  # opening it for reading would block until a writer came
    (landing / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    (landing / ".hidden.csv").write_text(HEADER)  # the in-progress conventions: silent
    (landing / "shares.csv.partial").write_text(HEADER)
    (landing / "shares.csv").write_text(SHARES)

    finished: list = []
    step = threading.Thread(target=lambda: finished.append(refresh(settings)), daemon=True)
    step.start()
    step.join(timeout=60)
    if step.is_alive():  # unblock the reader before failing
        os.close(os.open(landing / "pipe.csv", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the ingest opened the FIFO")
    (outcome,) = finished

    assert [file.path.name for file, _ in outcome.accepted] == ["shares.csv"]
    assert dict(outcome.ignored) == {
        "x.csv": "a folder, not a regular file; never opened",
        "pipe.csv": "a FIFO (named pipe), not a regular file; never opened",
        "gone.csv": "a broken symbolic link",
        "shares.csv.gz": "not a .csv or .parquet file",
        "notes.txt": "not a .csv or .parquet file",
    }
    assert outcome.rejected == [] and not settings.quarantine_dir.exists()


def test_a_landing_path_that_is_a_file_is_an_error_naming_it(settings, landing):
    landing.rmdir()
    landing.write_text("not a folder")
    with pytest.raises(LandingFolderError, match=rf"{landing}.* is not a folder"):
        ingest_new_files(settings, VENDORS)
    with pytest.raises(LandingFolderError, match="SOVAI_LANDING_DIR"):
        plan_refresh(settings)


def test_a_missing_landing_folder_is_an_empty_one(tmp_path):
    assert list_folder(tmp_path / "absent", "landing").files == []


# --- hard links -------------------------------------------------------------------------------


def test_a_hard_link_into_landing_goes_in_and_its_other_name_is_left_intact(
    settings, landing, tmp_path
):
    outside = tmp_path / "elsewhere" / "generated.csv"
    outside.parent.mkdir()
    outside.write_text(SHARES)
    os.link(outside, landing / "generated.csv")

    ((file, _),) = refresh(settings).accepted
    (kept,) = settings.processed_dir.iterdir()
    assert outside.read_text() == SHARES and outside.stat().st_nlink == 2
    assert os.path.samefile(kept, outside), "a rename: the same bytes, not a copy"
    assert sha256_of(kept) == file.sha256 == sha256_of(outside)


def test_a_hard_link_written_through_its_other_name_waits(settings, landing, tmp_path):
    """The writer's descriptor names the other path: found by inode, not by name."""
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(HEADER)
    os.link(outside, landing / "linked.csv")
    with open(outside, "a") as writer:
        writer.write(FIRST_ROW)
        writer.flush()
        outcome = refresh(settings)
    assert outcome.left == [("linked.csv", OPEN_FOR_WRITING)] and outcome.accepted == []
    assert (landing / "linked.csv").exists()
