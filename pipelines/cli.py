"""`sovai`: validate seeds, refresh the warehouse and query it from a shell.

Exit codes: 0 success, 1 a problem with the data or the query (the message says what to do),
2 a usage error (click's own).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from pipelines.settings import PROJECT_ROOT, get_settings


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Sovereign AI Warehouse: validated, versioned analytics on AI infrastructure.

    \b
    Examples:
      sovai validate
      sovai run
      sovai sql "select * from analytics.market_concentration"
    """


@main.command()
@click.argument("seeds_dir", required=False, type=click.Path(path_type=Path))
def validate(seeds_dir: Path | None) -> None:
    """Check every seed file without publishing anything.

    Lists each problem with its file, row, column and rule, and exits 1 if there are any.

    \b
    Example:
      sovai validate seeds/
    """
    from models.validation import SeedValidationError
    from pipelines.ingest.seeds import load_seeds

    folder = seeds_dir or get_settings().seeds_dir
    try:
        frames = load_seeds(folder)
    except SeedValidationError as error:
        _fail(f"{error}\nFix the files above and run `sovai validate` again.")
    rows = sum(frame.height for frame in frames.values())
    click.echo(f"OK: {len(frames)} seed tables, {rows} rows in {folder} are valid.")


@main.command()
def run() -> None:
    """Materialize every asset: all seeds and tables, then the market path.

    Runs are recorded in the Dagster instance, so they show in the UI.

    \b
    Example:
      sovai run
    """
    _run_job("refresh_all")
    _refresh_market()


@main.command()
def refresh() -> None:
    """Ingest new market files (data/landing, seeds/market_shares) and recompute what they touch.

    The same path as the landing sensor and the daily schedule, for a shell or cron.

    \b
    Example:
      cp shares-2026-03.csv data/landing/ && sovai refresh
    """
    _refresh_market()


def _refresh_market() -> None:
    from pipelines.ingest.market_refresh import plan_refresh
    from pipelines.jobs import range_tags
    from pipelines.warehouse.connection import WarehouseDamagedError

    try:
        plan = plan_refresh(get_settings())
    except WarehouseDamagedError as error:
        _fail(str(error))
    tags = range_tags(plan)
    if tags is None:
        click.echo("No market data yet: drop share or record files in data/landing/.", err=True)
        return
    click.echo(
        f"{len(plan.new_files)} new market file(s); periods {plan.period_start} to "
        f"{plan.period_end}",
        err=True,
    )
    _run_job("market_refresh", tags)


def _run_job(job: str, tags: dict[str, str] | None = None) -> None:
    import dagster as dg

    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    warehouse_path = get_settings().warehouse_path
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    from pipelines.definitions import defs

    click.echo(f"Running {job} into {warehouse_path} ...", err=True)
    result = defs.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
        tags=tags,
        # The run's events (with stack traces) go to the Dagster UI; a shell gets the summary
        # below: each table's version, each failed check, each failure's message.
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        metadata = materialization.metadata
        key = "/".join(materialization.asset_key.path)
        status = metadata["status"].value if "status" in metadata else ""
        version = metadata["version"].value if "version" in metadata else "?"
        click.echo(f"  {key:<40} v{version:<4} {status}")
    if not result.success:
        failures = [
            event.step_failure_data.user_failure_data.description
            if event.step_failure_data.user_failure_data
            else event.step_failure_data.error.message.strip()
            for event in result.all_events
            if event.is_step_failure
        ]
        _fail(
            f"run {result.run_id} failed; the warehouse keeps its previous version.\n"
            + "\n".join(failures)
        )
    problems = _report_failed_checks(result)
    if problems:
        _fail(
            f"run {result.run_id} of {job} finished, but {problems} check(s) failed (above); "
            "the Dagster UI shows each with its failing rows."
        )
    click.echo(f"Done: run {result.run_id} of {job} succeeded.", err=True)


