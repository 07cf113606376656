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
    check_landed,
    escapes_folder,
    refuse_before_reading,
    seed_period_bounds,
)
from pipelines.ingest.landing import MarketFile, market_files, shares_from_file
from pipelines.ingest.quarantine import resolve_superseded
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


@dataclass
class IngestOutcome:
    accepted: list[tuple[MarketFile, pl.DataFrame]] = field(default_factory=list)
    rejected: list[tuple[MarketFile, list[Problem]]] = field(default_factory=list)


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


def candidate_files(settings: Settings) -> list[MarketFile]:
    return market_files(settings.seeds_dir / "market_shares", "seeds") + market_files(
        settings.landing_dir, "landing"
    )


def plan_refresh(settings: Settings) -> RefreshPlan:
    """New files and the periods they give, for the sensor's run key and the CLI's message.

    The ingest step itself reads the files without this plan (see ingest_new_files)."""
    ingested = known_hashes(settings.warehouse_path)
    candidates = candidate_files(settings)
    new = [file for file in candidates if file.sha256 not in ingested]
    done = [f for f in candidates if f.sha256 in ingested and f.origin == "landing"]
    bounds = seed_period_bounds(settings.seeds_dir)  # a refused period is not a period given
    ranges = [span for span in (_period_span(file, bounds) for file in new) if span is not None]
    start = min((s for s, _ in ranges), default=None)
    end = max((e for _, e in ranges), default=None)
    return RefreshPlan(new, done, start, end)


def _period_span(file: MarketFile, bounds: PeriodBounds | None) -> tuple[date, date] | None:
    if escapes_folder(file.path):
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
    except (pl.exceptions.PolarsError, OSError):
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
        landing = market_files(settings.landing_dir, "landing", hasher)
        for file in [file for file in seeds if file.sha256 not in ingested] + landing:
            if _known_already(file, ingested):
                already_ingested.append(file)
                continue
            shares_or_problems = _validated_shares(file, known_vendors, bounds)
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
    return (not isinstance(digest, Future) or digest.done()) and file.sha256 in ingested


def _validated_shares(
    file: MarketFile, known_vendors: set[str], bounds: PeriodBounds | None
) -> pl.DataFrame | list[Problem]:
    """A file's shares, or its problems: each file on its own, so one bad file stops no other."""
    problems: list[Problem] = []
    with problems_collected(problems, display_path(file.path)):
        refuse_before_reading(file)
        shares = shares_from_file(file, known_vendors)
        check_landed(file, shares, bounds)
        return shares
    return problems


def file_columns(file: MarketFile) -> dict[str, str]:
    """The columns naming the file a row of raw.market_shares came in."""
    return {"file_name": file.path.name, "file_sha256": file.sha256}


def settle(settings: Settings, outcome: IngestOutcome, already_ingested: list[MarketFile]) -> None:
    """Move landing files out of the way once their fate is recorded; seeds stay put. A file
    that went in supersedes a refused one of the same name (its fixed version)."""
    for file in [file for file, _ in outcome.accepted] + already_ingested:
        if file.origin == "landing" and file.path.exists():
            _move(file.path, settings.processed_dir / f"{file.sha256[:16]}-{file.path.name}")
    resolve_superseded(
        settings, {file.path.name for file, _ in outcome.accepted if file.origin == "landing"}
    )
    for file, problems in outcome.rejected:
        if file.origin != "landing" or not file.path.exists():
            continue
        target = _move(file.path, settings.quarantine_dir / file.path.name)
        report = {
            "file": file.path.name,
            "sha256": file.sha256,
            "quarantined_as": target.name,
            "problems": [problem.as_dict() for problem in problems],
        }
        errors_path = target.with_name(target.name + ".errors.json")
        errors_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")


def _move(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, counter = target, 1
    while candidate.exists():  # never overwrite an earlier file of the same name
        candidate = target.with_name(f"{target.stem}.{counter}{target.suffix}")
        counter += 1
    shutil.move(str(source), str(candidate))
    return candidate
