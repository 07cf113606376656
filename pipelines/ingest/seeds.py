"""Which seed files feed which raw table, and validating all of them in one pass.

Every file is read and checked before anything is published, and every problem of every file is
collected, so a user fixing seeds sees the whole list at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from models.assumptions import AssumptionsModel
from models.infrastructure import InfrastructureComponentModel
from models.market_periods import check_period_bounds, period_bounds
from models.market_shares import MarketShareModel, check_vendor_references
from models.platforms import PlatformModel
from models.policy import (
    AiActRiskCategoryModel,
    EffectivenessMetricModel,
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
from pipelines.ingest.hardware import HARDWARE_SEEDS, HARDWARE_TABLES, check_catalog_references
from pipelines.ingest.readers import read_csv_seed, read_yaml_mapping, require, rows_to_seed


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
        *(RawTable(*table) for table in HARDWARE_TABLES),
    ]
}


def load_seeds(seeds_dir: Path) -> dict[str, pl.DataFrame]:
    """Every raw table, validated; raises SeedValidationError listing all problems found."""
    seeds_dir = Path(seeds_dir)
    problems: list[Problem] = []
    by_table: dict[str, list[SeedFrame]] = defaultdict(list)
    for reader, path in _seed_files(seeds_dir, problems):
        with problems_collected(problems, display_path(path)):
            for seed in reader(path):
                by_table[seed.table].append(seed)

    validated: dict[str, pl.DataFrame] = {}
    combined: dict[str, SeedFrame] = {}
    for name, table in RAW_TABLES.items():
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


def _seed_files(seeds_dir: Path, problems: list[Problem]) -> Iterator[tuple[SeedReader, Path]]:
    if not seeds_dir.is_dir():
        problems.append(Problem(str(seeds_dir), "whole folder", "-", "seeds folder not found"))
        return
    single = [
        ("platforms.csv", lambda p: [read_csv_seed("platforms", p)]),
        ("assumptions.yaml", _assumptions),
        ("vendors.yaml", _vendors),
        *HARDWARE_SEEDS,
    ]
    for file_name, reader in single:
        path = seeds_dir / file_name
        if path.is_file():
            yield reader, path
        else:
            problems.append(Problem(display_path(path), "whole file", "-", "required seed missing"))
    folders: list[tuple[str, str, SeedReader]] = [
        ("market_shares", "*.csv", lambda p: [read_csv_seed("market_shares", p)]),
        ("strategy", "*.yaml", _strategy),
        ("infrastructure", "*.yaml", _infrastructure),
        ("policy", "*.yaml", _policy),
        ("scenarios", "*.yaml", _scenarios),
    ]
    for folder, pattern, reader in folders:
        paths = sorted((seeds_dir / folder).glob(pattern))
        if not paths:
            problems.append(
                Problem(
                    display_path(seeds_dir / folder), "whole folder", "-", f"no {pattern} files"
                )
            )
        for path in paths:
            yield reader, path


def _list_columns(table: str) -> set[str]:
    schema = RAW_TABLES[table].model.to_schema()
    return {
        name for name, column in schema.columns.items() if isinstance(column.dtype.type, pl.List)
    }


def _assumptions(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    return [rows_to_seed("assumptions", path, [("document", document)], set())]


def _vendors(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    vendors = require(document, "vendors", dict, path, "document")
    rows = [
        (
            f"vendors.{key}",
            {"vendor": key, **attributes, "source": document.get("source")}
            if isinstance(attributes, dict)
            else attributes,
        )
        for key, attributes in vendors.items()
    ]
    return [rows_to_seed("vendors", path, rows, _list_columns("vendors"))]


def _strategy(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    company = document.get("company")
    costs = require(document, "switching_costs", list, path, "document")
    benefits = require(document, "benefits", list, path, "document")
    top = {k: v for k, v in document.items() if k not in ("switching_costs", "benefits")}
    return [
        rows_to_seed("strategies", path, [("document", top)], _list_columns("strategies")),
        rows_to_seed(
            "switching_costs",
            path,
            _items("switching_costs", costs, {"company": company}),
            set(),
        ),
        rows_to_seed(
            "strategy_benefits", path, _items("benefits", benefits, {"company": company}), set()
        ),
    ]


def _infrastructure(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    components = require(document, "components", list, path, "document")
    shared = {k: document.get(k) for k in ("company", "vendor", "source")}
    rows = _items("components", components, shared)
    return [rows_to_seed("infrastructure_components", path, rows, set())]


def _policy(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    shared = {"jurisdiction": document.get("jurisdiction"), "source": document.get("source")}
    instruments = require(document, "instruments", list, path, "document")
    seeds = [
        rows_to_seed(
            "policy_instruments",
            path,
            _items("instruments", instruments, shared),
            _list_columns("policy_instruments"),
        ),
        rows_to_seed(
            "policy_effectiveness_inputs",
            path,
            _items("effectiveness", document.get("effectiveness") or [], shared),
            set(),
        ),
    ]
    if "export_controls" in document:
        controls = require(document, "export_controls", dict, path, "document")
        thresholds = require(controls, "thresholds", list, path, "export_controls")
        countries = {"targeted_countries": controls.get("targeted_countries"), **shared}
        seeds.append(
            rows_to_seed(
                "export_control_thresholds",
                path,
                _items("export_controls.thresholds", thresholds, countries),
                _list_columns("export_control_thresholds"),
            )
        )
        clauses = _items("export_controls.screening", controls.get("screening") or [], shared)
        seeds.append(rows_to_seed("export_control_clauses", path, clauses, set()))
        exclusions = _items("export_controls.exclusions", controls.get("exclusions") or [], shared)
        seeds.append(rows_to_seed("export_control_exclusions", path, exclusions, set()))
    if "ai_act" in document:
        seeds.append(_ai_act(path, require(document, "ai_act", dict, path, "document"), shared))
    return seeds


def _scenarios(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    scenarios = require(document, "scenarios", list, path, "document")
    # A merger leaves the shift columns empty and the other way round; every row gets every
    # optional column, so a file of one kind still has the whole contract's header.
    columns = RAW_TABLES["scenarios"].model.to_schema().columns
    optional = {name: None for name, column in columns.items() if column.nullable}
    shared = {**optional, "source": document.get("source")}
    return [rows_to_seed("scenarios", path, _items("scenarios", scenarios, shared), set())]


def _ai_act(path: Path, ai_act: dict[str, Any], shared: dict[str, Any]) -> SeedFrame:
    categories = require(ai_act, "risk_categories", dict, path, "ai_act")
    enforcement = _mapping(ai_act.get("enforcement"))
    rows = []
    for category, use_cases in categories.items():
        for index, use_case in enumerate(use_cases or [], start=1):
            row = {
                "risk_category": category,
                "use_case": use_case,
                # The Act's listed requirements bind high-risk systems; prohibited ones are banned.
                "requirements": ai_act.get("requirements") if category == "high_risk" else None,
                "max_fine_percent_of_global_turnover": enforcement.get(
                    "max_fine_percent_of_global_turnover"
                ),
                "status": ai_act.get("status"),
                **shared,
            }
            rows.append((f"ai_act.risk_categories.{category} item {index}", row))
    return rows_to_seed(
        "ai_act_risk_categories", path, rows, _list_columns("ai_act_risk_categories")
    )


def _items(
    where: str, items: list[Any], shared: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{where} item {index}", {**shared, **item} if isinstance(item, dict) else item)
        for index, item in enumerate(items, start=1)
    ]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
