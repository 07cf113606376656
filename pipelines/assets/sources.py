"""The input files as observable source assets, so Dagster knows when an input changed.

Each seed source (a file or a folder of seeds/) and the market files not yet in the warehouse get
a data version from their content. A raw asset records the version it read (Dagster's data
provenance); when a later observation differs, Dagster marks it stale, and `sovai run` runs what
is stale and what depends on it, and nothing when nothing changed (pipelines/stale_assets.py).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

import dagster as dg

from pipelines.ingest.landing_folder import (
    LandingFolderError,
    hashed,
    list_folder,
    market_files,
)
from pipelines.ingest.quarantine import pending
from pipelines.ingest.seeds import SEED_GROUPS, seed_group_files
from pipelines.resources import WarehouseResource
from pipelines.settings import Settings

MARKET_FILES = dg.AssetKey(["landing", "market_files"])
PROCESSED_NAME = re.compile(r"[0-9a-f]{16}-")  # data/processed/<sha256[:16]>-<name>
# seeds/market_shares is read with the landing folder, as market files
SEED_SOURCES = [group for group in SEED_GROUPS if group != "market_shares"]
# Observable source assets are Dagster's own way to give inputs a data version; the decorator is
# marked beta in 1.13 and says so at each use. Only that one message is filtered, only here.
warnings.filterwarnings(
    "ignore",
    message="Function `observable_source_asset` is currently in beta",
    category=dg.BetaWarning,
)


def seed_source_key(group: str) -> dg.AssetKey:
    return dg.AssetKey(["seeds", group])


def content_version(seeds_dir: Path, files: list[Path]) -> str:
    """A hash of the files' names (relative to seeds/) and bytes: a file touched but unchanged
    keeps its version; a file added, removed, renamed or edited changes it."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(seeds_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _seed_source(group: str) -> dg.SourceAsset:
    tables = ", ".join(f"raw.{table}" for table in SEED_GROUPS[group])

    @dg.observable_source_asset(
        key=seed_source_key(group),
        group_name="sources",
        description=f"The seed files of {tables}; the data version hashes their content.",
    )
    def observe_seed_files(warehouse: WarehouseResource) -> dg.ObserveResult:
        files = seed_group_files(warehouse.seeds, group)
        return dg.ObserveResult(
            data_version=dg.DataVersion(content_version(warehouse.seeds, files)),
            metadata={"files": len(files)},
        )

    return observe_seed_files


@dg.observable_source_asset(
    key=MARKET_FILES,
    group_name="sources",
    description=(
        "The market files: seeds/market_shares, data/landing, data/processed and the refused "
        "files waiting in data/quarantine. The data version hashes the set of their content "
        "hashes, so it changes when a file lands or is released from quarantine, not when a run "
        "moves one from landing to processed or quarantine."
    ),
)
def observe_market_files(warehouse: WarehouseResource) -> dg.ObserveResult:
    version, metadata = market_files_version(warehouse.settings())
    return dg.ObserveResult(data_version=dg.DataVersion(version), metadata=metadata)


def market_files_version(settings: Settings) -> tuple[str, dict[str, int | str]]:
    """A hash of the set of market files' content hashes wherever they are: seeds/market_shares,
    the landing folder, data/processed (whose names start with the hash) and the quarantine's
    pending files. A file that lands changes it; a run that moves the file on (to processed or
    quarantine) does not, so the run that ingested a file does not make the next run stale.
    Releasing a quarantined file changes it, so the landing check is evaluated again."""
    metadata: dict[str, int | str] = {}
    try:
        landing = list_folder(settings.landing_dir, "landing")
    except LandingFolderError as error:  # a run must meet the problem and report it
        metadata["problem"] = str(error)
        return hashlib.sha256(f"unreadable: {error}".encode()).hexdigest()[:16], metadata
    seeds = market_files(settings.seeds_dir / "market_shares", "seeds")
    present = {hashed(file)[0].sha256[:16] for file in seeds + landing.files}
    processed = settings.processed_dir
    kept = {
        path.name[:16]
        for path in (processed.iterdir() if processed.is_dir() else [])
        if PROCESSED_NAME.match(path.name)
    }
    waiting = {item.sha256[:16] for item in pending(settings)}
    everything = present | kept | waiting
    metadata |= {
        "files": len(everything),
        "files_in_landing_and_seeds": len(present),
        "files_in_quarantine": len(waiting),
    }
    return hashlib.sha256("\n".join(sorted(everything)).encode()).hexdigest()[:16], metadata


def current_versions(settings: Settings) -> dict[dg.AssetKey, str]:
    """What observing every source now would record, computed the same way."""
    versions = {
        seed_source_key(group): content_version(
            settings.seeds_dir, seed_group_files(settings.seeds_dir, group)
        )
        for group in SEED_SOURCES
    }
    return versions | {MARKET_FILES: market_files_version(settings)[0]}


SOURCE_ASSETS = [*(_seed_source(group) for group in SEED_SOURCES), observe_market_files]
