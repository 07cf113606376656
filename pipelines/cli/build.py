"""Building the warehouse: validate the seeds, run every asset, refresh the market data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from pipelines.cli.common import UserError
from pipelines.settings import get_settings

quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar or progress messages on stderr (the results still go to stdout).",
)


@click.command()
@click.argument(
    "seeds_dir",
    required=False,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
)
def validate(seeds_dir: Path | None) -> None:
    """Check every seed file without publishing anything.

    Lists each problem with its file, row, column and rule, and exits 1 if there are any.
    SEEDS_DIR defaults to seeds/ (or the folder SOVAI_SEEDS_DIR names).

    \b
    Example:
      sovai validate seeds/
    """
    from models.validation import SeedValidationError
    from pipelines.ingest.seeds import load_seeds

    folder = seeds_dir or get_settings().seeds_dir
    if not folder.is_dir():  # the argument is checked by click (a usage error, exit 2)
        raise UserError(
            f"the seeds folder {folder} does not exist (SOVAI_SEEDS_DIR names another, or unset "
            "it for seeds/)."
        )
    try:
        frames = load_seeds(folder)
    except SeedValidationError as error:
        raise UserError(f"{error}\nFix the files above and run `sovai validate` again.") from None
    rows = sum(frame.height for frame in frames.values())
    click.echo(f"OK: {len(frames)} seed tables, {rows} rows in {folder} are valid.")


@click.command()
@quiet_option
@click.option(
    "--force", is_flag=True, help="Rebuild every asset and run every check, changed or not."
)
def run(quiet: bool, force: bool) -> None:
    """Materialize what changed: the seeds and tables, then the market path, then the checks.

    Dagster's data versions decide what changed: the seed and market files are observed (a hash
    of their content), and a table is rebuilt when an input it reads or its code changed, or it
    was never built, with everything that reads it. With nothing changed it runs nothing. Runs
    are recorded in the Dagster instance, under their job, so they show in the UI. In a terminal
    a progress bar follows the assets on stderr.

    \b
    Example:
      sovai run
      sovai run --quiet      # for cron and scripts
      sovai run --force      # rebuild everything
    """
    _check_warehouse_folder()
    say("Looking for inputs and code that changed since the last run ...", quiet)
    landing = get_settings().landing_dir
    if not landing.exists():  # where new market files go; made here so it is there to drop into
        landing.mkdir(parents=True)
    from pipelines.cli.run_changed import run_what_changed

    run_what_changed(quiet, force)


@click.command()
@quiet_option
def check(quiet: bool) -> None:
    """Run the Great Expectations suites of every analytics table and write Data Docs.

    The same run (job data_quality) follows each build when the Dagster daemon runs, and `sovai
    run` ends with it; `sovai refresh` does not wait for it. Exits 1 if an expectation marked as
    an error fails; a warning (unusual data) is printed only.

    \b
    Example:
      sovai refresh && sovai check
    """
    if not get_settings().expectations:
        raise UserError("Great Expectations are switched off (SOVAI_EXPECTATIONS=off).")
    from pipelines.cli.job_runs import run_job

    run_job("data_quality", quiet=quiet)


@click.command()
@quiet_option
@click.option(
    "--from",
    "first",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Also recompute the periods from this date (YYYY-MM-DD), e.g. after a rule changed.",
)
@click.option(
    "--to",
    "last",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Also recompute the periods up to this date (YYYY-MM-DD); with --from, a range.",
)
@click.option("--all", "everything", is_flag=True, help="Recompute every period.")
def refresh(quiet: bool, first, last, everything: bool) -> None:
    """Ingest new market files (data/landing, seeds/market_shares) and recompute what they touch.

    The same path as the landing sensor and the daily schedule, for a shell or cron. A run
    recomputes the periods whose shares changed since the market tables last read them; --from,
    --to and --all recompute more, in the same one run, whatever the span. Exits 1 while a refused
    file waits in data/quarantine/ (see `sovai quarantine`). The Great Expectations suites are a
    run of their own: `sovai check`.

    \b
    Example:
      cp shares-2026-03.csv data/landing/ && sovai refresh
      sovai refresh --from 2008-01-01 --to 2022-12-31
    """
    from pipelines.assets.recompute import RecomputeRequest

    if first and last and last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    requested = None
    if first or last:
        requested = ((first or datetime.min).date(), (last or datetime.max).date())
    _refresh_market(quiet, RecomputeRequest(requested, everything))


def _check_warehouse_folder() -> None:
    """Before a run starts: a warehouse folder that cannot be made would fail every asset that
    publishes, one by one, after the inputs were read; say it once, at once."""
    from pipelines.warehouse.history import PublishError
    from pipelines.warehouse.working_copy import make_warehouse_folder

    try:
        make_warehouse_folder(get_settings().warehouse_path)
    except PublishError as error:
        raise UserError(str(error)) from None


def _refresh_market(quiet: bool, request=None) -> None:
    from pipelines.cli.job_runs import run_job
    from pipelines.ingest.landing_folder import LandingFolderError
    from pipelines.ingest.market_refresh import plan_refresh
    from pipelines.warehouse.connection import WarehouseDamagedError

    _check_warehouse_folder()
    try:
        plan = plan_refresh(get_settings())
    except (WarehouseDamagedError, LandingFolderError) as error:
        raise UserError(str(error)) from None
    if plan.period_start is not None:
        say(
            f"{len(plan.new_files)} new market file(s); periods {plan.period_start} to "
            f"{plan.period_end}",
            quiet,
        )
    else:
        say(f"{len(plan.new_files)} new market file(s).", quiet)
    run_job("market_refresh", request.tags() if request else None, quiet=quiet)


@click.command()
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
    from pipelines.warehouse.integrity import NothingToRestoreError
    from pipelines.warehouse.integrity import restore as restore_previous

    path = get_settings().warehouse_path
    try:
        kept = restore_previous(path, force=force)
    except (NothingToRestoreError, WarehouseDamagedError) as error:
        raise UserError(str(error)) from None
    click.echo(f"Restored {path} from {previous_copy(path)}.")
    if kept is not None:
        click.echo(f"The file it replaced is kept as {kept}.")
    click.echo("Run `sovai run` to bring it up to date.")


def say(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)
