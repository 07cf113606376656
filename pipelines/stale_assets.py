"""What a build has to run: the assets Dagster finds stale or missing, what depends on them, and
the quality checks that have not yet seen the latest materialization of their table.

Dagster's own data versions decide (the same stale status the UI shows, and that a schedule's
`RunRequest(stale_assets_only=True)` uses): the input files are observable source assets with a
content hash for data version, every table reports its content hash as its data version, and
every asset has a code version from its files. An asset is stale when its code changed or an
input it read has a new data version. Dagster marks only the direct readers of a change as
stale, so what depends on them is added here: they would read a new version in the same run.

One thing Dagster cannot know is whether the warehouse file still holds what the runs recorded
(it was restored, deleted, or another warehouse file is configured); an asset whose table's
content hash does not match its latest materialization, or whose chart file is not beside the
warehouse, is built again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
from dagster._core.definitions.data_version import (
    CachingStaleStatusResolver,
    StaleStatus,
    extract_data_version_from_entry,
)
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecordStatus,
)
from dagster._core.storage.event_log.base import AssetRecord
from dagster._time import get_current_datetime

from pipelines.settings import reports_dir_of
from pipelines.warehouse.connection import read_only


@dataclass
class BuildPlan:
    """Per asset key, why it is built (its own reason, or the upstream change it follows)."""

    reasons: dict[dg.AssetKey, str] = field(default_factory=dict)
    checks: set[dg.AssetCheckKey] = field(default_factory=set)

    def keys_in(self, job: dg.JobDefinition) -> set[dg.AssetKey]:
        return set(self.reasons) & set(job.asset_layer.executable_asset_keys)


def plan_build(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    warehouse_path: Path,
    quality_checks: Iterable[dg.AssetCheckKey] = (),
) -> BuildPlan:
    graph = defs.resolve_asset_graph()
    buildable = sorted(graph.materializable_asset_keys)
    latest = _latest_materializations(instance, buildable)
    roots = _stale_or_missing(instance, graph, buildable)
    for key, reason in _out_of_sync(warehouse_path, latest).items():
        roots.setdefault(key, reason)
    plan = BuildPlan()
    for key in buildable:  # sorted; a root's own reason wins over a followed one
        if key in roots:
            plan.reasons[key] = roots[key]
    _add_descendants(graph, plan)
    plan.checks = _checks_behind(instance, list(quality_checks), latest, set(plan.reasons))
    return plan


def observations_behind(
    instance: dg.DagsterInstance, versions: Mapping[dg.AssetKey, str]
) -> list[dg.AssetKey]:
    """Sources whose latest observation recorded another data version than they have now: an
    observation run is needed only then (it would record the same versions again otherwise)."""
    recorded = {}
    for key in versions:
        record = instance.get_latest_data_version_record(key, is_source=True)
        version = extract_data_version_from_entry(record.event_log_entry) if record else None
        recorded[key] = version.value if version else None
    return [key for key, version in versions.items() if recorded.get(key) != version]


def _add_descendants(graph, plan: BuildPlan) -> None:
    frontier = list(plan.reasons)
    while frontier:
        key = frontier.pop()
        for child in sorted(graph.get(key).child_keys):
            if child in plan.reasons or not graph.get(child).is_materializable:
                continue
            plan.reasons[child] = f"reads {key.to_user_string()}, which is rebuilt"
            frontier.append(child)


def _stale_or_missing(instance, graph, keys: list[dg.AssetKey]) -> dict[dg.AssetKey, str]:
    view = AssetGraphView(
        temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
        instance=instance,
        asset_graph=graph,
    )
    # one query for every asset's record, instead of one per asset as the resolver asks
    AssetRecord.blocking_get_many(view, [*keys, *graph.external_asset_keys])
    resolver = CachingStaleStatusResolver(instance, graph, view)
    found = {}
    for key in keys:
        status = resolver.get_status(key)
        if status == StaleStatus.MISSING:
            found[key] = "never built"
        elif status == StaleStatus.STALE:
            causes = resolver.get_stale_root_causes(key)
            found[key] = "; ".join(
                f"{cause.key.asset_key.to_user_string()} {cause.reason}" for cause in causes
            )
    return found


def _latest_materializations(instance, keys: list[dg.AssetKey]) -> dict[dg.AssetKey, object]:
    """The latest materialization event log entry of each key that has one."""
    found = {}
    for record in instance.get_asset_records(keys):
        entry = record.asset_entry.last_materialization_record
        if entry is not None:
            found[record.asset_entry.asset_key] = entry
    return found


def _out_of_sync(warehouse_path: Path, latest: Mapping[dg.AssetKey, object]) -> dict:
    """Assets whose table or file is not what their latest materialization recorded."""
    hashes = _warehouse_hashes(warehouse_path)
    found = {}
    for key, record in latest.items():
        metadata = record.event_log_entry.asset_materialization.metadata
        if "content_hash" in metadata and "dagster/table_name" in metadata:
            view = metadata["dagster/table_name"].value
            if hashes.get(view) != metadata["content_hash"].value:
                found[key] = f"the warehouse's {view} is not the version its last run published"
        elif "path" in metadata:
            # in sync when its file is where this warehouse's charts are, not only where its
            # last run wrote it: a warehouse copied or moved elsewhere gets its charts beside it
            here = reports_dir_of(warehouse_path) / Path(metadata["path"].value).name
            if not here.exists():
                found[key] = f"its file {here} is gone"
    return found


def _warehouse_hashes(warehouse_path: Path) -> dict[str, str]:
    if not warehouse_path.exists():
        return {}
    with read_only(warehouse_path) as con:
        if not con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = 'table_versions'"
        ).fetchone()[0]:
            return {}
        rows = con.execute(
            "select view_name, arg_max(content_hash, version) from meta.table_versions "
            "group by view_name"
        ).fetchall()
    return dict(rows)


def _checks_behind(
    instance,
    check_keys: list[dg.AssetCheckKey],
    latest: Mapping[dg.AssetKey, object],
    rebuilt: set[dg.AssetKey],
) -> set[dg.AssetCheckKey]:
    """Checks of rebuilt assets, and checks whose latest evaluation was not of the latest
    materialization (never run, or the run stopped before them)."""
    executions = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    behind = set()
    for check in check_keys:
        if check.asset_key in rebuilt:
            behind.add(check)
            continue
        execution = executions.get(check)
        materialization = latest.get(check.asset_key)
        if execution is None or materialization is None:
            behind.add(check)
            continue
        evaluation = execution.event.asset_check_evaluation if execution.event else None
        target = evaluation.target_materialization_data if evaluation else None
        if (
            execution.status == AssetCheckExecutionRecordStatus.PLANNED
            or target is None
            or target.storage_id != materialization.storage_id
        ):
            behind.add(check)
    return behind
