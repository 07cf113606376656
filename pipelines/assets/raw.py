"""Raw layer: each seed source (a file or a folder of seeds/) read, validated with pandera, and
published as its raw.<table>s by an ingest asset of its own.

A source's files are all validated before any of its tables is published, so a bad file stops
that source and what depends on it; the other sources and their tables still go in, and the
warehouse keeps the bad source's previous version. The failure lists every bad file, row, column
and rule.
"""

from pathlib import Path

import dagster as dg
import polars as pl

import models
from models.validation import SeedValidationError
from pipelines.assets.reporting import materialize_result
from pipelines.assets.sources import SEED_SOURCES, seed_source_key
from pipelines.assets.versioning import code_version_of
from pipelines.checks.contracts import contract_from_model
from pipelines.checks.validation import seed_check_results, seed_check_specs
from pipelines.ingest.seeds import RAW_TABLES, SEED_GROUPS, load_seeds
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource
from pipelines.warehouse.publish import TableToPublish

RAW_CODE_VERSION = code_version_of(
    *Path(models.__file__).parent.glob("*.py"),
    *(Path(__file__).parent.parent / "ingest").glob("*.py"),
)


def _column_descriptions(name: str) -> dict[str, str]:
    schema = RAW_TABLES[name].model.to_schema()
    return {column: spec.description or "" for column, spec in schema.columns.items()}


def raw_table(name: str, frame: pl.DataFrame) -> TableToPublish:
    """raw.<name> with its description and column comments, as its ingest asset publishes it."""
    return TableToPublish(
        name=name,
        schema="raw",
        description=RAW_TABLES[name].description,
        column_comments=_column_descriptions(name),
        frame=frame,
    )


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


def _specs(group: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=["raw", name],
            description=f"{RAW_TABLES[name].description}. Validated by "
            f"models.{RAW_TABLES[name].model.__name__}.",
            deps=[seed_source_key(group)],
            group_name="raw",
            kinds={"pandera", "polars", "duckdb"},
            code_version=RAW_CODE_VERSION,
            owners=["team:data-platform"],
            tags={"layer": "raw"},
            metadata=contract_from_model(["raw", name], RAW_TABLES[name].model),
        )
        for name in SEED_GROUPS[group]
    ]


def ingest_asset(group: str) -> dg.AssetsDefinition:
    """The ingest asset of one seed source: all its files are validated, then the selected
    tables published together."""
    specs = _specs(group)

    @dg.multi_asset(
        specs=specs,
        check_specs=seed_check_specs(spec.key for spec in specs),
        can_subset=True,
        pool=WAREHOUSE_POOL,
        name=f"ingest_{group}",
        description=f"Read and validate the {group} seeds, then publish their raw tables.",
    )
    def ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        checked = [key.asset_key for key in context.selected_asset_check_keys]
        try:
            frames = load_seeds(warehouse.seeds, group)
        except SeedValidationError as error:
            yield from seed_check_results(checked, error)  # shown on each asset; the step fails
            raise validation_failure(error) from None
        selected = [
            name
            for name in SEED_GROUPS[group]
            if dg.AssetKey(["raw", name]) in context.selected_asset_keys
        ]
        context.log.info(f"The {group} seeds are valid; publishing {', '.join(selected)}")
        tables = [raw_table(name, frames[name]) for name in selected]
        outcomes = warehouse.publish(
            tables, run_id=context.run.run_id, code_version=RAW_CODE_VERSION
        )
        for name, outcome in zip(selected, outcomes, strict=True):
            yield materialize_result(
                outcome, _column_descriptions(name), asset_key=dg.AssetKey(["raw", name])
            )
        yield from seed_check_results(checked, None)

    return ingest


RAW_ASSETS = [ingest_asset(group) for group in SEED_SOURCES]