def _report_failed_checks(result) -> int:
    """Print each failed asset check; returns how many should fail the command (errors, and
    refused landing files; a warning such as a column-schema change is only printed)."""
    import dagster as dg

    from pipelines.checks.validation import LANDING_CHECK

    counted = 0
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if evaluation.passed:
            continue
        serious = (
            evaluation.severity == dg.AssetCheckSeverity.ERROR
            or evaluation.check_name == LANDING_CHECK
        )
        counted += serious
        label = "Check failed" if serious else "Check warning"
        key = evaluation.asset_key.to_user_string()
        click.echo(f"{label}: {key} {evaluation.check_name}", err=True)
        click.echo(f"{evaluation.description or ''}\n", err=True)
    return counted


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people, csv or json for scripts.",
)
def sql(query: str, output_format: str) -> None:
    """Run a read-only SQL query on the warehouse and print the result.

    \b
    Example:
      sovai sql "select platform, co2_kg_per_million_tokens
                 from analytics.platform_efficiency order by 2 limit 1"
    """
    import duckdb

    from pipelines.warehouse.connection import (
        WarehouseDamagedError,
        WarehouseNotFoundError,
        read_only,
    )

    try:
        with read_only(get_settings().warehouse_path) as con:
            frame = con.sql(query).pl() if query.strip() else None
    except (WarehouseNotFoundError, WarehouseDamagedError) as error:
        _fail(str(error))
    except duckdb.Error as error:
        _fail(
            f"{error}\nThe warehouse is read-only here; check the query and table names "
            "(`sovai tables` lists them)."
        )
    if frame is None:
        _fail("the query is empty.")
    click.echo(_render(frame, output_format), nl=output_format == "table")


@main.command()
@click.option("--force", is_flag=True, help="Roll back even if the warehouse is not damaged.")
def restore(force: bool) -> None:
    """Put back the last good copy of the warehouse after it was reported damaged.

    Every publish keeps the version it replaces as warehouse.duckdb.previous. The damaged file is
    kept beside the warehouse, renamed, never deleted. Then `sovai run` brings it up to date.

    \b
    Example:
      sovai restore && sovai run
    """
    from pipelines.warehouse.connection import WarehouseDamagedError, previous_copy
    from pipelines.warehouse.integrity import NothingToRestoreError, restore

    path = get_settings().warehouse_path
    try:
        kept = restore(path, force=force)
    except (NothingToRestoreError, WarehouseDamagedError) as error:
        _fail(str(error))
    click.echo(f"Restored {path} from {previous_copy(path)}.")
    if kept is not None:
        click.echo(f"The file it replaced is kept as {kept}.")
    click.echo("Run `sovai run` to bring it up to date.")


@main.command()
def tables() -> None:
    """List the warehouse's tables with their latest version and description.

    \b
    Example:
      sovai tables
    """
    from pipelines.warehouse.connection import (
        WarehouseDamagedError,
        WarehouseNotFoundError,
        read_only,
    )

    try:
        with read_only(get_settings().warehouse_path) as con:
            frame = con.sql(
                """
                select v.view_name as "table", v.version, v.row_count as rows,
                       strftime(v.published_at, '%Y-%m-%d %H:%M:%S') as published_at,
                       views.comment as description
                from meta.table_versions v
                left join duckdb_views() views
                    on views.schema_name || '.' || views.view_name = v.view_name
                qualify v.version = max(v.version) over (partition by v.table_name)
                order by 1
                """
            ).pl()
    except (WarehouseNotFoundError, WarehouseDamagedError) as error:
        _fail(str(error))
    click.echo(_render(frame, "table"))


def _render(frame, output_format: str) -> str:
    if output_format == "csv":
        return frame.write_csv()
    if output_format == "json":
        return frame.write_json() + "\n"
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for name, dtype in frame.schema.items():
        numeric = dtype.is_numeric()
        table.add_column(name, justify="right" if numeric else "left", no_wrap=True)
    for row in frame.iter_rows():
        table.add_row(*["NULL" if value is None else str(value) for value in row])
    buffer = io.StringIO()
    width = None if sys.stdout.isatty() else 100_000
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(table)
    rows = f"({frame.height} row{'s' if frame.height != 1 else ''})"
    return buffer.getvalue().rstrip("\n") + "\n" + rows
