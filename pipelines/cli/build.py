"""Building the warehouse: validate the seeds, run every asset, refresh the market data."""

from __future__ import annotations

import os
import uuid
import warnings
from datetime import datetime
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
def run(quiet: bool) -> None:
    """Materialize every asset: all seeds and tables, then the market path.

    Runs are recorded in the Dagster instance, so they show in the UI. In a terminal a progress
    bar follows the assets on stderr.

    \b
    Example:
      sovai run
      sovai run --quiet      # for cron and scripts
    """
    landing = get_settings().landing_dir
    if not landing.exists():  # where new market files go; made here so it is there to drop into
        landing.mkdir(parents=True)
    _run_job("refresh_all", quiet=quiet)
    _refresh_market(quiet)
    if get_settings().expectations:
        _run_job("data_quality", quiet=quiet)


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
    _run_job("data_quality", quiet=quiet)


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


def _refresh_market(quiet: bool, request=None) -> None:
    from pipelines.ingest.landing_folder import LandingFolderError
    from pipelines.ingest.market_refresh import plan_refresh
    from pipelines.warehouse.connection import WarehouseDamagedError

    try:
        plan = plan_refresh(get_settings())
    except (WarehouseDamagedError, LandingFolderError) as error:
        raise UserError(str(error)) from None
    if plan.period_start is not None:
        _say(
            f"{len(plan.new_files)} new market file(s); periods {plan.period_start} to "
            f"{plan.period_end}",
            quiet,
        )
    else:
        _say(f"{len(plan.new_files)} new market file(s).", quiet)
    _run_job("market_refresh", request.tags() if request else None, quiet=quiet)


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


def _run_job(job: str, tags: dict[str, str] | None = None, quiet: bool = False) -> None:
    import dagster as dg

    from pipelines.abandoned_runs import mark_abandoned_runs, process_tags
    from pipelines.cli.progress import RunProgress
    from pipelines.cli.run_origin import execute_as_job_run

    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    warehouse_path = get_settings().warehouse_path
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # our own use of beta APIs; not news
        from pipelines.assets.market import IGNORED_IN_LANDING, LEFT_IN_LANDING
        from pipelines.definitions import defs

    _say(f"Running {job} into {warehouse_path} ...", quiet)
    instance = dg.DagsterInstance.get()
    for abandoned in mark_abandoned_runs(instance):
        _say(f"Marked run {abandoned} failed: its process ended without finishing it.", quiet)
    run_id = str(uuid.uuid4())
    with RunProgress(instance, run_id, job, enabled=not quiet):
        result = execute_as_job_run(
            defs.resolve_job_def(job),
            instance,
            # The run's events (with stack traces) go to the Dagster UI; a shell gets the summary
            # below: each table's version, each failed check, each failure's message.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            tags={**(tags or {}), **process_tags()},
            run_id=run_id,
        )
    published = []
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
        if status == "new version":  # unchanged tables and written files published nothing
            published.append(f"{key} {version}")
        for label, entry in (("Note", LEFT_IN_LANDING), ("Ignored", IGNORED_IN_LANDING)):
            for line in metadata[entry].value if entry in metadata else []:
                click.echo(f"{label}: {line}", err=True)
    if not result.success:
        failures = [
            event.step_failure_data.user_failure_data.description
            if event.step_failure_data.user_failure_data
            else event.step_failure_data.error.message.strip()
            for event in result.all_events
            if event.is_step_failure
        ]
        stands = _what_stands(published)
        raise UserError(f"run {result.run_id} failed.\n" + "\n".join(failures) + stands)
    problems = _report_failed_checks(result)
    if problems:
        raise UserError(
            f"run {result.run_id} of {job} finished, but {problems} check(s) failed (above); "
            "the Dagster UI shows each with its failing rows."
        )
    _say(f"Done: run {result.run_id} of {job} succeeded.", quiet)


def _what_stands(published: list[str]) -> str:
    """What a failed run did and did not publish: each publish is whole, but a run is many."""
    if not published:
        return "\nNothing was published: every table keeps its previous version."
    return (
        f"\nPublished before the failure (listed above): {', '.join(published)}. Every other "
        "table keeps its previous version; the next run recomputes what depends on the tables "
        "that moved."
    )


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
