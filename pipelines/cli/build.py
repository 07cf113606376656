"""Building the warehouse: validate the seeds, run every asset, refresh the market data."""

from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path

import click

from pipelines.cli.common import UserError
from pipelines.settings import PROJECT_ROOT, get_settings

quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar or progress messages on stderr (the results still go to stdout).",
)


@click.command()
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
        raise UserError(f"{error}\nFix the files above and run `sovai validate` again.") from None
    rows = sum(frame.height for frame in frames.values())
    click.echo(f"OK: {len(frames)} seed tables, {rows} rows in {folder} are valid.")


@click.command()
@quiet_option
def run(quiet: bool) -> None:
    """Materialize every asset: all seeds and tables, then the market path.

    Runs are recorded in the Dagster instance, so they show in the UI. In a terminal a progress
    bar follows the assets on stderr.

    \b
    Example:
      sovai run
      sovai run --quiet      # for cron and scripts
    """
    _run_job("refresh_all", quiet=quiet)
    _refresh_market(quiet)


@click.command()
@quiet_option
def refresh(quiet: bool) -> None:
    """Ingest new market files (data/landing, seeds/market_shares) and recompute what they touch.

    The same path as the landing sensor and the daily schedule, for a shell or cron.

    \b
    Example:
      cp shares-2026-03.csv data/landing/ && sovai refresh
    """
    _refresh_market(quiet)


def _refresh_market(quiet: bool) -> None:
    from pipelines.ingest.market_refresh import plan_refresh
    from pipelines.jobs import range_tags

    plan = plan_refresh(get_settings())
    tags = range_tags(plan)
    if tags is None:
        _say("No market data yet: drop share or record files in data/landing/.", quiet)
        return
    _say(
        f"{len(plan.new_files)} new market file(s); periods {plan.period_start} to "
        f"{plan.period_end}",
        quiet,
    )
    _run_job("market_refresh", tags, quiet=quiet)


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


def _run_job(job: str, tags: dict[str, str] | None = None, quiet: bool = False) -> None:
    import dagster as dg

    from pipelines.cli.progress import RunProgress

    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    warehouse_path = get_settings().warehouse_path
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # our own use of beta APIs; not news
        from pipelines.definitions import defs

    _say(f"Running {job} into {warehouse_path} ...", quiet)
    instance = dg.DagsterInstance.get()
    run_id = str(uuid.uuid4())
    with RunProgress(instance, run_id, job, enabled=not quiet):
        result = defs.resolve_job_def(job).execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_id=run_id,
            tags=tags,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        metadata = materialization.metadata
        key = "/".join(materialization.asset_key.path)
        if "version" in metadata:
            version = f"v{metadata['version'].value}"
            status = metadata["status"].value if "status" in metadata else ""
        else:  # a chart or the report: a file, not a table version
            version, status = "", f"wrote {metadata['path'].value}" if "path" in metadata else ""
        click.echo(f"  {key:<40} {version:<5} {status}")
    if not result.success:
        failures = [
            event.step_failure_data.user_failure_data.description
            if event.step_failure_data.user_failure_data
            else event.step_failure_data.error.message.strip()
            for event in result.all_events
            if event.is_step_failure
        ]
        raise UserError(
            f"run {result.run_id} failed; the warehouse keeps its previous version.\n"
            + "\n".join(failures)
        )
    _say(f"Done: run {result.run_id} of {job} succeeded.", quiet)
