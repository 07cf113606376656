"""Great Expectations: one expectation suite per published analytics table, run as asset checks.

Each suite is built from the table's contract (row count, unique key, HHI and share ranges,
documented columns) plus the extra expectations its .yml lists, and validates what the warehouse
actually holds, read through a read-only connection into pandas (GX Core has no Polars support,
and its DuckDB path through SQLAlchemy does not work). Data Docs are written to data_docs/ beside
the warehouse file as pages that need no network (data_docs.py), and each check links its table's
page.

GX is imported inside the check only (gx_import.py): `import great_expectations` takes seconds,
which loading the definitions (the UI, every `sovai` command, every test) should not pay.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from pipelines.checks import data_docs
from pipelines.checks.asset_checks import contracts_of, failures_table
from pipelines.checks.contracts import TableContract
from pipelines.checks.gx_import import import_great_expectations
from pipelines.checks.table_checks import HHI_MAX, columns_of, relation
from pipelines.resources import WarehouseResource
from pipelines.warehouse.connection import read_only

GX_CHECK = "great_expectations"
DOCS_FOLDER = "data_docs"
SCHEMAS = ("analytics",)


def docs_dir(warehouse_path: Path) -> Path:
    return Path(warehouse_path).parent / DOCS_FOLDER


def suite_expectations(
    contract: TableContract, columns: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The suite of a table as plain dicts ({type, ...kwargs}), from its contract."""
    present = {name for name, _ in columns}
    suite: list[dict[str, Any]] = []
    if not contract.may_be_empty:
        suite.append({"type": "expect_table_row_count_to_be_between", "min_value": 1})
    if contract.columns:
        suite.append(
            {
                "type": "expect_table_columns_to_match_set",
                "column_set": list(contract.columns),
                "exact_match": True,
            }
        )
    if len(contract.keys) == 1:
        suite.append({"type": "expect_column_values_to_be_unique", "column": contract.keys[0]})
    elif contract.keys:
        suite.append(
            {"type": "expect_compound_columns_to_be_unique", "column_list": list(contract.keys)}
        )
    for name in contract.hhi:
        suite.append(
            {
                "type": "expect_column_values_to_be_between",
                "column": name,
                "min_value": 0,
                "max_value": HHI_MAX,
            }
        )
    if contract.shares is not None:
        suite.append(
            {
                "type": "expect_column_values_to_be_between",
                "column": contract.shares.column,
                "min_value": 0,
                "max_value": 1,
            }
        )
    suite.extend(dict(item) for item in contract.expectations)
    # A column the table lacks is reported by the column-set expectation, once.
    return [
        item
        for item in suite
        if item.get("column", "") in present | {""} and set(item.get("column_list", ())) <= present
    ]


def _class_name(expectation_type: str) -> str:
    return "".join(part.capitalize() for part in expectation_type.split("_"))


@dataclass
class SuiteOutcome:
    passed: bool
    evaluated: int
    failed: pl.DataFrame  # expectation, severity, column, unexpected_count, examples
    page: Path  # the table's Data Docs page

    @property
    def severity(self) -> dg.AssetCheckSeverity:
        """ERROR when an expectation says the data is wrong; WARN when only expectations marked
        `severity: warn` in the table's .yml (unusual, not wrong) failed."""
        if self.failed.filter(pl.col("severity") != "warn").height:
            return dg.AssetCheckSeverity.ERROR
        return dg.AssetCheckSeverity.WARN


