"""How each YAML seed becomes rows of its raw tables: one row per item, with the document's
shared fields (company, jurisdiction, source) copied onto each, and a location for messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from models.plans import ComputePlanModel
from models.policy import (
    AiActRiskCategoryModel,
    ExportControlDestinationModel,
    ExportControlLicenceRequirementModel,
    ExportControlThresholdModel,
    PolicyInstrumentModel,
)
from models.scenarios import ScenarioModel
from models.strategy import StrategyModel
from models.validation import SeedFrame
from models.vendors import VendorModel
from pipelines.ingest.readers import read_yaml_mapping, require, rows_to_seed


def list_columns(model: type[pa.DataFrameModel]) -> set[str]:
    schema = model.to_schema()
    return {
        name for name, column in schema.columns.items() if isinstance(column.dtype.type, pl.List)
    }


def assumptions_seeds(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    return [rows_to_seed("assumptions", path, [("document", document)], set())]


def vendors_seeds(path: Path) -> list[SeedFrame]:
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
    return [rows_to_seed("vendors", path, rows, list_columns(VendorModel))]


def strategy_seeds(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    company = document.get("company")
    costs = require(document, "switching_costs", list, path, "document")
    benefits = require(document, "benefits", list, path, "document")
    top = {k: v for k, v in document.items() if k not in ("switching_costs", "benefits")}
    return [
        rows_to_seed("strategies", path, [("document", top)], list_columns(StrategyModel)),
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


def infrastructure_seeds(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    components = require(document, "components", list, path, "document")
    shared = {k: document.get(k) for k in ("company", "vendor", "source")}
    rows = _items("components", components, shared)
    return [rows_to_seed("infrastructure_components", path, rows, set())]


def policy_seeds(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    shared = {"jurisdiction": document.get("jurisdiction"), "source": document.get("source")}
    instruments = require(document, "instruments", list, path, "document")
    seeds = [
        rows_to_seed(
            "policy_instruments",
            path,
            _items("instruments", instruments, shared),
            list_columns(PolicyInstrumentModel),
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
                list_columns(ExportControlThresholdModel),
            )
        )
        clauses = _items("export_controls.screening", controls.get("screening") or [], shared)
        seeds.append(rows_to_seed("export_control_clauses", path, clauses, set()))
        exclusions = _items("export_controls.exclusions", controls.get("exclusions") or [], shared)
        seeds.append(rows_to_seed("export_control_exclusions", path, exclusions, set()))
        for key, table, model in (
            ("licence_requirements", "export_control_licence_requirements", LICENCES),
            ("destinations", "export_control_destinations", DESTINATIONS),
        ):
            items = _items(f"export_controls.{key}", controls.get(key) or [], shared)
            seeds.append(rows_to_seed(table, path, items, list_columns(model)))
    if "ai_act" in document:
        seeds.append(_ai_act(path, require(document, "ai_act", dict, path, "document"), shared))
    return seeds


LICENCES = ExportControlLicenceRequirementModel
DESTINATIONS = ExportControlDestinationModel


def plans_seeds(path: Path) -> list[SeedFrame]:
    """One plan per file: the document is the plan's one row; optional fields may be left out."""
    document = read_yaml_mapping(path)
    columns = ComputePlanModel.to_schema().columns
    optional = {name: None for name, column in columns.items() if column.nullable}
    return [
        rows_to_seed(
            "compute_plans",
            path,
            [("document", {**optional, **document})],
            list_columns(ComputePlanModel),
        )
    ]


def scenarios_seeds(path: Path) -> list[SeedFrame]:
    document = read_yaml_mapping(path)
    scenarios = require(document, "scenarios", list, path, "document")
    # A merger leaves the shift columns empty and the other way round; every row gets every
    # optional column, so a file of one kind still has the whole contract's header.
    columns = ScenarioModel.to_schema().columns
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
    return rows_to_seed("ai_act_risk_categories", path, rows, list_columns(AiActRiskCategoryModel))


def _items(
    where: str, items: list[Any], shared: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{where} item {index}", {**shared, **item} if isinstance(item, dict) else item)
        for index, item in enumerate(items, start=1)
    ]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
