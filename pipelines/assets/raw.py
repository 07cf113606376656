"""Raw layer: every seed file read, validated with pandera, and published as raw.<table>.

All seeds are validated before any is published, so one bad file stops the run at ingest and the
warehouse keeps its previous version; the failure lists every bad file, row, column and rule.
"""

from pathlib import Path

import dagster as dg

import models
from models.validation import SeedValidationError
from pipelines.assets.reporting import materialize_result
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_from_model
from pipelines.checks.validation import seed_check_results, seed_check_specs
from pipelines.ingest.seeds import RAW_TABLES, load_seeds
from pipelines.resources import WarehouseResource
from pipelines.warehouse.publish import TableToPublish

RAW_CODE_VERSION = code_version_of(
    *Path(models.__file__).parent.glob("*.py"),
    *(Path(__file__).parent.parent / "ingest").glob("*.py"),
)


def _column_descriptions(name: str) -> dict[str, str]:
    schema = RAW_TABLES[name].model.to_schema()
    return {column: spec.description or "" for column, spec in schema.columns.items()}


# Market shares are validated here with every other seed (a bad seed file stops everything) but
# published by the market assets, which also take landing files.
PUBLISHED_HERE = [name for name in RAW_TABLES if name != "market_shares"]

RAW_SPECS = [
    dg.AssetSpec(
        key=["raw", name],
        description=f"{table.description}. Validated by models.{table.model.__name__}.",
        group_name="raw",
        kinds={"pandera", "polars", "duckdb"},
        code_version=RAW_CODE_VERSION,
        owners=["team:data-platform"],
        tags={"layer": "raw"},
        metadata=contract_from_model(["raw", name], table.model),
    )
    for name, table in RAW_TABLES.items()
    if name in PUBLISHED_HERE
]


def validation_failure(error: SeedValidationError) -> dg.Failure:
    """A failure whose metadata is a table of the problems, not only text."""
    problems = dg.MetadataValue.table(
        records=[dg.TableRecord(problem.as_dict()) for problem in error.problems],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn(name, "string")
                for name in ("file", "row", "column", "rule", "value")
            ]
        ),
    )
    return dg.Failure(
        description=str(error),
        metadata={"problems": problems, "problem_count": len(error.problems)},
        allow_retries=False,
    )


@dg.multi_asset(
    specs=RAW_SPECS,
    check_specs=seed_check_specs(spec.key for spec in RAW_SPECS),
    can_subset=True,
    name="raw_seeds",
    description="Read and validate every seed file, then publish the selected raw tables.",
)
def raw_seeds(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    checked = [key.asset_key for key in context.selected_asset_check_keys]
    try:
        frames = load_seeds(warehouse.seeds)
    except SeedValidationError as error:
        yield from seed_check_results(checked, error)  # shown on each asset, then the run stops
        raise validation_failure(error) from None
    selected = [
        name for name in PUBLISHED_HERE if dg.AssetKey(["raw", name]) in context.selected_asset_keys
    ]
    context.log.info(f"Seeds valid; publishing {', '.join(selected)}")
    tables = [
        TableToPublish(
            name=name,
            schema="raw",
            description=RAW_TABLES[name].description,
            column_comments=_column_descriptions(name),
            frame=frames[name],
        )
        for name in selected
    ]
    outcomes = warehouse.publish(tables, run_id=context.run.run_id, code_version=RAW_CODE_VERSION)
    for name, outcome in zip(selected, outcomes, strict=True):
        yield materialize_result(
            outcome, _column_descriptions(name), asset_key=dg.AssetKey(["raw", name])
        )
    yield from seed_check_results(checked, None)