def run_suites(
    warehouse_path: Path, tables: Mapping[dg.AssetKey, TableContract]
) -> tuple[dict[dg.AssetKey, SuiteOutcome], Path]:
    """Validate each table with its suite in one ephemeral GX context; write Data Docs."""
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    target = docs_dir(warehouse_path)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("warehouse")
    results = {}
    with read_only(warehouse_path) as con:
        for key, contract in tables.items():
            schema, table = key.path
            suite = context.suites.add(gx.ExpectationSuite(name=f"{schema}.{table}"))
            for item in suite_expectations(contract, columns_of(con, schema, table)):
                kwargs = {k: v for k, v in item.items() if k not in ("type", "severity")}
                kwargs["meta"] = {"severity": item.get("severity", "error")}
                suite.add_expectation(getattr(gx.expectations, _class_name(item["type"]))(**kwargs))
            batch = source.add_dataframe_asset(f"{schema}.{table}")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=f"{schema}.{table}",
                    data=batch.add_batch_definition_whole_dataframe("whole table"),
                    suite=suite,
                )
            )
            frame = con.sql(f"select * from {relation(schema, table)}").df()
            results[key] = definition.run(
                batch_parameters={"dataframe": frame}, result_format="SUMMARY"
            )
    names = {key: ".".join(key.path) for key in results}
    pages = data_docs.publish(target, {names[k]: r.to_json_dict() for k, r in results.items()})
    return {key: _outcome(r, pages[names[key]]) for key, r in results.items()}, target


def _outcome(result: Any, page: Path) -> SuiteOutcome:
    failed = [
        {
            "expectation": item.expectation_config.type,
            "severity": str((item.expectation_config.meta or {}).get("severity", "error")),
            "column": str(item.expectation_config.kwargs.get("column") or ""),
            "unexpected_count": str(item.result.get("unexpected_count", "")),
            "examples": ", ".join(
                str(v) for v in (item.result.get("partial_unexpected_list") or [])[:5]
            )
            or _details(item),
        }
        for item in result.results
        if not item.success
    ]
    return SuiteOutcome(
        passed=bool(result.success),
        evaluated=len(result.results),
        failed=pl.DataFrame(
            failed,
            schema={
                "expectation": pl.String,
                "severity": pl.String,
                "column": pl.String,
                "unexpected_count": pl.String,
                "examples": pl.String,
            },
        ),
        page=page,
    )


def _details(item: Any) -> str:
    """What a failed table-level expectation saw (e.g. the observed columns or row count)."""
    observed = item.result.get("observed_value")
    if item.exception_info and item.exception_info.get("raised_exception"):
        message = str(item.exception_info.get("exception_message") or "")
        return re.sub(r"\s+", " ", message)[:200]
    return "" if observed is None else str(observed)[:200]


def build_expectation_checks(assets: Sequence[dg.AssetsDefinition]) -> dg.AssetChecksDefinition:
    contracts = {key: c for key, c in contracts_of(assets).items() if key.path[0] in SCHEMAS}
    specs = [
        dg.AssetCheckSpec(
            GX_CHECK,
            asset=key,
            description="The table meets its Great Expectations suite (built from its contract "
            "and .yml); Data Docs in data_docs/ beside the warehouse.",
        )
        for key in contracts
    ]

    @dg.multi_asset_check(
        specs=specs,
        can_subset=True,
        name="great_expectations_suites",
        description="One Great Expectations suite per analytics table, on a read-only "
        "connection; writes Data Docs to data_docs/ beside the warehouse file.",
    )
    def great_expectations_suites(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ):
        selected = {
            key.asset_key: contracts[key.asset_key] for key in context.selected_asset_check_keys
        }
        outcomes, target = run_suites(warehouse.path, selected)
        index = target / "index.html"
        for key, outcome in outcomes.items():
            metadata: dict[str, Any] = {
                "data_docs": dg.MetadataValue.url(index.as_uri()),
                "data_docs_index": dg.MetadataValue.path(str(index)),
                "expectations_evaluated": outcome.evaluated,
                "expectations_failed": outcome.failed.height,
            }
            metadata["data_docs_page"] = dg.MetadataValue.url(outcome.page.as_uri())
            if outcome.failed.height:
                metadata["failures"] = failures_table(outcome.failed)
            first = outcome.failed.row(0, named=True) if outcome.failed.height else None
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=GX_CHECK,
                passed=outcome.passed,
                severity=outcome.severity,
                description=(
                    f"{outcome.evaluated} expectations met; Data Docs: {index}"
                    if first is None
                    else f"{outcome.failed.height} of {outcome.evaluated} expectations failed; "
                    f"first: {first['expectation']} {first['column']} ({first['examples']}). "
                    f"Data Docs: {index}"
                ),
                metadata=metadata,
            )

    return great_expectations_suites
