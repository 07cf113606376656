"""Which seed files feed which raw table, and validating all of them in one pass.

Every file is read and checked before anything is published, and every problem of every file is
collected, so a user fixing seeds sees the whole list at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandera.polars as pa
import polars as pl

from models.assumptions import AssumptionsModel
from models.infrastructure import InfrastructureComponentModel
from models.market_periods import check_period_bounds, period_bounds
from models.market_shares import MarketShareModel, check_vendor_references
from models.plans import ComputePlanModel, check_destination_references
from models.platforms import PlatformModel
from models.policy import (
    AiActRiskCategoryModel,
    EffectivenessMetricModel,
    ExportControlDestinationModel,
    ExportControlLicenceRequirementModel,
    ExportControlThresholdModel,
    PolicyInstrumentModel,
)
from models.scenarios import ScenarioModel
from models.strategy import StrategyBenefitModel, StrategyModel, SwitchingCostModel
from models.validation import (
    Problem,
    SeedFrame,
    SeedValidationError,
    display_path,
    problems_collected,
    validate_seed,
)
from models.vendors import VendorModel
from pipelines.ingest import seed_readers
from pipelines.ingest.hardware import HARDWARE_SEEDS, HARDWARE_TABLES, check_catalog_references
from pipelines.ingest.readers import read_csv_seed


@dataclass(frozen=True)
class RawTable:
    name: str
    model: type[pa.DataFrameModel]
    description: str


RAW_TABLES: dict[str, RawTable] = {
    table.name: table
    for table in [
        RawTable("platforms", PlatformModel, "Compute platforms compared for efficiency"),
        RawTable("assumptions", AssumptionsModel, "Constants every metric reads"),
        RawTable("vendors", VendorModel, "AI chip vendors and their supply-risk attributes"),
        RawTable("market_shares", MarketShareModel, "Vendor shares per period, market, region"),
        RawTable("strategies", StrategyModel, "Buyers' vendor strategies"),
        RawTable("switching_costs", SwitchingCostModel, "Costs of leaving the primary vendor"),
        RawTable("strategy_benefits", StrategyBenefitModel, "Benefits of the current strategy"),
        RawTable(
            "infrastructure_components",
            InfrastructureComponentModel,
            "Planned infrastructure components",
        ),
        RawTable("policy_instruments", PolicyInstrumentModel, "National AI policy instruments"),
        RawTable(
            "export_control_thresholds",
            ExportControlThresholdModel,
            "Export-control thresholds with their legal sources",
        ),
        RawTable("ai_act_risk_categories", AiActRiskCategoryModel, "EU AI Act risk categories"),
        RawTable(
            "policy_effectiveness_inputs",
            EffectivenessMetricModel,
            "Reported policy effectiveness figures",
        ),
        RawTable("scenarios", ScenarioModel, "What-if mergers and shifts of market share"),
        RawTable(
            "export_control_licence_requirements",
            ExportControlLicenceRequirementModel,
            "Where each export rule requires a licence, by Country Group, with legal sources",
        ),
        RawTable(
            "export_control_destinations",
            ExportControlDestinationModel,
            "Destinations plans name, with their Country Groups and legal sources",
        ),
        RawTable(
            "compute_plans",
            ComputePlanModel,
            "Sovereign compute plans: destination and rule, power, electricity, workload",
        ),
        *(RawTable(*table) for table in HARDWARE_TABLES),
    ]
}


# The seed sources: each is a file or a folder, read and published by its own ingest asset, so a
# bad file fails only that source's tables and what depends on them.
SEED_GROUPS: dict[str, tuple[str, ...]] = {
    "platforms": ("platforms",),
    "assumptions": ("assumptions",),
    "vendors": ("vendors",),
    "market_shares": ("market_shares",),
    "hardware": tuple(name for name, *_ in HARDWARE_TABLES if not name.startswith("export_")),
    "strategy": ("strategies", "switching_costs", "strategy_benefits"),
    "infrastructure": ("infrastructure_components",),
    "policy": (
        "policy_instruments",
        "policy_effectiveness_inputs",
        "export_control_thresholds",
        "export_control_clauses",
        "export_control_exclusions",
        "export_control_licence_requirements",
        "export_control_destinations",
        "ai_act_risk_categories",
    ),
    "scenarios": ("scenarios",),
    "plans": ("compute_plans",),
}


def load_seeds(seeds_dir: Path, group: str | None = None) -> dict[str, pl.DataFrame]:
    """Every raw table (or one seed group's), validated; raises SeedValidationError listing all
    problems found. Checks across groups (shares against vendors) run only with every group."""
    seeds_dir = Path(seeds_dir)
    problems: list[Problem] = []
    by_table: dict[str, list[SeedFrame]] = defaultdict(list)
    for reader, path in _seed_files(seeds_dir, problems, group):
        with problems_collected(problems, display_path(path)):
            for seed in reader(path):
                by_table[seed.table].append(seed)

    validated: dict[str, pl.DataFrame] = {}
    combined: dict[str, SeedFrame] = {}
    for name, table in RAW_TABLES.items():
        if group is not None and name not in SEED_GROUPS[group]:
            continue
        # A file may legitimately give no rows for a table (eu.yaml has no effectiveness
        # figures); such empty pieces carry no columns to check.
        seeds = [seed for seed in by_table.get(name, []) if seed.frame.height > 0]
        if not seeds:
            if name in by_table:
                validated[name] = empty_frame(table.model)
            continue
        combined[name] = SeedFrame.combine(name, seeds_dir, seeds) if len(seeds) > 1 else seeds[0]
        with problems_collected(problems, display_path(combined[name].file)):
            validated[name] = validate_seed(combined[name], table.model)

    if "market_shares" in combined and "vendors" in validated:
        known = set(validated["vendors"].get_column("vendor").to_list())
        problems.extend(check_vendor_references(combined["market_shares"], known))
    problems.extend(check_catalog_references(combined, validated))
    if "compute_plans" in combined and "export_control_destinations" in validated:
        known = set(validated["export_control_destinations"].get_column("destination").to_list())
        problems.extend(check_destination_references(combined["compute_plans"], known))
    if "assumptions" in validated and validated["assumptions"].height != 1:
        problems.append(
            Problem(
                display_path(seeds_dir / "assumptions.yaml"), "whole file", "-", "must hold one row"
            )
        )
    elif "assumptions" in validated and {"market_shares"} <= set(combined) & set(validated):
        bounds = period_bounds(validated["assumptions"].row(0, named=True))
        periods = validated["market_shares"].get_column("period")
        problems.extend(check_period_bounds(combined["market_shares"], periods, bounds))
    if problems:
        raise SeedValidationError(problems)
    return validated


def empty_frame(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    columns = model.to_schema().columns
    return pl.DataFrame(schema={name: column.dtype.type for name, column in columns.items()})


SeedReader = Callable[[Path], list[SeedFrame]]


def seed_group_files(seeds_dir: Path, group: str) -> list[Path]:
    """The files a seed group reads now (a missing required file is left to validation)."""
    single = [seeds_dir / name for name, _ in _single_files() if _single_group(name) == group]
    folders = [
        path
        for folder, pattern, _ in _folders()
        if folder == group
        for path in sorted((seeds_dir / folder).glob(pattern))
    ]
    # files a seed names rather than is (sources.yaml lists the hardware tables it reads)
    named = sorted(path for path in (seeds_dir / group).glob("*") if path.is_file())
    found = [path for path in single if path.is_file()] + folders
    return found + [path for path in named if path not in found]


def _single_files() -> list[tuple[str, SeedReader]]:
    return [
        ("platforms.csv", lambda p: [read_csv_seed("platforms", p)]),
        ("assumptions.yaml", seed_readers.assumptions_seeds),
        ("vendors.yaml", seed_readers.vendors_seeds),
        *HARDWARE_SEEDS,
    ]


def _single_group(file_name: str) -> str:
    stem = file_name.split(".")[0]
    return stem if stem in SEED_GROUPS else "hardware"


def _folders() -> list[tuple[str, str, SeedReader]]:
    return [
        ("market_shares", "*.csv", lambda p: [read_csv_seed("market_shares", p)]),
        ("strategy", "*.yaml", seed_readers.strategy_seeds),
        ("infrastructure", "*.yaml", seed_readers.infrastructure_seeds),
        ("policy", "*.yaml", seed_readers.policy_seeds),
        ("scenarios", "*.yaml", seed_readers.scenarios_seeds),
        ("plans", "*.yaml", seed_readers.plans_seeds),
    ]


def _seed_files(
    seeds_dir: Path, problems: list[Problem], group: str | None = None
) -> Iterator[tuple[SeedReader, Path]]:
    if not seeds_dir.is_dir():
        problems.append(Problem(str(seeds_dir), "whole folder", "-", "seeds folder not found"))
        return
    for file_name, reader in _single_files():
        if group is not None and _single_group(file_name) != group:
            continue
        path = seeds_dir / file_name
        if path.is_file():
            yield reader, path
        else:
            problems.append(Problem(display_path(path), "whole file", "-", "required seed missing"))
    for folder, pattern, reader in _folders():
        if group is not None and folder != group:
            continue
        paths = sorted((seeds_dir / folder).glob(pattern))
        if not paths:
            problems.append(
                Problem(
                    display_path(seeds_dir / folder), "whole folder", "-", f"no {pattern} files"
                )
            )
        for path in paths:
            yield reader, path
