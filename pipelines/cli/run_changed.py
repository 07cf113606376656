"""`sovai run`: observe the inputs, then build only what Dagster finds stale or missing.

A no-op (nothing changed) costs one short observation run and a look at the instance: no table is
recomputed, no chart redrawn, no suite re-validated. See pipelines/stale_assets.py for the rules.
"""

from __future__ import annotations

import dagster as dg

from pipelines.abandoned_runs import mark_abandoned_runs
from pipelines.assets.sources import current_versions
from pipelines.cli.common import UserError
from pipelines.cli.job_runs import load_definitions, process_instance, run_job, say
from pipelines.jobs import OBSERVE_JOB, QUALITY_JOB
from pipelines.settings import get_settings
from pipelines.stale_assets import BuildPlan, observations_behind, plan_build

BUILD_ORDER = ("refresh_all", "market_refresh")  # the market path reads raw/vendors and more
REASONS_SHOWN = 6


def run_what_changed(quiet: bool, force: bool) -> None:
    settings = get_settings()
    defs = load_definitions()
    instance = process_instance()
    for abandoned in mark_abandoned_runs(instance):
        say(f"Marked run {abandoned} failed: its process ended without finishing it.", quiet)
    # the input files' data versions, recorded as observations when they differ from the last
    if force or observations_behind(instance, current_versions(settings)):
        run_job(OBSERVE_JOB, quiet=True)
    quality = _quality_checks(defs) if settings.expectations else set()
    if force:
        plan = _everything(defs, quality)
    else:
        plan = plan_build(defs, instance, settings.warehouse_path, quality)
    for job_name in BUILD_ORDER:
        job = defs.resolve_job_def(job_name)
        keys = plan.keys_in(job)
        if not keys:
            continue
        total = len(job.asset_layer.executable_asset_keys)
        say(f"{job_name}: {len(keys)} of {total} assets to build.", quiet)
        _say_reasons(plan, keys, quiet)
        run_job(job_name, quiet=quiet, assets=keys)
    if plan.checks:
        say(f"{QUALITY_JOB}: {len(plan.checks)} of {len(quality)} suites to run.", quiet)
        run_job(QUALITY_JOB, quiet=quiet, checks=plan.checks)
    if not plan.reasons and not plan.checks:
        say(
            "Up to date: every table, chart and check has seen its inputs' and code's latest "
            "versions, so nothing ran (`sovai run --force` rebuilds everything).",
            quiet,
        )
    _fail_while_quarantined()


def _say_reasons(plan: BuildPlan, keys: set[dg.AssetKey], quiet: bool) -> None:
    """The changes that start the build, not every table that follows them."""
    own = [key for key in sorted(keys) if not plan.reasons[key].startswith("reads ")]
    for key in own[:REASONS_SHOWN]:
        say(f"  {key.to_user_string()}: {plan.reasons[key]}", quiet)
    if len(own) > REASONS_SHOWN:
        say(f"  ... and {len(own) - REASONS_SHOWN} more", quiet)
    followers = len(keys) - len(own)
    if followers:
        say(f"  and {followers} asset(s) that read them", quiet)


def _quality_checks(defs: dg.Definitions) -> set[dg.AssetCheckKey]:
    try:
        job = defs.resolve_job_def(QUALITY_JOB)
    except dg.DagsterInvariantViolationError:  # expectations left out of the definitions
        return set()
    return set(job.asset_layer.asset_graph.asset_check_keys)


def _everything(defs: dg.Definitions, quality: set[dg.AssetCheckKey]) -> BuildPlan:
    graph = defs.resolve_asset_graph()
    reasons = {key: "--force" for key in graph.materializable_asset_keys}
    return BuildPlan(reasons=reasons, checks=set(quality))


def _fail_while_quarantined() -> None:
    """As `sovai refresh`: exit 1 while a refused market file waits, even when nothing ran."""
    from pipelines.checks.validation import waiting_paragraph
    from pipelines.ingest.quarantine import pending

    waiting = pending(get_settings())
    if waiting:
        raise UserError(waiting_paragraph(waiting))
