"""Every file of the bad-input corpus (tests/data/bad/, described by expected.yaml) goes through
the path a user's file takes, and gets the message, and only the outcome, the manifest names.

Seed cases: the file replaces one seed and `sovai validate` checks the folder (its click command in
the test's process; a process of its own, killed in time, where the case gives a timeout). Landing
cases: all of them, plus a symbolic link out of the landing folder, are dropped into one landing
folder and one `sovai run` process ingests them; each refused file must end in quarantine
unchanged with its errors, each accepted one must be published with the right values.
"""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.ingest.seeds import RAW_TABLES, load_seeds

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS = PROJECT_ROOT / "tests" / "data" / "bad"
CASES: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yaml").read_text("utf-8"))["cases"]
SEED_CASES = sorted(name for name, case in CASES.items() if case["slot"].startswith("seeds/"))
LANDING_CASES = sorted(name for name, case in CASES.items() if case["slot"] == "landing")
SOVAI = PROJECT_ROOT / ".venv" / "bin" / "sovai"
OUTSIDE_LINK = "linked-from-outside.csv"


def sovai(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SOVAI), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SOVAI_EXPECTATIONS": "off", **env},
        cwd=PROJECT_ROOT,
    )


def validate_in_process(seeds: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """`sovai validate seeds` through its click command, as the `sovai` script calls it; an
    exception that escapes the command (a user would see its traceback) fails the test."""
    from click.testing import CliRunner

    from pipelines.cli import main

    result = CliRunner().invoke(
        main,
        ["validate", str(seeds)],
        env={"SOVAI_WAREHOUSE": str(warehouse), "SOVAI_EXPECTATIONS": "off"},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("sovai validate raised, a user would see a traceback") from (
            result.exception
        )
    return subprocess.CompletedProcess(
        ["sovai", "validate", str(seeds)], result.exit_code, result.stdout, result.stderr
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_paragraph(text: str, start: str) -> str:
    """The paragraph of text that begins with start (a paragraph ends at a blank line)."""
    assert start in text, f"{start!r} not in:\n{text}"
    return text[text.index(start) :].split("\n\n", 1)[0]


def test_the_corpus_has_at_least_25_cases_each_described_in_the_manifest():
    files = {path.name for path in CORPUS.iterdir()} - {"expected.yaml"}
    assert files == set(CASES)
    assert len(CASES) >= 25
    for name, case in CASES.items():
        assert case.get("fault"), name
        assert case.get("accepted") or case.get("errors"), name


# --- seeds, through `sovai validate` -------------------------------------------------------------


@pytest.mark.parametrize("name", SEED_CASES)
def test_a_seed_case_gets_its_message_from_sovai_validate(name, seeds, tmp_path):
    case = CASES[name]
    slot = seeds / case["slot"].removeprefix("seeds/")
    shutil.copyfile(CORPUS / name, slot)
    before = {path: sha256(path) for path in seeds.rglob("*") if path.is_file()}
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"

    if "timeout_seconds" in case:  # a fault that could hang or swell: a process, killed in time
        result = sovai(
            "validate",
            str(seeds),
            env={"SOVAI_WAREHOUSE": str(warehouse)},
            timeout=case["timeout_seconds"],
        )
    else:  # the same command in this process: a new process per case cost 1.5 CPU-s of imports
        result = validate_in_process(seeds, warehouse)

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert {path: sha256(path) for path in seeds.rglob("*") if path.is_file()} == before
    assert not warehouse.exists(), "validate must never publish"
    if case.get("accepted"):
        assert result.returncode == 0, output
        assert f"OK: {len(RAW_TABLES)} seed tables" in result.stdout
        sources = load_seeds(seeds)["platforms"].get_column("source").to_list()
        assert any(case["contains"] in source for source in sources), sources
        return
    assert result.returncode == 1, output
    message = result.stderr
    assert message.startswith("Error: ") and "nothing was published" in message
    assert "\n\n" not in message.strip(), "the message must be one paragraph"
    for expected in case["errors"]:
        assert expected in message, f"{expected!r} missing from:\n{message}"


# --- landing files, through one `sovai run` -----------------------------------------------------


@pytest.fixture(scope="module")
def landing_run(sovai_built, tmp_path_factory):
    """One `sovai run` over a landing folder holding every landing case and an outside link, on
    a copy of the session's build (so the run is the market path's)."""
    root = tmp_path_factory.mktemp("corpus")
    env = sovai_built.copy_to(root)
    landing = Path(env["SOVAI_LANDING_DIR"])
    landing.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name in LANDING_CASES:
        shutil.copyfile(CORPUS / name, landing / name)
        hashes[name] = sha256(landing / name)
    outside = root / "elsewhere" / "private.csv"
    outside.parent.mkdir()
    outside.write_text(
        "period,market,region,vendor,share,source\n2026-03-01,gpus,secret,nvidia,1.0,private\n"
    )
    (landing / OUTSIDE_LINK).symlink_to(outside)
    result = sovai("run", env=env)
    return {"root": root, "landing": landing, "result": result, "hashes": hashes, "env": env}


def rows_given(landing_run, where: str = "true", params=None) -> list[tuple]:
    warehouse = landing_run["env"]["SOVAI_WAREHOUSE"]
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(
            "select market, region, vendor, round(share, 9), source "
            f"from history.raw_market_shares where {where} order by all",
            params or [],
        ).fetchall()


def test_the_landing_run_reports_refused_files_without_a_traceback_and_exits_1(landing_run):
    result = landing_run["result"]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stderr
    assert "check(s) failed" in result.stderr
    assert "raw/market_shares landing_files_valid" in result.stderr


@pytest.mark.parametrize("name", LANDING_CASES)
def test_a_landing_case_is_refused_or_published_as_the_manifest_says(landing_run, name):
    case = CASES[name]
    root, landing = landing_run["root"], landing_run["landing"]
    original_hash = landing_run["hashes"][name]
    assert not (landing / name).exists(), "a settled file leaves the landing folder"
    if case.get("accepted"):
        (kept,) = (root / "data" / "processed").glob(f"*-{name}")
        assert sha256(kept) == original_hash, "a processed file is kept unchanged"
        published = rows_given(landing_run, "file_name = ?", [name])
        expected = sorted(
            (market, region, vendor, round(share, 9), source)
            for market, region, vendor, share, source in case["rows"]
        )
        assert published == expected
        return
    kept = root / "data" / "quarantine" / name
    assert kept.exists() and sha256(kept) == original_hash, "nothing is deleted or changed"
    report = json.loads(kept.with_name(name + ".errors.json").read_text("utf-8"))
    listed = "\n".join(
        f"{p['row']}, column '{p['column']}': {p['rule']}"
        + ("" if p["value"] is None else f" (found {p['value']!r})")
        for p in report["problems"]
    )
    paragraph = one_paragraph(landing_run["result"].stderr, f"Refused market file '{name}'")
    for expected in case["errors"]:
        assert expected in listed, f"{expected!r} missing from {name}.errors.json:\n{listed}"
        assert expected in paragraph, f"{expected!r} missing from the message:\n{paragraph}"
    assert "\n" not in paragraph
    assert rows_given(landing_run, "file_sha256 = ?", [original_hash]) == []


def test_a_symlink_out_of_the_landing_folder_is_refused_unread_and_its_target_kept(landing_run):
    root = landing_run["root"]
    link = root / "data" / "quarantine" / OUTSIDE_LINK
    assert link.is_symlink(), "the link itself is quarantined"
    target = root / "elsewhere" / "private.csv"
    assert target.exists() and "private" in target.read_text()
    report = json.loads(link.with_name(OUTSIDE_LINK + ".errors.json").read_text("utf-8"))
    assert "symbolic link" in report["problems"][0]["rule"]
    assert "outside" in report["problems"][0]["rule"]
    paragraph = one_paragraph(landing_run["result"].stderr, f"Refused market file '{OUTSIDE_LINK}'")
    assert "symbolic link" in paragraph
    assert rows_given(landing_run, "region = 'secret'") == []


def test_the_landing_run_still_publishes_the_seed_market_and_every_accepted_file(landing_run):
    accepted = {name for name in LANDING_CASES if CASES[name].get("accepted")}
    warehouse = landing_run["env"]["SOVAI_WAREHOUSE"]
    with duckdb.connect(warehouse, read_only=True) as con:
        names = {
            name
            for (name,) in con.execute(
                "select distinct file_name from history.raw_market_shares"
            ).fetchall()
        }
        regions = {
            r
            for (r,) in con.execute(
                "select distinct region from analytics.market_concentration"
            ).fetchall()
        }
    assert names == accepted | {"2026-02-ai-accelerators.csv"}
    assert {"na", "latam", "mea", "oceania", "eu", "global"} <= regions
