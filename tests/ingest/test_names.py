"""Kept copies of landing files get names that fit, however long the landing name was."""

import os

from pipelines.ingest.names import NAME_MAX, free_name, stored_name


def test_a_name_that_fits_is_kept_and_numbered_before_its_extension():
    assert stored_name("shares.csv", NAME_MAX) == "shares.csv"
    assert stored_name("shares.csv", NAME_MAX, 2) == "shares.2.csv"


def test_a_long_name_keeps_its_start_a_tag_of_the_whole_name_and_its_extension():
    first, second = "a" * 246 + "-one.csv", "a" * 246 + "-two.csv"  # 254 bytes, same start
    room = NAME_MAX - len(".errors.json")
    one, two = stored_name(first, room), stored_name(second, room)
    assert one != two, "two long names that share a start stay apart"
    assert one.startswith("a" * 200) and one.endswith(".csv") and len(one) == room
    assert stored_name(first, room) == one, "the same name always gives the same short name"


def test_numbers_never_push_a_name_past_the_limit_and_utf8_is_cut_between_characters():
    name = "é" * 125 + ".parquet"  # 258 bytes: two per letter
    for number in (0, 1, 99, 123456):
        shortened = stored_name(name, 243, number)
        assert len(os.fsencode(shortened)) <= 243
        assert shortened.endswith(f".{number}.parquet" if number else ".parquet")
        shortened.encode("utf-8")  # whole characters only: no stray half of an é


def test_free_name_skips_names_taken_by_a_file_or_by_its_companion(tmp_path):
    long_name = "q" * 250 + ".csv"
    room = NAME_MAX - len(".errors.json")
    first = free_name(tmp_path, long_name, room, ".errors.json")
    first.write_text("x")
    second = free_name(tmp_path, long_name, room, ".errors.json")
    assert second != first and second.name.endswith(".1.csv")
    (tmp_path / (second.name + ".errors.json")).write_text("{}")  # a report left alone
    assert free_name(tmp_path, long_name, room, ".errors.json").name.endswith(".2.csv")
