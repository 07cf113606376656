"""Which market files are new, which periods they touch, and where each file goes afterwards.

Files are never deleted: a landing file that went in is moved to data/processed/ (its name
prefixed with its content hash, which the warehouse also records); one that failed validation is
moved to data/quarantine/ beside a .errors.json listing each bad row, column and rule. Seed files
stay where they are. Files are moved only after their rows are published, so a run killed in
between leaves them in the landing folder and the next run, seeing their hashes already in the
warehouse, only moves them.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from models.market_periods import PeriodBounds
from models.validation import Problem, display_path, parsed_date, problems_collected
from pipelines.ingest.guards import (
    FATAL,
    check_landed,
    escapes_folder,
    header_too_long,
    refuse_before_reading,
    seed_period_bounds,
    unreadable,
)
from pipelines.ingest.landing import MarketFile, shares_from_file
from pipelines.ingest.landing_folder import (
    STILL_WRITTEN,
    changed_since_listed,
    hashed,
    list_folder,
    market_files,
    unfinished,
)
from pipelines.ingest.names import free_name, name_max
from pipelines.ingest.quarantine import ERRORS_SUFFIX, resolve_superseded
from pipelines.settings import Settings
from pipelines.warehouse.connection import read_only

SHARES_TABLE = "raw.market_shares"
# Every row raw.market_shares ever held, with the file that gave it: the record of ingested files.
SHARES_HISTORY = "history.raw_market_shares"


@dataclass
class RefreshPlan:
    new_files: list[MarketFile]
    already_ingested: list[MarketFile]
    # The periods the new files give (as far as they can be read before validation)
    period_start: date | None
    period_end: date | None
    # Landing files left for a later run (still being written), and entries never read
    waiting: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IngestOutcome:
    accepted: list[tuple[MarketFile, pl.DataFrame]] = field(default_factory=list)
    rejected: list[tuple[MarketFile, list[Problem]]] = field(default_factory=list)
    # The name each refused landing file was given in quarantine (settle fills it in)
    quarantined_as: dict[str, str] = field(default_factory=dict)
    # Landing files left where they are for the next refresh, and why (still being written)
    left: list[tuple[str, str]] = field(default_factory=list)
    # Landing entries that are not market files, and why (a folder, a FIFO, another extension)
    ignored: list[tuple[str, str]] = field(default_factory=list)


def known_hashes(warehouse_path: Path) -> set[str]:
    """Files already ingested: those that gave a row of raw.market_shares, current or replaced."""
    if not warehouse_path.exists():
        return set()
    with read_only(warehouse_path) as con:
        try:
            rows = con.execute(f"select distinct file_sha256 from {SHARES_HISTORY}").fetchall()
        except duckdb.CatalogException:
            return set()
    return {sha for (sha,) in rows}


def plan_refresh(settings: Settings) -> RefreshPlan:
    """New files and the periods they give, for the sensor's run key and the CLI's message;
    files still being written are not new yet.

    The ingest step itself reads the files without this plan (see ingest_new_files)."""
    ingested = known_hashes(settings.warehouse_path)
    landing = list_folder(settings.landing_dir, "landing")
    seeds = market_files(settings.seeds_dir / "market_shares", "seeds")
    candidates = [hashed(file)[0] for file in seeds + landing.files]
    new = [file for file in candidates if file.sha256 not in ingested]
    done = [f for f in candidates if f.sha256 in ingested and f.origin == "landing"]
    bounds = seed_period_bounds(settings.seeds_dir)  # a refused period is not a period given
    ranges = [span for span in (_period_span(file, bounds) for file in new) if span is not None]
    start = min((s for s, _ in ranges), default=None)
    end = max((e for _, e in ranges), default=None)
    return RefreshPlan(new, done, start, end, landing.waiting, landing.ignored)


def _period_span(file: MarketFile, bounds: PeriodBounds | None) -> tuple[date, date] | None:
    if escapes_folder(file.path) or header_too_long(file.path):
        return None
    try:
        scan = (
            pl.scan_parquet(file.path)
            if file.format == "parquet"
            else pl.scan_csv(file.path, infer_schema=False, encoding="utf8-lossy")
        )
        period = parsed_date(pl.col("period").cast(pl.String))
        if bounds is not None:  # a refused period must not widen the run's range
            period = period.filter(period.is_between(bounds.first, bounds.last))
        low, high = (
            scan.select(period.min().alias("low"), period.max().alias("high")).collect().row(0)
        )
    except BaseException as error:  # noqa: BLE001 - the run refuses the file, with its cause
        if isinstance(error, FATAL):
            raise
        return None
    return (low, high) if low is not None else None


def ingest_new_files(
    settings: Settings, known_vendors: set[str], bounds: PeriodBounds | None = None
) -> tuple[IngestOutcome, list[MarketFile]]:
    """The ingest step: validate the files not ingested yet; also the landing files already in.

    A landing file is expected to be new, since files that went in move out, so it is read while
    another thread computes its SHA-256 (on a 1 GB file that hides most of the hashing); should
    the hash turn out to be known (the same file dropped again), its rows are dropped unused. Seed
    files, known after the first run, are hashed before they are read."""
    ingested = known_hashes(settings.warehouse_path)
    outcome, already_ingested = IngestOutcome(), []
    seeds = market_files(settings.seeds_dir / "market_shares", "seeds")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sovai-hash") as hasher:
        landing = list_folder(settings.landing_dir, "landing", hasher)
        outcome.left, outcome.ignored = list(landing.waiting), list(landing.ignored)
        for file in [file for file in seeds if not _known_already(file, ingested)] + landing.files:
            if _known_already(file, ingested):
                already_ingested.append(file)
                continue
            shares_or_problems = _validated_shares(file, known_vendors, bounds)
            unfinished_why = changed_since_listed(file)
            if unfinished_why:  # the bytes read may not be the bytes hashed: not taken yet
                outcome.left.append((file.path.name, unfinished_why))
                continue
            file, unhashed = hashed(file)
            if unhashed is not None:
                shares_or_problems = [unhashed]
            if file.sha256 in ingested:
                already_ingested.append(file)
            elif not isinstance(shares_or_problems, pl.DataFrame):
                outcome.rejected.append((file, shares_or_problems))
            else:
                outcome.accepted.append((file, shares_or_problems))
    return outcome, already_ingested


def _known_already(file: MarketFile, ingested: set[str]) -> bool:
    """Known without reading the file: its hash is already computed, and recorded."""
    digest = file.content_hash
    if isinstance(digest, Future) and not (digest.done() and digest.exception() is None):
        return False
    return file.sha256 in ingested


def _validated_shares(
    file: MarketFile, known_vendors: set[str], bounds: PeriodBounds | None
) -> pl.DataFrame | list[Problem]:
    """A file's shares, or its problems: each file on its own, so one bad file stops no other."""
    problems: list[Problem] = []
    try:
        # data problems and library crashes (a Rust panic) are collected with the file named
        with problems_collected(problems, display_path(file.path)):
            refuse_before_reading(file)
            shares = shares_from_file(file, known_vendors)
            check_landed(file, shares, bounds)
            return shares
    except Exception as error:  # any other failure to read one file must not stop the others
        return [unreadable(file, error)]
    return problems


