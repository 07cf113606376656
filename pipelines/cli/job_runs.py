"""Running a job from the command line as a run of that job, as the UI would, with a summary."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Set as AbstractSet

import click
import dagster as dg

from pipelines.cli.common import UserError
from pipelines.settings import PROJECT_ROOT, get_settings


def load_definitions() -> dg.Definitions:
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    from pipelines.definitions import defs

    return defs


@functools.cache
def process_instance() -> dg.DagsterInstance:
    """The Dagster instance every run of this `sovai` process uses. Loading one costs about a
    second of CPU (its storage classes, and the run and schedule databases' migration checks),
    and a `sovai run` that rebuilds something starts up to four runs."""
    load_definitions()  # DAGSTER_HOME and the working folder the instance's paths start from
    return dg.DagsterInstance.get()


def say(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


def run_job(
    job: str,
    tags: dict[str, str] | None = None,
    quiet: bool = False,
    assets: AbstractSet[dg.AssetKey] = frozenset(),
    checks: AbstractSet[dg.AssetCheckKey] | None = None,
) -> None:
    """Run a job (or only the given assets or checks of it) as a run of that job, with a progress
    bar; prints each table's version and each failed check, and raises UserError on failure."""
    from pipelines.abandoned_runs import mark_abandoned_runs, process_tags
    from pipelines.cli.progress import RunProgress
    from pipelines.cli.run_origin import execute_as_job_run

    warehouse_path = get_settings().warehouse_path
    from pipelines.assets.market import IGNORED_IN_LANDING, LEFT_IN_LANDING

    defs = load_definitions()

    say(f"Running {job} into {warehouse_path} ...", quiet)
    instance = process_instance()
    for abandoned in mark_abandoned_runs(instance):
        say(f"Marked run {abandoned} failed: its process ended without finishing it.", quiet)
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
            asset_selection=assets,
            asset_check_selection=checks,
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
            kept = "redrawn" in metadata and not metadata["redrawn"].value
            path = metadata["path"].value if "path" in metadata else None
            status = "" if path is None else f"kept {path} (same data)" if kept else f"wrote {path}"
            version = ""
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
    say(f"Done: run {result.run_id} of {job} succeeded.", quiet)


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