def file_columns(file: MarketFile) -> dict[str, str]:
    """The columns naming the file a row of raw.market_shares came in."""
    return {"file_name": file.path.name, "file_sha256": file.sha256}


def settle(settings: Settings, outcome: IngestOutcome, already_ingested: list[MarketFile]) -> None:
    """Move landing files out of the way once their fate is recorded; seeds stay put. A file
    that went in supersedes a refused one of the same name (its fixed version). A name too long
    for its kept copy is shortened (pipelines/ingest/names.py); the report keeps the original.

    A last look first: a file opened for writing or changed since it was read stays in landing
    (its kept copy must be the bytes its hash names), and a refused one is not quarantined."""
    went_in = [file for file, _ in outcome.accepted] + already_ingested
    landed = [f for f in went_in + [f for f, _ in outcome.rejected] if f.origin == "landing"]
    not_now = unfinished([file for file in landed if file.path.exists()])
    for file in went_in:
        if file.origin != "landing" or not file.path.exists():
            continue
        if file.path in not_now:
            why = f"{not_now[file.path]}; its rows as read went in, the file stays in landing"
            outcome.left.append((file.path.name, why))
            continue
        _move(file.path, settings.processed_dir, f"{file.sha256[:16]}-{file.path.name}")
    resolve_superseded(
        settings, {file.path.name for file, _ in outcome.accepted if file.origin == "landing"}
    )
    refused, outcome.rejected = outcome.rejected, []
    for file, problems in refused:
        if file.path in not_now:
            outcome.left.append((file.path.name, f"{not_now[file.path]}; {STILL_WRITTEN}"))
            continue
        outcome.rejected.append((file, problems))
        if file.origin == "landing" and file.path.exists():
            _quarantine(settings, outcome, file, problems)


def _quarantine(
    settings: Settings, outcome: IngestOutcome, file: MarketFile, problems: list[Problem]
) -> None:
    target = _move(file.path, settings.quarantine_dir, file.path.name, ERRORS_SUFFIX)
    outcome.quarantined_as[file.path.name] = target.name
    report = {
        "file": file.path.name,
        "sha256": file.sha256,
        "quarantined_as": target.name,
        "problems": [problem.as_dict() for problem in problems],
    }
    errors_path = target.with_name(target.name + ERRORS_SUFFIX)
    errors_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")


def _move(source: Path, folder: Path, name: str, companion: str = "") -> Path:
    """Move source into folder as name (shortened to fit, with its companion file's suffix),
    numbered rather than overwriting an earlier file of the same name."""
    folder.mkdir(parents=True, exist_ok=True)
    room = name_max(folder) - len(companion.encode())
    target = free_name(folder, name, room, companion)
    shutil.move(str(source), str(target))
    return target
